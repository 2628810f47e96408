"""Run records: one JSON line per bcce run, appended to a local history file."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock

from bcce_tf.paths import state_file


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
    error: str = ""
    duration: float = 0.0  # seconds from start to end
    forced: dict[str, Any] | None = None  # the readiness gate overridden with --force: who, when, score, failures


def append(record: RunRecord, path: Path | None = None) -> None:
    target = path or history_path(dict(os.environ))
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock", timeout=30):
        with target.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(record), sort_keys=True) + "\n")


def read(path: Path | None = None, limit: int = 50) -> list[dict[str, Any]]:
    target = path or history_path(dict(os.environ))
    if not target.exists():
        return []
    records = []
    for line in target.read_text(encoding="utf-8").splitlines()[-limit:]:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
