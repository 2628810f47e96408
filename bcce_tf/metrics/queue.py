"""Data points not yet accepted by CloudWatch, kept in the state directory until a run sends them.

One JSON line per point: the target it is meant for (endpoint URL and profile, so a point made
against an emulator never goes to real AWS), and the point with its original timestamp. Every
access holds `<file>.lock`; every change rewrites the file atomically. The queue is bounded:
beyond `MAX_POINTS` the oldest points are dropped, and points older than CloudWatch accepts
(two weeks) are dropped when read, each time with a warning that says how many.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import filelock

from bcce_tf.metrics.points import Datum
from bcce_tf.resilience.breaker_store import default_state_path

QUEUE_FILE_NAME = "metrics-queue.jsonl"
MAX_POINTS = 20_000
# PutMetricData accepts timestamps up to two weeks in the past; keep a margin for the send itself.
MAX_AGE_SECONDS = 14 * 24 * 3600 - 600


def queue_path(environ: Mapping[str, str] | None = None) -> Path:
    return default_state_path(environ).parent / QUEUE_FILE_NAME


@dataclass(frozen=True)
class Target:
    endpoint_url: str = ""  # "" = AWS itself
    profile: str = ""  # "" = the default credential chain

    def describe(self) -> str:
        where = self.endpoint_url or "AWS"
        return where + (f" (profile {self.profile})" if self.profile else "")


@dataclass(frozen=True)
class Entry:
    target: Target
    datum: Datum

    def to_line(self) -> str:
        return json.dumps({"target": {"endpoint_url": self.target.endpoint_url, "profile": self.target.profile},
                           "point": self.datum.to_dict()}, sort_keys=True)

    @classmethod
    def from_line(cls, line: str) -> Entry:
        data = json.loads(line)
        target = data["target"]
        return cls(Target(str(target.get("endpoint_url") or ""), str(target.get("profile") or "")),
                   Datum.from_dict(data["point"]))


class MetricQueue:
    def __init__(self, path: Path | None = None, *, environ: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.time, max_points: int = MAX_POINTS,
                 warn: Callable[[str], None] | None = None, lock_timeout: float = 60.0) -> None:
        self.path = Path(path) if path is not None else queue_path(environ)
        self._lock = filelock.FileLock(f"{self.path}.lock", timeout=lock_timeout)
        self._clock = clock
        self.max_points = max_points
        self._warn = warn or (lambda message: None)

    @contextmanager
    def locked(self) -> Iterator[list[Entry]]:
        """The queued entries (expired ones left out) under the lock; the list as it is when the
        block ends is written back, atomically, if it changed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            entries, changed = self._load()
            before = list(entries)
            yield entries
            if changed or entries != before:
                self._save(entries)

    def add(self, target: Target, points: list[Datum]) -> None:
        if not points:
            return
        with self.locked() as entries:
            entries.extend(Entry(target, point) for point in points)

    def pending(self) -> list[Entry]:
        with self.locked() as entries:
            return list(entries)

    def _load(self) -> tuple[list[Entry], bool]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return [], False
        entries, damaged, expired = [], 0, 0
        oldest_allowed = self._clock() - MAX_AGE_SECONDS
        for line in lines:
            if not line.strip():
                continue
            try:
                entry = Entry.from_line(line)
            except (ValueError, KeyError, TypeError, AttributeError):
                damaged += 1
                continue
            if entry.datum.timestamp < oldest_allowed:
                expired += 1
                continue
            entries.append(entry)
        if damaged:
            self._warn(f"{self.path}: skipped {damaged} damaged line(s) of unsent metric data points")
        if expired:
            self._warn(f"{self.path}: dropped {expired} unsent metric data point(s) older than CloudWatch accepts (two weeks)")
        return entries, bool(damaged or expired)

    def save_locked(self, entries: list[Entry]) -> None:
        """Write `entries` now, inside a `locked()` block (a long send keeps what it already sent)."""
        self._save(entries)

    def _save(self, entries: list[Entry]) -> None:
        if len(entries) > self.max_points:
            dropped = len(entries) - self.max_points
            del entries[:dropped]
            self._warn(f"{self.path}: more than {self.max_points} unsent metric data points; dropped the {dropped} oldest")
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.writelines(entry.to_line() + "\n" for entry in entries)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
