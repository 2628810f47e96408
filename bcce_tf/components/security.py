"""Inputs of the security component: stack key, audit bucket, access-log bucket, audit logs."""

from __future__ import annotations

from typing import Any

from bcce_tf.config import Config

SERVICES: tuple[str, ...] = ("kms", "s3", "logs", "cloudtrail", "iam")

# IAM roles the component creates ("{prefix}" = <stack>-<organization>). IAM names are global to
# the account, so the region is part of each name; at most 64 characters.
IAM_ROLE_NAMES: tuple[str, ...] = ("{prefix}-{region}-trail",)


def tfvars(config: Config, region: str) -> dict[str, Any]:
    return {
        "security_log_retention_days": config.log_retention_days,
        "security_key_deletion_window_days": config.security.key_deletion_window_days,
        "security_force_destroy_buckets": config.security.force_destroy_buckets,
        "security_cloudtrail_multi_region": config.cloudtrail_multi_region,
    }
