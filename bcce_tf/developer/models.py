"""Which Claude model ids a developer's settings name: inference profile ids the deployed policy allows.

Claude Code on Bedrock calls models through inference profiles: the model id with a geography
prefix (`us.`, `eu.`, `apac.`) or the `global.` prefix (Bedrock user guide, "Supported Regions and
models for inference profiles"). The catalogue below lists, per Claude Code model tier (opus, sonnet,
haiku), real Anthropic model ids newest first and the prefixes AWS offers a system-defined profile
for. The deployed policy decides: an id is chosen only when the policy document allows invoking its
inference profile ARN in the stack's region.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TIERS = ("opus", "sonnet", "haiku")


@dataclass(frozen=True)
class Model:
    tier: str
    model_id: str
    prefixes: tuple[str, ...]  # geographies with a system-defined cross-region inference profile


CATALOGUE: tuple[Model, ...] = (
    Model("opus", "anthropic.claude-opus-4-5-20251101-v1:0", ("us", "eu", "global")),
    Model("opus", "anthropic.claude-opus-4-1-20250805-v1:0", ("us",)),
    Model("sonnet", "anthropic.claude-sonnet-4-5-20250929-v1:0", ("us", "eu", "global")),
    Model("sonnet", "anthropic.claude-sonnet-4-20250514-v1:0", ("us", "eu", "apac", "global")),
    Model("sonnet", "anthropic.claude-3-7-sonnet-20250219-v1:0", ("us", "eu", "apac")),
    Model("haiku", "anthropic.claude-haiku-4-5-20251001-v1:0", ("us", "eu", "global")),
    Model("haiku", "anthropic.claude-3-5-haiku-20241022-v1:0", ("us",)),
)

INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")


def geography(region: str) -> str | None:
    """The inference profile prefix of a region's geography; None where bcce knows none."""
    if region.startswith(("us-gov-", "cn-")):
        return None
    if region.startswith(("us-", "ca-")):
        return "us"
    if region.startswith("eu-"):
        return "eu"
    if region.startswith("ap-"):
        return "apac"
    return None


def profile_arn(partition: str, region: str, account: str, profile_id: str) -> str:
    return f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{profile_id}"


def _glob(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def policy_allows_profile(policy: Mapping[str, Any], arn: str) -> bool:
    """Whether an Allow statement of the policy lets InvokeModel and InvokeModelWithResponseStream
    reach this inference profile ARN and no Deny statement names it. Conditions (guardrail, VPC
    endpoint) are the request's business: the settings attach the guardrail, the network the endpoint."""
    allowed: set[str] = set()
    for statement in _as_list(policy.get("Statement", [])):
        actions = [a.lower() for a in _as_list(statement.get("Action", []))]
        resources = _as_list(statement.get("Resource", []))
        hits = {a for a in INVOKE_ACTIONS if any(_glob(p, a.lower()) for p in actions)}
        if not hits or not any(_glob(r, arn) for r in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed |= hits
    return allowed == set(INVOKE_ACTIONS)


def parse_policy(value: Any) -> Mapping[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Choice:
    tier: str
    model_id: str
    profile_id: str


def choose(policy: Mapping[str, Any], partition: str, region: str, account: str,
           catalogue: Sequence[Model] = CATALOGUE) -> dict[str, Choice]:
    """Per tier, the newest catalogued model whose inference profile (the region's geography first,
    then `global.`) the policy allows in this region. A tier the policy allows nothing of is absent."""
    geo = geography(region)
    chosen: dict[str, Choice] = {}
    for tier in TIERS:
        for model in (m for m in catalogue if m.tier == tier):
            prefixes = [p for p in (geo, "global") if p is not None and p in model.prefixes]
            for prefix in prefixes:
                profile_id = f"{prefix}.{model.model_id}"
                if policy_allows_profile(policy, profile_arn(partition, region, account, profile_id)):
                    chosen[tier] = Choice(tier, model.model_id, profile_id)
                    break
            if tier in chosen:
                break
    return chosen
