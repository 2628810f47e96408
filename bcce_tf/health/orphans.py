"""Orphans: resources in the account that carry the stack's tags (ManagedBy=bcce, Stack,
Organization) but that no stack's state knows, e.g. a create whose answer was lost, or a state
restored from an older copy. Found with the Resource Groups Tagging API (tag:GetResources)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bcce_tf.health.inventory import Inventory
from bcce_tf.readiness.checks.base import CheckContext, Outcome

MAX_PAGES = 100


@dataclass(frozen=True)
class Orphan:
    arn: str
    tags: Mapping[str, str]

    @property
    def service(self) -> str:
        parts = self.arn.split(":", 5)
        return parts[2] if len(parts) > 2 else ""

    @property
    def resource(self) -> str:
        return self.arn.split(":", 5)[-1]


def normalize_arn(arn: str) -> str:
    """An ARN as both the tagging API and the state can spell it (log groups: without ':*')."""
    return arn[:-2] if arn.endswith(":*") else arn


def stack_tag_filters(stack_name: str, organization_id: str) -> list[dict[str, Any]]:
    return [{"Key": "ManagedBy", "Values": ["bcce"]}, {"Key": "Stack", "Values": [stack_name]},
            {"Key": "Organization", "Values": [organization_id]}]


def find_orphans(tagged: Iterable[Mapping[str, Any]], known_arns: Iterable[str]) -> list[Orphan]:
    """The tagged resources (GetResources' ResourceTagMappingList items) whose ARN no state holds."""
    known = {normalize_arn(arn) for arn in known_arns}
    found = {}
    for item in tagged:
        arn = str(item.get("ResourceARN", ""))
        if arn and normalize_arn(arn) not in known:
            tags = {str(t.get("Key")): str(t.get("Value")) for t in item.get("Tags") or ()}
            found[arn] = Orphan(arn=arn, tags=tags)
    return [found[arn] for arn in sorted(found)]


def delete_hint(orphan: Orphan) -> str:
    """How to get rid of an orphan the config does not declare (or to import it when it does)."""
    resource = orphan.resource
    if orphan.service == "s3" and "/" not in resource:
        return f"aws s3 rb s3://{resource} (after emptying it)"
    if orphan.service == "kms" and resource.startswith("key/"):
        return f"aws kms schedule-key-deletion --key-id {resource[4:]}"
    if orphan.service == "logs" and resource.startswith("log-group:"):
        return f"aws logs delete-log-group --log-group-name {resource[len('log-group:'):]}"
    return f"delete {orphan.arn} in the {orphan.service} console or CLI"


def describe_orphans(orphans: Sequence[Orphan]) -> str:
    return "; ".join(f"{o.arn} ({delete_hint(o)})" for o in orphans)


def tagged_resources(ctx: CheckContext, region: str, filters: list[dict[str, Any]]) -> list[Mapping[str, Any]]:
    items: list[Mapping[str, Any]] = []
    token = ""
    for _ in range(MAX_PAGES):
        answer = ctx.call("resourcegroupstaggingapi", region, "get_resources", TagFilters=filters,
                          **({"PaginationToken": token} if token else {}))
        items += answer.get("ResourceTagMappingList") or []
        token = answer.get("PaginationToken") or ""
        if not token:
            return items
    raise RuntimeError(f"tag:GetResources kept paginating past {MAX_PAGES} pages")


def orphans_check(ctx: CheckContext, inventory: Inventory, known_arns: tuple[str, ...]) -> Outcome:
    """`known_arns`: the ARNs in every stack's state of this run (an S3 bucket shows in every region)."""
    config = ctx.config
    tagged = tagged_resources(ctx, inventory.region, stack_tag_filters(config.stack_name, config.organization_id))
    orphans = find_orphans(tagged, known_arns)
    if not orphans:
        return Outcome.passed(f"{len(tagged)} resource(s) tagged Stack={config.stack_name}, "
                              f"Organization={config.organization_id} in {inventory.region}: every one is in a state")
    return Outcome.warning(
        f"{len(orphans)} resource(s) tagged by this stack are in no state (no run id tag to say which run made them): "
        + describe_orphans(orphans),
        "if the config declares it, bring it into the state with terraform import <address> <id> in "
        f".bcce/stacks/{inventory.stack}; otherwise delete it as shown")
