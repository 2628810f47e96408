# Developer access to Claude on Amazon Bedrock: one policy document, used three ways.
#   - identity-center: the permission set carries it inline (identity component);
#   - cognito-oidc: the identity pool's authenticated role has the managed policy attached (identity component);
#   - federation into the account: the role below, assumable by principals of this account that carry
#     the principal tag <access_tag_key> = <name_prefix>. Sessions are short-lived STS credentials; bcce
#     creates no IAM users and no access keys.
locals {
  # The Converse API has no IAM actions of its own: AWS authorizes Converse with bedrock:InvokeModel
  # and ConverseStream with bedrock:InvokeModelWithResponseStream (Bedrock user guide, "Prerequisites
  # for running model inference"), so these two actions cover all four operations.
  invoke_actions = [
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
  ]

  foundation_model_arns = flatten([
    for region in var.regions : [
      for pattern in var.model_patterns : "arn:${var.partition}:bedrock:${region}::foundation-model/${pattern}"
    ]
  ])

  # System-defined cross-region inference profiles: us., eu., apac., global. (and the other
  # geography prefixes AWS adds) in front of the model id, owned by this account and region.
  inference_profile_arns = flatten([
    for region in var.regions : [
      for pattern in var.model_patterns : "arn:${var.partition}:bedrock:${region}:${var.account_id}:inference-profile/*.${pattern}"
    ]
  ])

  # A cross-region inference profile serves a request from the foundation model in another region of
  # its geography (or, for global. profiles, from a region-less model ARN). Those model ARNs are
  # allowed only when the request came in through one of the inference profiles above.
  routed_model_arns = [
    for pattern in var.model_patterns : "arn:${var.partition}:bedrock:*::foundation-model/${pattern}"
  ]

  guardrail_identifier = var.enforce_guardrail ? "${var.guardrail_arn}:${var.guardrail_version}" : null

  # Conditions every invoke statement carries: the stack's guardrail, the bedrock-runtime endpoint.
  enforced_conditions = merge(
    var.enforce_guardrail ? { "bedrock:GuardrailIdentifier" = local.guardrail_identifier } : {},
    var.enforce_source_vpce ? { "aws:SourceVpce" = var.source_vpce_id } : {},
  )
}

data "aws_iam_policy_document" "bedrock" {
  statement {
    sid       = "InvokeClaudeInConfiguredRegions"
    actions   = local.invoke_actions
    resources = concat(local.foundation_model_arns, local.inference_profile_arns)

    dynamic "condition" {
      for_each = local.enforced_conditions
      content {
        test     = "StringEquals"
        variable = condition.key
        values   = [condition.value]
      }
    }
  }

  statement {
    sid       = "InvokeClaudeThroughInferenceProfiles"
    actions   = local.invoke_actions
    resources = local.routed_model_arns

    condition {
      test     = "ArnLike"
      variable = "bedrock:InferenceProfileArn"
      values   = local.inference_profile_arns
    }

    dynamic "condition" {
      for_each = local.enforced_conditions
      content {
        test     = "StringEquals"
        variable = condition.key
        values   = [condition.value]
      }
    }
  }

  dynamic "statement" {
    for_each = var.enforce_guardrail ? [var.guardrail_arn] : []
    content {
      sid       = "ApplyTheStackGuardrail"
      actions   = ["bedrock:ApplyGuardrail"]
      resources = [statement.value]
    }
  }

  statement {
    sid       = "DescribeClaudeModels"
    actions   = ["bedrock:GetFoundationModel", "bedrock:GetInferenceProfile"]
    resources = concat(local.foundation_model_arns, local.inference_profile_arns)
  }

  # ListFoundationModels and ListInferenceProfiles support no resource-level permissions: AWS
  # authorizes them only on "*". They return model metadata, no data; limited to the configured regions.
  statement {
    sid       = "ListModelsInConfiguredRegions"
    actions   = ["bedrock:ListFoundationModels", "bedrock:ListInferenceProfiles"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = var.regions
    }
  }
}

resource "aws_iam_policy" "bedrock" {
  name        = "${var.name_prefix}-bedrock-${var.region}"
  description = "bcce ${var.name_prefix}: invoke Anthropic Claude on Amazon Bedrock in the configured regions"
  policy      = data.aws_iam_policy_document.bedrock.json

  lifecycle {
    precondition {
      condition     = !var.enforce_guardrail || (var.guardrail_arn != null && var.guardrail_version != null)
      error_message = "enforce_guardrail needs guardrail_arn and guardrail_version."
    }
    precondition {
      condition     = !var.enforce_source_vpce || var.source_vpce_id != null
      error_message = "enforce_source_vpce needs source_vpce_id (the bedrock-runtime VPC endpoint)."
    }
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "FederatedPrincipalsOfThisAccount"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${var.partition}:iam::${var.account_id}:root"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/${var.access_tag_key}"
      values   = [var.name_prefix]
    }
  }
}

resource "aws_iam_role" "developer" {
  name                 = "${var.name_prefix}-bedrock-${var.region}"
  description          = "bcce ${var.name_prefix}: developers call Claude on Amazon Bedrock with short-lived credentials"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = var.max_session_hours * 3600
  permissions_boundary = var.permissions_boundary_arn
}

resource "aws_iam_role_policy_attachment" "developer" {
  role       = aws_iam_role.developer.name
  policy_arn = aws_iam_policy.bedrock.arn
}
