"""Inputs of the network component: private VPC, interface and gateway endpoints, flow logs."""

from __future__ import annotations

from typing import Any

from bcce_tf.config import Config

SERVICES: tuple[str, ...] = ("ec2", "logs", "iam")

# IAM roles the component creates ("{prefix}" = <stack>-<organization>). IAM names are global to
# the account, so the region is part of each name; at most 64 characters.
IAM_ROLE_NAMES: tuple[str, ...] = ("{prefix}-{region}-flowlog",)

# Interface endpoints created when `privatelink` is on (com.amazonaws.<region>.<name>).
INTERFACE_ENDPOINT_SERVICES: tuple[str, ...] = ("bedrock-runtime", "bedrock", "sts", "logs", "monitoring")


def tfvars(config: Config, region: str) -> dict[str, Any]:
    return {
        "network_vpc_cidr": config.network.vpc_cidr,
        "network_log_retention_days": config.log_retention_days,
    }
