"""AWS services bcce touches: the provider endpoint key per provider generation.

When an endpoint URL is given (emulator, LocalStack, a VPC endpoint proxy) every service the
rendered root uses is routed to it; a service missing here would silently go to real AWS.
"""

from __future__ import annotations

# service -> (endpoint key in hashicorp/aws 3.x, endpoint key in 5.x/6.x); None = no such key.
SERVICES: dict[str, tuple[str | None, str | None]] = {
    "athena": ("athena", "athena"),
    "bedrock": (None, "bedrock"),
    "budgets": ("budgets", "budgets"),
    "cloudtrail": ("cloudtrail", "cloudtrail"),
    "cloudwatch": ("cloudwatch", "cloudwatch"),
    "cognito-identity": ("cognitoidentity", "cognitoidentity"),
    "cognito-idp": ("cognitoidp", "cognitoidp"),
    "dynamodb": ("dynamodb", "dynamodb"),
    "ec2": ("ec2", "ec2"),
    "ecr": ("ecr", "ecr"),
    "ecs": ("ecs", "ecs"),
    # Application load balancers: hashicorp/aws 3.x routes them through its "elb" endpoint key.
    "elasticloadbalancing": ("elb", "elbv2"),
    "firehose": ("firehose", "firehose"),
    "glue": ("glue", "glue"),
    "iam": ("iam", "iam"),
    "identitystore": ("identitystore", "identitystore"),
    "kms": ("kms", "kms"),
    "logs": ("cloudwatchlogs", "logs"),
    "rds": ("rds", "rds"),
    "s3": ("s3", "s3"),
    "secretsmanager": ("secretsmanager", "secretsmanager"),
    "sns": ("sns", "sns"),
    "ssm": ("ssm", "ssm"),
    "sso-admin": ("ssoadmin", "ssoadmin"),
    "sts": ("sts", "sts"),
}


def endpoint_keys(services: tuple[str, ...] | list[str], generation: int) -> list[str]:
    """Provider endpoint keys for the given services, sorted, for one provider generation."""
    index = 0 if generation < 5 else 1
    keys = {SERVICES[s][index] for s in services}
    return sorted(k for k in keys if k)
