"""Inputs of the analytics component: data lake, Glue tables, Athena workgroup, usage pipelines.

Two sources fill the lake: Bedrock model invocation logging (provider generation 5; hashicorp/aws
3.x has no resource for it, so render and plan say it is not configured) and Claude Code's own
OpenTelemetry log events, which arrive in the log group /bcce/claude-code/<organization>.
"""

from __future__ import annotations

from typing import Any

from bcce_tf import usage_queries
from bcce_tf.config import Config

SERVICES: tuple[str, ...] = ("s3", "glue", "athena", "logs", "firehose", "iam", "kms")

# IAM roles the component creates ("{prefix}" = <stack>-<organization>). IAM names are global to
# the account, so the region is part of each name; at most 64 characters.
IAM_ROLE_NAMES: tuple[str, ...] = ("{prefix}-{region}-ingest", "{prefix}-{region}-logsub", "{prefix}-{region}-invlog")
# Roles rendered only from this provider generation on (the rest exist in every rendering).
IAM_ROLE_MIN_GENERATION: dict[str, int] = {"{prefix}-{region}-invlog": 5}

INVOCATION_LOGGING_UNSUPPORTED = (
    "analytics: Bedrock model invocation logging NOT CONFIGURED. provider.generation 3 (hashicorp/aws 3.x) has no "
    "aws_bedrock_model_invocation_logging_configuration, so no invocation log reaches the lake and the "
    "invocation_logs table and its saved queries stay empty. Set provider.generation to 5 to configure it."
)


def invocation_logging_supported(config: Config) -> bool:
    return config.provider.generation >= 5


def warnings(config: Config) -> list[str]:
    return [] if invocation_logging_supported(config) else [INVOCATION_LOGGING_UNSUPPORTED]


def tfvars(config: Config, region: str) -> dict[str, Any]:
    return {
        "analytics_log_retention_days": config.log_retention_days,
        "analytics_bytes_scanned_cutoff_gb": config.analytics.athena_bytes_scanned_cutoff_gb,
        "analytics_log_prompts": config.analytics.log_prompts,
        "analytics_named_queries": usage_queries.named_queries(),
    }
