"""Where circuit breaker records live between runs: the store protocol and the file store."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple, Protocol

import filelock

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.fsutil import atomic_write_text
from bcce_tf.paths import STATE_DIR_ENV, state_file
from bcce_tf.resilience.breaker_record import BreakerRecord

STATE_FILE_NAME = "circuit-breakers.json"
_FILE_FORMAT = 1
_logger = logging.getLogger("bcce.resilience")

Change = Callable[[BreakerRecord], BreakerRecord]


class BreakerUpdate(NamedTuple):
    before: BreakerRecord | None  # None: the breaker had no record yet
    after: BreakerRecord


class BreakerStore(Protocol):
    """Breaker records, each changed by an atomic read-modify-write."""

    def read_all(self) -> dict[str, BreakerRecord]: ...

    def read(self, name: str) -> BreakerRecord | None: ...

    def update(self, name: str, change: Change) -> BreakerUpdate:
        """Apply `change` to the current record (a fresh closed one when there is none) and
        store the result, with no other writer in between. `change` must be pure: a store may
        call it again after losing a race."""
        ...


def default_state_path(environ: Mapping[str, str] | None = None) -> Path:
    """The breakers' file in the state directory (bcce_tf.paths owns where that is)."""
    return state_file(STATE_FILE_NAME, environ)


__all__ = ["STATE_DIR_ENV", "STATE_FILE_NAME", "BreakerStore", "BreakerUpdate", "Change", "FileBreakerStore",
           "default_state_path"]


class FileBreakerStore:
    """All records in one JSON file; every access holds an exclusive lock on `<file>.lock`.

    A file that cannot be read or parsed is moved aside to `<file>.corrupt-<time>` and the
    breakers start fresh, with a warning on the "bcce.resilience" logger.
    """

    def __init__(
        self,
        path: Path | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        lock_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path) if path is not None else default_state_path(environ)
        self._lock = filelock.FileLock(f"{self.path}.lock", timeout=lock_timeout)
        self._lock_timeout = lock_timeout
        self._clock = clock

    def read_all(self) -> dict[str, BreakerRecord]:
        with self._locked():
            return self._load()

    def read(self, name: str) -> BreakerRecord | None:
        return self.read_all().get(name)

    def update(self, name: str, change: Change) -> BreakerUpdate:
        with self._locked():
            records = self._load()
            before = records.get(name)
            current = before if before is not None else BreakerRecord(name=name)
            after = change(current)
            if after == current and before is not None:
                return BreakerUpdate(before, after)
            after = replace(after, version=current.version + 1)
            records[name] = after
            self._save(records)
            return BreakerUpdate(before, after)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                yield
        except filelock.Timeout as exc:
            raise EnvironmentProblem(
                f"could not lock {self.path} within {self._lock_timeout:.0f}s: another bcce process holds it"
            ) from exc
        except OSError as exc:
            raise _unusable(self.path, exc) from exc

    def _load(self) -> dict[str, BreakerRecord]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self._set_aside(f"unreadable ({exc})")
            return {}
        try:
            return _parse(raw)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self._set_aside(f"corrupt ({exc})")
            return {}

    def _save(self, records: dict[str, BreakerRecord]) -> None:
        document = {"format": _FILE_FORMAT, "breakers": {name: r.to_dict() for name, r in sorted(records.items())}}
        atomic_write_text(self.path, json.dumps(document, indent=2), 0o600)

    def _set_aside(self, problem: str) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self._clock()))
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{suffix}")
        os.replace(self.path, target)
        _logger.warning("circuit breaker state %s was %s; moved it to %s and started fresh", self.path, problem, target)


def _parse(raw: str) -> dict[str, BreakerRecord]:
    document = json.loads(raw)
    breakers = document["breakers"]
    if not isinstance(breakers, dict):
        raise TypeError("'breakers' is not an object")
    records = {name: BreakerRecord.from_dict(data) for name, data in breakers.items()}
    if any(record.name != name for name, record in records.items()):
        raise ValueError("a record's name differs from its key")
    return records


def _unusable(path: Path, exc: OSError) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"cannot use circuit breaker state at {path}: {exc}; set {STATE_DIR_ENV} to a writable directory"
    )
