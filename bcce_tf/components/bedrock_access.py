"""Inputs of the bedrock-access component: the developer policy for Claude on Bedrock and its role."""

from __future__ import annotations

import re
from typing import Any

from bcce_tf.config import Config
from bcce_tf.errors import ConfigError

SERVICES: tuple[str, ...] = ("iam",)

# IAM counts the characters of a managed policy without whitespace; the limit is 6,144.
MANAGED_POLICY_LIMIT = 6144
_LONGEST_PARTITION = "aws-us-gov"


def session_hours(config: Config) -> int:
    """Session length of the developer role: the Identity Center session duration (PT<n>H)."""
    match = re.fullmatch(r"PT(\d+)H", config.identity_center.session_duration)
    return int(match.group(1)) if match else 8


def estimated_policy_chars(regions: list[str], patterns: list[str], guardrail: bool, vpce: bool) -> int:
    """Upper estimate of the rendered developer policy size (no whitespace), mirroring main.tf."""
    account = "0" * 12
    part = _LONGEST_PARTITION
    models = [f"arn:{part}:bedrock:{r}::foundation-model/{p}" for r in regions for p in patterns]
    profiles = [f"arn:{part}:bedrock:{r}:{account}:inference-profile/*.{p}" for r in regions for p in patterns]
    routed = [f"arn:{part}:bedrock:*::foundation-model/{p}" for p in patterns]

    def quoted(items: list[str]) -> int:
        return sum(len(i) + 3 for i in items)

    invoke_actions = 130
    conditions = (170 if guardrail else 0) + (60 if vpce else 0)
    size = 60  # Version, Statement
    size += 80 + invoke_actions + quoted(models + profiles) + conditions
    size += 80 + invoke_actions + quoted(routed) + 60 + quoted(profiles) + conditions
    size += 200 if guardrail else 0
    size += 120 + quoted(models + profiles)
    size += 200 + quoted(regions)
    return size


def tfvars(config: Config, region: str) -> dict[str, Any]:
    patterns = list(config.allowed_model_patterns)
    size = estimated_policy_chars(list(config.regions), patterns, config.guardrails, config.privatelink)
    if size > MANAGED_POLICY_LIMIT:
        raise ConfigError(
            f"the developer policy for {len(config.regions)} regions and {len(patterns)} model patterns would be about "
            f"{size} characters, over the IAM managed policy limit of {MANAGED_POLICY_LIMIT}; "
            "use fewer or broader allowed_model_patterns (for example anthropic.claude-*) or fewer regions"
        )
    return {
        "bedrock_access_regions": list(config.regions),
        "bedrock_access_model_patterns": patterns,
        "bedrock_access_permissions_boundary_arn": config.permissions_boundary_arn,
        "bedrock_access_max_session_hours": session_hours(config),
    }
