"""Inputs of the analytics component: data lake, Glue table, Athena workgroup, usage pipeline."""

from __future__ import annotations

from typing import Any

from bcce_tf.config import Config

SERVICES: tuple[str, ...] = ("s3", "glue", "athena", "logs", "firehose", "iam", "kms")

# IAM roles the component creates ("{prefix}" = <stack>-<organization>). IAM names are global to
# the account, so the region is part of each name; at most 64 characters.
IAM_ROLE_NAMES: tuple[str, ...] = ("{prefix}-{region}-ingest", "{prefix}-{region}-logsub")


def tfvars(config: Config, region: str) -> dict[str, Any]:
    return {
        "analytics_log_retention_days": config.log_retention_days,
        "analytics_bytes_scanned_cutoff_gb": config.analytics.athena_bytes_scanned_cutoff_gb,
    }
