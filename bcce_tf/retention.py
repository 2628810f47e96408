"""Which resources of a stack hold data, and how a destroy keeps them: pure functions over the
`prior_state` of a `terraform show -json` plan document (or a state document).

Retention is a targeted destroy of everything else. The retained resources stay in the state, so
the state keeps matching the account: a later `bcce apply` adopts them again without conflicts, and
`bcce destroy --delete-data` finds them. Targeting a resource also destroys what depends on it, so
the retained set is closed over dependencies: whatever a retained resource depends on (the KMS key
it is encrypted with, the bucket it logs to, the network a database lives in) is retained too, and
no destroyed resource is ever a dependency of a kept one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Resources whose deletion deletes data: bucket objects, log events, database rows, secret values.
DATA_TYPES = frozenset({
    "aws_s3_bucket",
    "aws_cloudwatch_log_group",
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_secretsmanager_secret",
    "aws_secretsmanager_secret_version",
    "aws_dynamodb_table",
})
# Resources that protect or name a retained resource; destroying them would leave it exposed or
# unfindable (a bucket without its TLS-only policy or public access block, a key without its alias).
COMPANION_PREFIXES = ("aws_s3_bucket_", "aws_kms_alias", "aws_secretsmanager_secret_")
KEY_TYPE = "aws_kms_key"


@dataclass(frozen=True)
class Resource:
    address: str
    type: str
    values: Mapping[str, Any]
    depends_on: tuple[str, ...]


@dataclass
class Retention:
    """The destroy split: what is kept (with why) and what is destroyed."""

    retained: dict[str, str] = field(default_factory=dict)  # address -> reason
    destroyed: list[str] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)

    def keys(self) -> list[str]:
        return sorted(a for a in self.resources if self.resources[a].type == KEY_TYPE)


def _walk(module: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _walk(child)


def managed_resources(document: Mapping[str, Any]) -> dict[str, Resource]:
    """Managed resources of a plan's prior_state, or of a state document; data sources left out."""
    state = document.get("prior_state", document) if "prior_state" in document else document
    root = (state.get("values") or {}).get("root_module") or {}
    found = {}
    for item in _walk(root):
        if item.get("mode") != "managed":
            continue
        found[item["address"]] = Resource(
            address=item["address"], type=item.get("type", ""), values=item.get("values") or {},
            depends_on=tuple(item.get("depends_on") or ()),
        )
    return found


def _base(address: str) -> str:
    """The resource address without an instance key: module.a.aws_x.y["k"] -> module.a.aws_x.y."""
    return address.split("[", 1)[0] if address.endswith("]") else address


def _deps(resource: Resource, by_base: Mapping[str, list[str]]) -> set[str]:
    out: set[str] = set()
    for dep in resource.depends_on:
        out.update(by_base.get(_base(dep), []))
        out.update(by_base.get(dep, []))
    return out


def split(resources: Mapping[str, Resource]) -> Retention:
    """Retain every data-holding resource, its companions, and everything they depend on."""
    by_base: dict[str, list[str]] = {}
    for address in resources:
        by_base.setdefault(_base(address), []).append(address)
        by_base.setdefault(address, [])
    retained: dict[str, str] = {a: "holds data" for a, r in resources.items() if r.type in DATA_TYPES}
    changed = True
    while changed:
        changed = False
        for address, resource in resources.items():
            if address in retained:
                for dep in sorted(_deps(resource, by_base)):
                    if dep not in retained and resources[dep].type not in ("",):
                        reason = "encrypts retained data" if resources[dep].type == KEY_TYPE else f"needed by {address}"
                        retained[dep] = reason
                        changed = True
            elif resource.type.startswith(COMPANION_PREFIXES) and _deps(resource, by_base) & retained.keys():
                owner = sorted(_deps(resource, by_base) & retained.keys())[0]
                retained[address] = f"protects {owner}"
                changed = True
    destroyed = sorted(a for a in resources if a not in retained)
    return Retention(retained=dict(sorted(retained.items())), destroyed=destroyed, resources=dict(resources))


def delete_data_phases(resources: Mapping[str, Resource]) -> tuple[list[str], list[str]]:
    """--delete-data in two destroys: everything but the KMS keys first, then the keys, so a key
    is scheduled for deletion only once nothing encrypted with it exists any more."""
    keys = sorted(a for a, r in resources.items() if r.type == KEY_TYPE)
    rest = sorted(a for a in resources if a not in keys)
    return rest, keys


def buckets(resources: Mapping[str, Resource], addresses: Iterable[str] | None = None) -> dict[str, str]:
    """address -> bucket name of the S3 buckets among `addresses` (default: all)."""
    chosen = resources.keys() if addresses is None else addresses
    return {a: str(resources[a].values.get("bucket") or resources[a].values.get("id") or "")
            for a in sorted(chosen) if resources[a].type == "aws_s3_bucket"}


def describe(resource: Resource) -> str:
    """The name a person finds the resource by in the console."""
    v = resource.values
    for key in ("bucket", "name", "identifier", "key_id", "arn", "id"):
        if v.get(key):
            return str(v[key])
    return resource.address


def delete_hint(resource: Resource) -> str:
    """How to delete one retained resource later, by hand, if not with `bcce destroy --delete-data`."""
    v = resource.values
    if resource.type == "aws_s3_bucket":
        return f"empty every version, then: aws s3api delete-bucket --bucket {v.get('bucket')}"
    if resource.type == "aws_cloudwatch_log_group":
        return f"aws logs delete-log-group --log-group-name {v.get('name')}"
    if resource.type == KEY_TYPE:
        return f"after everything it encrypts is gone: aws kms schedule-key-deletion --key-id {v.get('key_id')}"
    if resource.type == "aws_db_instance":
        return f"aws rds delete-db-instance --db-instance-identifier {v.get('identifier')} --final-db-snapshot-identifier {v.get('identifier')}-final"
    if resource.type == "aws_secretsmanager_secret":
        return f"aws secretsmanager delete-secret --secret-id {v.get('arn') or v.get('id')}"
    return f"terraform destroy -target='{resource.address}'"
