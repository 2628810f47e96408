"""Copies of a stack's Terraform state, taken before every apply and destroy, and their restore.

A backup is what `terraform state pull` returns (the same for the local and the S3 backend),
written with mode 0600 (the state holds secrets) to `<stack dir>/state-backups/` as
`<UTC time>-<operation>-serial<N>.tfstate`. A copy identical to the newest one is not written
again. The newest BCCE_STATE_BACKUPS_KEEP (default 10) are kept.

A restore backs up the current state first, then pushes the chosen backup with the serial raised
above the current one (`terraform state push` refuses an older serial) and the lock taken without
waiting: while another run holds the lock, nothing is written and DataProtectedError says who holds it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcce_tf.errors import DataProtectedError, TerraformError, UsageError

BACKUP_DIRNAME = "state-backups"
SUFFIX = ".tfstate"
KEEP_ENV = "BCCE_STATE_BACKUPS_KEEP"
DEFAULT_KEEP = 10
PUSH_FILENAME = ".bcce-restore.tfstate"
_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}\.\d{3}Z)-(?P<operation>[a-z-]+)-serial(?P<serial>\d+)\.tfstate$")


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: str  # 2026-12-04T18:20:00.123Z
    operation: str  # what it was taken before: apply, destroy, restore
    serial: int
    lineage: str
    resources: int  # managed resource instances in it

    @property
    def name(self) -> str:
        return self.path.name

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "taken": self.taken, "before": self.operation,
                "serial": self.serial, "lineage": self.lineage, "resources": self.resources}


# -- pure parts ---------------------------------------------------------------------------------

def backup_name(epoch: float, operation: str, serial: int) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"
    return f"{stamp}-{operation}-serial{serial}{SUFFIX}"


def is_backup_name(name: str) -> bool:
    return _NAME.match(name) is not None


def parse_state(data: bytes) -> dict[str, Any] | None:
    """The state document, or None when there is no state (empty output) or it is not a state."""
    if not data.strip():
        return None
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("serial"), int):
        return None
    if not isinstance(document.get("lineage"), str) or not document["lineage"]:
        return None  # the S3 backend answers a never-written state with serial 0 and no lineage
    return document


def resource_count(document: Mapping[str, Any]) -> int:
    return sum(len(resource.get("instances") or []) for resource in document.get("resources") or []
               if resource.get("mode") == "managed")


def describe(path: Path, document: Mapping[str, Any]) -> Backup:
    match = _NAME.match(path.name)
    assert match is not None
    stamp = match["stamp"]
    taken = f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[9:11]}:{stamp[11:13]}:{stamp[13:]}"
    return Backup(path=path, taken=taken, operation=match["operation"], serial=int(document["serial"]),
                  lineage=str(document.get("lineage", "")), resources=resource_count(document))


def to_prune(names: list[str], keep: int) -> list[str]:
    """The backups beyond the newest `keep` (names sort by time)."""
    ordered = sorted(name for name in names if is_backup_name(name))
    return ordered[: max(0, len(ordered) - keep)]


def push_document(backup: Mapping[str, Any], current: Mapping[str, Any] | None) -> dict[str, Any]:
    """The backup as it is pushed: same lineage and content, serial above the current state's."""
    if current is not None and current.get("lineage") != backup.get("lineage"):
        raise DataProtectedError(f"the backup is of another state (lineage {backup.get('lineage')}, the stack's state has "
                                 f"lineage {current.get('lineage')}): restoring it would orphan every resource of the "
                                 "current state; nothing was restored")
    serial = max(int(backup["serial"]), int(current["serial"]) if current else 0) + 1
    return {**backup, "serial": serial}


def keep_from_env(environ: Mapping[str, str]) -> int:
    from bcce_tf.resilience.settings import NumberSetting, parse_number

    raw = environ.get(KEEP_ENV, "").strip()
    if not raw:
        return DEFAULT_KEEP
    return int(parse_number(raw, NumberSetting("keep", KEEP_ENV, whole=True, minimum=1, meaning="backups"), source=KEEP_ENV))


# -- with the stack -----------------------------------------------------------------------------

def backup_dir(handle: Any) -> Path:
    return Path(handle.directory) / BACKUP_DIRNAME


def _terraform(handle: Any, argv: list[str]) -> Any:
    from bcce_tf import stack, terraform

    runtime = handle.runtime
    return terraform.run(terraform.executable(runtime.terraform_bin, runtime.environ), argv, handle.directory,
                         stack.terraform_env(runtime, handle.target))


