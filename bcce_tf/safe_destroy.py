"""`bcce destroy` of one stack without losing data by accident.

1. Plan the destruction and show it.
2. Default: keep every resource that holds data (bcce_tf/retention.py) and destroy the rest with
   a targeted destroy; what is kept, what it holds and how to delete it later is printed and
   written to bcce-retained.json next to the stack's state.
3. --delete-data: empty every bucket (all versions and delete markers), destroy everything but
   the KMS keys, and only when that succeeded destroy the keys (which schedules their deletion).

Each step starts from what Terraform's state says now, so an interrupted or failed destroy is
finished by running it again, and a destroy with nothing left to do does nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcce_tf import bucket_data, retention
from bcce_tf.errors import DataProtectedError, TerraformError
from bcce_tf.fsutil import atomic_write_text

RETAINED_FILENAME = "bcce-retained.json"


@dataclass
class RetainedItem:
    address: str
    type: str
    name: str
    reason: str
    holds: str
    delete_hint: str


@dataclass
class DestroyOutcome:
    stack: str
    destroyed: list[str] = field(default_factory=list)
    retained: list[RetainedItem] = field(default_factory=list)
    emptied: dict[str, int] = field(default_factory=dict)  # bucket -> versions and markers deleted
    nothing_to_do: bool = False


def _clients(handle: Any) -> Any:
    from bcce_tf.aws import AwsClients

    runtime = handle.runtime
    return AwsClients(profile=runtime.profile, endpoint_url=runtime.endpoint_url, resilience=runtime.resilience,
                      correlation_id=runtime.correlation_id, environ=runtime.environ)


def _holds(resource: retention.Resource, clients: Any, region: str) -> str:
    if resource.type == "aws_s3_bucket":
        return bucket_data.contents(clients, region, retention.describe(resource)).describe()
    if resource.type == "aws_cloudwatch_log_group":
        days = resource.values.get("retention_in_days")
        return f"log events kept {days} days" if days else "log events kept forever"
    if resource.type == retention.KEY_TYPE:
        return "the key the retained data is encrypted with"
    if resource.type in ("aws_db_instance", "aws_rds_cluster"):
        return "database"
    if resource.type.startswith("aws_secretsmanager_secret"):
        return "secret value"
    return ""


def retained_items(split: retention.Retention, clients: Any, region: str) -> list[RetainedItem]:
    items = []
    for address, reason in split.retained.items():
        resource = split.resources[address]
        items.append(RetainedItem(address=address, type=resource.type, name=retention.describe(resource), reason=reason,
                                  holds=_holds(resource, clients, region), delete_hint=retention.delete_hint(resource)))
    return items


def write_retained(directory: Path, stack: str, correlation_id: str, items: list[RetainedItem]) -> Path:
    path = directory / RETAINED_FILENAME
    document = {
        "stack": stack, "run": correlation_id, "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "delete_with": "bcce destroy --delete-data",
        "retained": [item.__dict__ for item in items],
    }
    atomic_write_text(path, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return path


def _protected_databases(resources: dict[str, retention.Resource]) -> list[str]:
    return sorted(retention.describe(r) for r in resources.values()
                  if r.type in ("aws_db_instance", "aws_rds_cluster") and r.values.get("deletion_protection"))


def emptied_state(directory: Path) -> str | None:
    """Why the local state cannot be trusted, or None. Terraform rewrites terraform.tfstate in place
    (truncate, then write): a Terraform killed in between leaves it empty, which Terraform reads as
    "no resources" although its previous state, in terraform.tfstate.backup, still lists some."""
    current, previous = directory / "terraform.tfstate", directory / "terraform.tfstate.backup"
    try:
        if current.stat().st_size or not previous.stat().st_size:
            return None
        document = json.loads(previous.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or not document.get("resources"):
        return None
    return (f"{current} is empty (a Terraform run was stopped while writing it) but {previous.name} lists "
            f"{len(document['resources'])} resources; bring the state back with 'bcce state backups' and "
            "'bcce state restore BACKUP', then run the destroy again (nothing was deleted)")


def destroy(handle: Any, *, delete_data: bool, show: Callable[[Any], None] = lambda _: None,
            say: Callable[[str], None] = print) -> DestroyOutcome:
    from bcce_tf import stack, state_backups

    target = handle.target
    outcome = DestroyOutcome(stack=target.key)
    problem = emptied_state(Path(handle.directory))
    if problem:
        raise DataProtectedError(f"destroy of {target.key} refused: {problem}")
    state_backups.before(handle, "destroy")
    summary, document = stack.plan_destroy(handle)
    resources = retention.managed_resources(document)
    show(summary)
    clients = _clients(handle)
    retained_file = handle.directory / RETAINED_FILENAME
    if not resources:
        outcome.nothing_to_do = True
        retained_file.unlink(missing_ok=True)
        return outcome

    if not delete_data:
        split = retention.split(resources)
        if split.destroyed:
            stack.destroy(handle, targets=split.destroyed)
        outcome.destroyed = split.destroyed
        outcome.nothing_to_do = not split.destroyed
        outcome.retained = retained_items(split, clients, target.region)
        write_retained(handle.directory, target.key, handle.runtime.correlation_id, outcome.retained)
        return outcome

    protected = _protected_databases(resources)
    if protected:
        raise DataProtectedError(
            f"--delete-data refused for {target.key}: deletion protection is on for database {', '.join(protected)}; "
            "set dashboard.deletion_protection to false and run 'bcce apply' first (nothing was deleted)")
    # A bucket policy (TLS only, log delivery only) may refuse the deletes; the data it guards goes now anyway.
    policies = sorted(a for a, r in resources.items() if r.type == "aws_s3_bucket_policy")
    if policies:
        stack.destroy(handle, targets=policies)
    buckets = retention.buckets(resources)
    rest, keys = retention.delete_data_phases(resources)
    # Buckets that receive access logs fill up again while the buckets logging into them exist:
    # empty, destroy, and when S3 answers BucketNotEmpty, empty what arrived and destroy again.
    for round_ in range(1, 4):
        for name in buckets.values():
            def progress(n: int, name: str = name) -> None:
                say(f"  s3://{name}: {n} object versions and delete markers deleted")

            outcome.emptied[name] = outcome.emptied.get(name, 0) + bucket_data.empty(clients, target.region, name, on_progress=progress)
        if not rest:
            break
        try:
            stack.destroy(handle, targets=rest)
            break
        except TerraformError as exc:
            if "BucketNotEmpty" not in str(exc) or round_ == 3:
                raise
            say(f"  new objects arrived while destroying (access logs); emptying again (round {round_ + 1} of 3)")
    if keys:
        # From a fresh (refreshed) plan, not `state list`: after an interrupted destroy the state can
        # still name resources whose deletion reached AWS unrecorded; they are gone and hold nothing.
        _, fresh = stack.plan_destroy(handle)
        left = sorted(a for a in retention.managed_resources(fresh) if "." + retention.KEY_TYPE + "." not in "." + a)
        if left:
            raise DataProtectedError(f"the KMS keys of {target.key} are kept: resources that may be encrypted with them "
                                     f"are still in the state ({', '.join(left[:5])}); run 'bcce destroy --delete-data' again")
        stack.destroy(handle)  # only the keys are left: nothing encrypted with them exists any more
    outcome.destroyed = rest + keys
    retained_file.unlink(missing_ok=True)
    return outcome
