"""Writing into a developer's files: merged, never clobbered, a backup of what was there, and no
write at all when nothing changes (a second run leaves the file byte-identical)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bcce_tf.errors import UsageError
from bcce_tf.fsutil import atomic_write_text


@dataclass(frozen=True)
class Written:
    path: Path
    changed: bool
    backup: Path | None


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_json_object(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}); fix or move it, nothing was written") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path} holds a JSON {type(data).__name__}, not an object; fix or move it, nothing was written")
    return data


def backup_name(path: Path, now: datetime) -> Path:
    return path.with_name(f"{path.name}.{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}.bak")


def write_merged_text(path: Path, text: str, *, now: Callable[[], datetime], mode: int = 0o644) -> Written:
    """Write text unless the file holds it already; the previous content is kept as a backup beside it."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    if old == text.encode("utf-8"):
        return Written(path, False, None)
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if old is not None:
        backup = backup_name(path, now())
        atomic_write_text(backup, old.decode("utf-8", errors="surrogateescape"), mode=0o600)
    atomic_write_text(path, text, mode=mode)
    return Written(path, True, backup)
