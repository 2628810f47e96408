"""Permission check: IAM policy simulation of the caller against what the selected components do."""

from __future__ import annotations

from bcce_tf.components import services_for
from bcce_tf.errors import BcceError
from bcce_tf.readiness.checks.base import Check, CheckContext, Identity, Outcome, describe_error, is_denied
from bcce_tf.readiness.model import Category, Impact

# The IAM actions Terraform needs to create what bcce deploys, per AWS service (keys of
# bcce_tf.aws_services.SERVICES). Creation and configuration actions only: reading follows.
ACTIONS: dict[str, tuple[str, ...]] = {
    "athena": ("athena:CreateWorkGroup", "athena:CreateNamedQuery"),
    "bedrock": ("bedrock:CreateGuardrail", "bedrock:ListFoundationModels"),
    "budgets": ("budgets:ModifyBudget", "budgets:ViewBudget"),
    "cloudtrail": ("cloudtrail:CreateTrail", "cloudtrail:StartLogging", "cloudtrail:PutEventSelectors"),
    "cloudwatch": ("cloudwatch:PutMetricAlarm", "cloudwatch:PutDashboard"),
    "cognito-identity": ("cognito-identity:CreateIdentityPool", "cognito-identity:SetIdentityPoolRoles"),
    "cognito-idp": ("cognito-idp:CreateUserPool", "cognito-idp:CreateUserPoolClient", "cognito-idp:CreateIdentityProvider"),
    "dynamodb": ("dynamodb:CreateTable",),
    "ec2": ("ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup",
            "ec2:CreateVpcEndpoint", "ec2:CreateFlowLogs"),
    "ecr": ("ecr:CreatePullThroughCacheRule",),
    "ecs": ("ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:CreateService"),
    "elasticloadbalancing": ("elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
                             "elasticloadbalancing:CreateListener"),
    "firehose": ("firehose:CreateDeliveryStream",),
    "glue": ("glue:CreateDatabase", "glue:CreateTable"),
    "iam": ("iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:CreatePolicy", "iam:PassRole"),
    "identitystore": ("identitystore:DescribeGroup",),
    "kms": ("kms:CreateKey", "kms:CreateAlias", "kms:EnableKeyRotation", "kms:PutKeyPolicy"),
    "logs": ("logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:PutSubscriptionFilter"),
    "rds": ("rds:CreateDBInstance", "rds:CreateDBSubnetGroup"),
    "s3": ("s3:CreateBucket", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutBucketVersioning",
           "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock"),
    "secretsmanager": ("secretsmanager:CreateSecret",),
    "sns": ("sns:CreateTopic", "sns:Subscribe"),
    "ssm": ("ssm:GetParameter",),
    "sso-admin": ("sso:CreatePermissionSet", "sso:PutInlinePolicyToPermissionSet", "sso:CreateAccountAssignment"),
    "sts": (),  # GetCallerIdentity needs no permission
}
BATCH = 50  # actions per SimulatePrincipalPolicy request


def required_actions(components: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(actions to simulate, services with no known actions) for the given components."""
    services = set(services_for(components))
    if "guardrails" in components:
        services.add("bedrock")
    actions: set[str] = set()
    unknown = []
    for service in sorted(services):
        if service in ACTIONS:
            actions |= set(ACTIONS[service])
        else:
            unknown.append(service)
    return sorted(actions), unknown


def principal_arn(ctx: CheckContext, identity: Identity) -> str | None:
    """The IAM ARN to simulate: the user, or the role behind an assumed-role session."""
    resource = identity.arn.split(":", 5)[-1]
    if resource.startswith("user/"):
        return identity.arn.replace(":sts::", ":iam::")
    if resource.startswith("assumed-role/"):
        role_name = resource.split("/")[1]
        try:  # the role's path is not in the session ARN: ask IAM for the full one
            return str(ctx.call("iam", ctx.home_region, "get_role", RoleName=role_name)["Role"]["Arn"])
        except BcceError:
            return f"arn:{identity.partition}:iam::{identity.account}:role/{role_name}"
    return None


def simulate(ctx: CheckContext) -> Outcome:
    actions, unknown = required_actions(ctx.components)
    if not actions:
        return Outcome.not_checked("no actions to simulate for the selected components")
    try:
        identity = ctx.identity()
    except Exception as exc:  # noqa: BLE001 - the credentials check reports the cause
        return Outcome.not_checked(f"caller identity unknown: {describe_error(exc)}")
    if identity.is_root:
        return Outcome.not_checked("the root user cannot be simulated (see security.not-root)")
    arn = principal_arn(ctx, identity)
    if arn is None:
        return Outcome.not_checked(f"a {identity.kind} principal cannot be simulated ({identity.arn})")
    denied: list[str] = []
    try:
        for start in range(0, len(actions), BATCH):
            marker: str | None = None
            while True:
                params = {"PolicySourceArn": arn, "ActionNames": actions[start:start + BATCH]}
                if marker:
                    params["Marker"] = marker
                answer = ctx.call("iam", ctx.home_region, "simulate_principal_policy", **params)
                denied += [r["EvalActionName"] for r in answer.get("EvaluationResults", []) if r.get("EvalDecision") != "allowed"]
                marker = answer.get("Marker") if answer.get("IsTruncated") else None
                if not marker:
                    break
    except Exception as exc:  # noqa: BLE001 - an API that cannot answer (500, unparsable reply) is "not checked"
        if is_denied(exc):
            return Outcome.not_checked(f"not allowed to simulate (iam:SimulatePrincipalPolicy): {describe_error(exc)}",
                                       f"allow iam:SimulatePrincipalPolicy on {arn} to have permissions checked")
        return Outcome.not_checked(f"IAM policy simulation did not answer: {describe_error(exc)}")
    note = f"; no known actions for {', '.join(unknown)}" if unknown else ""
    if denied:
        shown = ", ".join(denied[:10]) + (f" and {len(denied) - 10} more" if len(denied) > 10 else "")
        return Outcome.failed(f"{len(denied)} of {len(actions)} actions denied for {arn}: {shown}{note}")
    return Outcome.passed(f"all {len(actions)} actions allowed for {arn}{note}")


def checks(ctx: CheckContext) -> list[Check]:
    return [
        Check("permissions.simulation", "Caller may do what the deployment needs", Category.PERMISSIONS, Impact.HIGH,
              simulate, remediation="grant the denied actions to the deploying role (or use a role that has them)"),
    ]
