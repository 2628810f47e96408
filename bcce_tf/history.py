"""Run records: one JSON line per bcce run, appended to a local history file.

Each record is one `write` of the whole line to a descriptor opened with O_APPEND, so the kernel
places it at the end of the file in one piece: two bcce processes writing at once never interleave
or overwrite each other's lines. The append also holds a lock file, which orders the appends with
rotation: when the file would grow past BCCE_HISTORY_MAX_BYTES (default 10 MiB) it is renamed to
`runs.jsonl.1` (the previous `.1` to `.2`, and so on; BCCE_HISTORY_KEEP files are kept, default 3)
and a new file is started. Reading skips a damaged line with a warning naming the file and line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock

from bcce_tf.paths import state_file

MAX_BYTES_ENV = "BCCE_HISTORY_MAX_BYTES"
KEEP_ENV = "BCCE_HISTORY_KEEP"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_KEEP = 3
LOCK_TIMEOUT_SECONDS = 30



def history_path(environ: dict[str, str] | None = None) -> Path:
    return state_file("runs.jsonl", environ)


@dataclass
class RunRecord:
    operation: str
    correlation_id: str
    start: str
    end: str = ""
    outcome: str = "running"
    exit_code: int | None = None
    stack: str = ""
    regions: list[str] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    breaker_transitions: list[dict[str, str]] = field(default_factory=list)
    readiness_score: int | None = None
    drifted_resources: int | None = None  # bcce drift: resources changed outside Terraform (None: not a drift run)
    error: str = ""
    duration: float = 0.0  # seconds from start to end
    forced: dict[str, Any] | None = None  # the readiness gate overridden with --force: who, when, score, failures
    aws_clients: list[dict[str, Any]] = field(default_factory=list)  # client_stats.run_snapshot(), per service and region


@dataclass(frozen=True)
class Rotation:
    max_bytes: int = DEFAULT_MAX_BYTES  # the current file is rotated before it would grow past this
    keep: int = DEFAULT_KEEP  # rotated files kept: runs.jsonl.1 (newest) .. runs.jsonl.<keep>


@dataclass(frozen=True)
class Damaged:
    path: Path
    line: int  # 1-based
    reason: str

    def message(self) -> str:
        return f"{self.path}:{self.line}: damaged run record skipped ({self.reason})"


def rotation_from_env(environ: Mapping[str, str]) -> tuple[Rotation, list[str]]:
    """The rotation settings, and one warning per variable that is set but not valid (its default
    is used instead: recording the run matters more than the setting)."""
    from bcce_tf.resilience.settings import NumberSetting, parse_number

    settings = {
        "max_bytes": (NumberSetting("max_bytes", MAX_BYTES_ENV, whole=True, minimum=1024, meaning="bytes"), DEFAULT_MAX_BYTES),
        "keep": (NumberSetting("keep", KEEP_ENV, whole=True, minimum=1, meaning="rotated files"), DEFAULT_KEEP),
    }
    values: dict[str, int] = {}
    warnings: list[str] = []
    for name, (setting, default) in settings.items():
        raw = environ.get(setting.env_var or "", "").strip()
        values[name] = default
        if raw:
            try:
                values[name] = int(parse_number(raw, setting, source=setting.env_var or name))
            except Exception as exc:  # noqa: BLE001 - UsageError carries the message
                warnings.append(f"{exc}; using {default}")
    return Rotation(**values), warnings


def encode(record: RunRecord | Mapping[str, Any]) -> bytes:
    data = asdict(record) if isinstance(record, RunRecord) else dict(record)
    return (json.dumps(data, sort_keys=True) + "\n").encode("utf-8")


def rotated_path(path: Path, index: int) -> Path:
    return path.with_name(f"{path.name}.{index}")


def needs_rotation(current_size: int, line_size: int, rotation: Rotation) -> bool:
    """True when appending the line would take a non-empty file past the limit."""
    return current_size > 0 and current_size + line_size > rotation.max_bytes


def rotation_moves(path: Path, rotation: Rotation) -> list[tuple[Path, Path]]:
    """The renames of one rotation, in the order to make them: the oldest kept file is replaced
    first, the current file last (to `.1`)."""
    moves = [(rotated_path(path, index - 1), rotated_path(path, index)) for index in range(rotation.keep, 1, -1)]
    moves.append((path, rotated_path(path, 1)))
    return moves


def append(record: RunRecord, path: Path | None = None, rotation: Rotation | None = None) -> None:
    environ = dict(os.environ)
    target = path or history_path(environ)
    if rotation is None:
        rotation, warnings = rotation_from_env(environ)
        if warnings:
            from bcce_tf.logs import logger

            for warning in warnings:
                logger().warning(warning)
    line = encode(record)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock", timeout=LOCK_TIMEOUT_SECONDS):
        try:
            size = target.stat().st_size
        except FileNotFoundError:
            size = 0
        if needs_rotation(size, len(line), rotation):
            for source, destination in rotation_moves(target, rotation):
                if source.exists():
                    os.replace(source, destination)
        _append_line(target, line)


def _append_line(target: Path, line: bytes) -> None:
    """One write of the whole line with O_APPEND (a regular file takes it in one piece)."""
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        written = os.write(fd, line)
        if written != len(line):  # a full disk: say so rather than leave half a record unexplained
            raise OSError(f"only {written} of {len(line)} bytes of the run record were written to {target}")
    finally:
        os.close(fd)


def parse_lines(data: bytes, path: Path) -> tuple[list[dict[str, Any]], list[Damaged]]:
    """The records of one history file, oldest first, and the lines that are not records."""
    records: list[dict[str, Any]] = []
    damaged: list[Damaged] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            damaged.append(Damaged(path, number, "not UTF-8"))
            continue
        except json.JSONDecodeError as exc:
            damaged.append(Damaged(path, number, f"not JSON: {exc.msg} at column {exc.colno}"))
            continue
        problem = shape_problem(value)
        if problem:
            damaged.append(Damaged(path, number, problem))
            continue
        records.append(value)
    return records, damaged


# The fields whose type readers rely on (doctor, metrics), and the JSON types they may have.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "operation": (str,),
    "correlation_id": (str,),
    "start": (str,),
    "end": (str,),
    "outcome": (str,),
    "exit_code": (int, type(None)),
    "regions": (list,),
    "attempts": (dict,),
    "breaker_transitions": (list,),
    "readiness_score": (int, float, type(None)),
    "drifted_resources": (int, type(None)),
    "duration": (int, float),
    "forced": (dict, type(None)),
}


def shape_problem(value: Any) -> str:
    """Why a parsed line is not a run record ("" when it is one)."""
    if not isinstance(value, dict):
        return f"a JSON {type(value).__name__}, not an object"
    if not isinstance(value.get("operation"), str) or not isinstance(value.get("correlation_id"), str):
        return "no operation or correlation_id"
    for name, types in _FIELD_TYPES.items():
        if name in value and (not isinstance(value[name], types) or isinstance(value[name], bool) and bool not in types):
            return f"field {name} is a {type(value[name]).__name__}"
    attempts = value.get("attempts") or {}
    if not all(isinstance(count, int) and not isinstance(count, bool) for count in attempts.values()):
        return "field attempts holds a count that is not a whole number"
    return ""


def history_files(path: Path, keep: int) -> list[Path]:
    """The current file and the rotated ones that exist, newest first."""
    candidates = [path, *(rotated_path(path, index) for index in range(1, keep + 1))]
    return [candidate for candidate in candidates if candidate.exists()]


def read_with_damage(path: Path | None = None, limit: int = 50) -> tuple[list[dict[str, Any]], list[Damaged]]:
    """The last `limit` records, oldest first, taken from the current file and, when it holds fewer,
    from the rotated ones; and the damaged lines met on the way."""
    environ = dict(os.environ)
    target = path or history_path(environ)
    rotation, _ = rotation_from_env(environ)
    newest_first: list[list[dict[str, Any]]] = []
    damage: list[Damaged] = []
    count = 0
    for file in history_files(target, max(rotation.keep, DEFAULT_KEEP)):
        if count >= limit:
            break
        try:
            data = file.read_bytes()
        except FileNotFoundError:  # rotated away between listing and reading
            continue
        records, damaged = parse_lines(data, file)
        newest_first.append(records)
        damage += damaged
        count += len(records)
    ordered = [record for records in reversed(newest_first) for record in records]
    return ordered[-limit:] if limit else [], damage


def read(path: Path | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The last `limit` records; each damaged line is skipped with a warning naming file and line."""
    records, damage = read_with_damage(path, limit)
    if damage:
        from bcce_tf.logs import logger

        for item in damage:
            logger().warning(item.message())
    return records
