"""What a stack deployed, read from its Terraform state (`terraform show -json`): the ids the live
checks look up. Only ids and names are kept; the rest of the state (secrets included) is dropped."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Per resource type, the attributes of its state the health checks need.
KEPT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "aws_kms_key": ("key_id", "arn", "enable_key_rotation"),
    "aws_s3_bucket": ("bucket", "arn", "server_side_encryption_configuration"),  # the block: generation 3
    "aws_s3_bucket_server_side_encryption_configuration": ("bucket", "rule"),  # generation 5
    "aws_cloudtrail": ("name", "arn", "enable_log_file_validation"),
    "aws_vpc_endpoint": ("id", "service_name", "vpc_endpoint_type", "private_dns_enabled"),
    "aws_kinesis_firehose_delivery_stream": ("name",),
    "aws_athena_workgroup": ("name",),
    "aws_glue_catalog_table": ("database_name", "name"),
    "aws_cloudwatch_metric_alarm": ("alarm_name",),
    "aws_budgets_budget": ("name", "account_id", "limit_amount", "limit_unit"),
    "aws_instance": ("id",),
    "aws_db_instance": ("identifier",),
    "aws_bedrock_guardrail": ("guardrail_id", "name"),
    "aws_ecs_service": ("name", "cluster", "desired_count"),
    "aws_cloudwatch_log_group": ("name", "retention_in_days"),
}


@dataclass(frozen=True)
class Resource:
    address: str
    type: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@dataclass(frozen=True)
class Inventory:
    stack: str  # <stack>-<region>
    region: str
    resources: tuple[Resource, ...] = ()
    terraform_version: str = ""
    arns: tuple[str, ...] = ()  # the `arn` of every managed resource of the state (orphans are tagged ones not here)

    def of(self, type_: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_]

    @property
    def empty(self) -> bool:
        return not self.resources


def _default_algorithm(rules: Any) -> str | None:
    for rule in rules or ():
        for default in rule.get("apply_server_side_encryption_by_default") or ():
            return default.get("sse_algorithm")
    return None


def declared_sse_algorithm(inventory: Inventory, bucket: str) -> str | None:
    """The default encryption the state declares for a bucket (None when the state does not say)."""
    for item in inventory.of("aws_s3_bucket"):
        if item.get("bucket") == bucket:
            for block in item.get("server_side_encryption_configuration") or ():
                found = _default_algorithm(block.get("rule"))
                if found:
                    return found
    for item in inventory.of("aws_s3_bucket_server_side_encryption_configuration"):
        if item.get("bucket") == bucket:
            return _default_algorithm(item.get("rule"))
    return None


def _walk(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from module.get("resources") or ()
    for child in module.get("child_modules") or ():
        yield from _walk(child)


def from_show_json(stack: str, region: str, shown: Mapping[str, Any]) -> Inventory:
    """The managed resources of a state as `terraform show -json` prints it (an empty state: `{}`)."""
    root = (shown.get("values") or {}).get("root_module") or {}
    kept = []
    arns = []
    for item in _walk(root):
        arn = (item.get("values") or {}).get("arn") if item.get("mode") == "managed" else None
        if isinstance(arn, str) and arn:
            arns.append(arn)
        if item.get("mode") != "managed" or item.get("type") not in KEPT_ATTRIBUTES:
            continue
        values = item.get("values") or {}
        kept.append(Resource(address=str(item.get("address", "")), type=str(item["type"]),
                             values={name: values.get(name) for name in KEPT_ATTRIBUTES[item["type"]]}))
    return Inventory(stack=stack, region=region, resources=tuple(kept),
                     terraform_version=str(shown.get("terraform_version", "")), arns=tuple(sorted(set(arns))))