def pull(handle: Any) -> bytes:
    """The stack's state now (`terraform state pull`, retried like every Terraform call)."""
    from bcce_tf import stack

    return stack._run(handle, "terraform-state", ["state", "pull"]).stdout.encode("utf-8")


def list_backups(handle: Any) -> list[Backup]:
    """The stack's backups, newest first (files that are not readable states are left out)."""
    directory = backup_dir(handle)
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.iterdir(), reverse=True):
        if not is_backup_name(path.name):
            continue
        document = parse_state(path.read_bytes())
        if document is not None:
            found.append(describe(path, document))
    return found


def take(handle: Any, operation: str, *, clock: Any = time.time) -> Backup | None:
    """Back up the stack's state before `operation`; None when there is no state yet or the newest
    backup holds the same bytes."""
    keep = keep_from_env(handle.runtime.environ)
    data = pull(handle)
    document = parse_state(data)
    if document is None:
        return None
    directory = backup_dir(handle)
    newest = list_backups(handle)
    if newest and newest[0].path.read_bytes() == data:
        return None
    from bcce_tf.fsutil import atomic_write_bytes

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / backup_name(clock(), operation, int(document["serial"]))
    atomic_write_bytes(path, data, mode=0o600)
    for name in to_prune([p.name for p in directory.iterdir()], keep):
        (directory / name).unlink(missing_ok=True)
    return describe(path, document)


def before(handle: Any, operation: str) -> Backup | None:
    """`take`, saying where the copy went."""
    from bcce_tf.logs import logger

    backup = take(handle, operation)
    if backup is not None:
        logger().info(f"{handle.target.key}: state (serial {backup.serial}, {backup.resources} resources) backed up to {backup.path}")
    return backup


def find(handle: Any, name: str) -> Backup | None:
    return next((backup for backup in list_backups(handle) if backup.name == name), None)


def restore(handle: Any, backup: Backup) -> tuple[Backup | None, int]:
    """Push `backup` as the stack's state; returns the backup taken of the state it replaced and the
    serial written. Refused (DataProtectedError) while the state lock is held."""
    from bcce_tf.resilience.classify import classify_terraform_output
    from bcce_tf.resilience.failure import FailureKind

    saved = take(handle, "restore")
    current = parse_state(pull(handle))
    document = push_document(json.loads(backup.path.read_bytes()), current)
    push_file = Path(handle.directory) / PUSH_FILENAME
    from bcce_tf.fsutil import atomic_write_text

    atomic_write_text(push_file, json.dumps(document, indent=2) + "\n", mode=0o600)
    try:
        result = _terraform(handle, ["state", "push", "-lock=true", "-lock-timeout=0s", PUSH_FILENAME])
    finally:
        push_file.unlink(missing_ok=True)
    if result.ok:
        return saved, int(document["serial"])
    failure = classify_terraform_output(result.stderr, result.stdout)
    if failure is not None and failure.kind is FailureKind.LOCKED:
        lock = failure.lock
        holder = (f"{lock.who or 'unknown'} (lock id {lock.id}, operation {lock.operation or 'unknown'}, since "
                  f"{lock.created or 'unknown'})") if lock else "another run"
        raise DataProtectedError(f"state of {handle.target.key} is locked by {holder}: nothing was restored; "
                                 "run the restore again once that run has finished")
    from bcce_tf.resilience.classify import error_diagnostics

    diagnostics = error_diagnostics(result.stdout)
    reason = diagnostics[0] if diagnostics else (result.stderr.strip() or result.stdout.strip())[-400:]
    raise TerraformError(command="state push", exit_code_tf=result.exit_code, reason=f"{backup.name} to {handle.target.key}: {reason}")


def locate(handles: list[Any], name: str) -> tuple[Any, Backup]:
    """The stack holding backup `name`; a name no stack holds, or more than one does, is a usage error."""
    found = [(handle, backup) for handle in handles if (backup := find(handle, name)) is not None]
    if not found:
        raise UsageError(f"no state backup named '{name}' in {', '.join(h.target.key for h in handles)}: "
                         "`bcce state backups` lists them")
    if len(found) > 1:
        raise UsageError(f"backup '{name}' exists in {', '.join(h.target.key for h, _ in found)}: choose one with --region")
    return found[0]
