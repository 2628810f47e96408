"""Circuit breakers whose state outlives the process and is shared by concurrent processes.

closed -> open after `fail_max` consecutive failures; while open, calls fail fast with
CircuitOpenError; after `reset_timeout` seconds one caller, in one process, gets a half-open
probe; the probe's success closes the breaker, its failure opens it again.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from bcce_tf.errors import CircuitOpenError, ConfigError, CredentialsError, UsageError
from bcce_tf.resilience import breaker_record as rules
from bcce_tf.resilience.breaker_record import Admission, BreakerRecord, BreakerState, format_utc
from bcce_tf.resilience.breaker_store import (
    BreakerStore,
    BreakerUpdate,
    FileBreakerStore,
    default_state_path,
)
from bcce_tf.resilience.dynamodb_store import DynamoDBBreakerStore
from bcce_tf.resilience.settings import NumberSetting, check_settings, resolve_settings
from bcce_tf.resilience.text import shorten

__all__ = [
    "DEFAULT_EXCLUDE",
    "BreakerRecord",
    "BreakerSettings",
    "BreakerState",
    "BreakerStore",
    "BreakerUpdate",
    "CircuitBreaker",
    "DynamoDBBreakerStore",
    "FileBreakerStore",
    "breaker_name",
    "default_state_path",
    "format_utc",
    "list_breakers",
    "reset_all",
    "reset_breaker",
]

T = TypeVar("T")
TransitionCallback = Callable[[str, BreakerState, BreakerState], None]

# Errors that say nothing about the health of what the breaker guards.
DEFAULT_EXCLUDE: tuple[type[BaseException], ...] = (CredentialsError, ConfigError, UsageError)
DEFAULT_PROBE_LEASE = 900.0

_BREAKER_SETTINGS = (
    NumberSetting("fail_max", "BCCE_BREAKER_FAIL_MAX", whole=True, minimum=1, meaning="failures"),
    NumberSetting("reset_timeout", "BCCE_BREAKER_RESET_SECONDS", whole=False, minimum=0, meaning="seconds"),
)


@dataclass(frozen=True)
class BreakerSettings:
    fail_max: int = 5
    reset_timeout: float = 60

    def __post_init__(self) -> None:
        check_settings(_BREAKER_SETTINGS, self)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: object | None) -> BreakerSettings:
        """From BCCE_BREAKER_FAIL_MAX / BCCE_BREAKER_RESET_SECONDS; overrides (None = not given) win."""
        return cls(**resolve_settings(_BREAKER_SETTINGS, environ, overrides))  # type: ignore[arg-type]


def breaker_name(kind: str, *parts: str) -> str:
    """breaker_name("terraform-apply", "bcce", "us-east-1") -> "terraform-apply:bcce:us-east-1"."""
    pieces = [piece.strip() for piece in (kind, *parts)]
    if not all(pieces):
        raise ValueError(f"every part of a breaker name must be non-empty: {[kind, *parts]!r}")
    return ":".join(pieces)


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        store: BreakerStore,
        fail_max: int = 5,
        reset_timeout: float = 60,
        *,
        clock: Callable[[], float] = time.time,
        exclude: tuple[type[BaseException], ...] = DEFAULT_EXCLUDE,
        on_transition: TransitionCallback | None = None,
        probe_lease: float = DEFAULT_PROBE_LEASE,
    ) -> None:
        BreakerSettings(fail_max=fail_max, reset_timeout=reset_timeout)
        self.name = name
        self.fail_max = fail_max
        self.reset_timeout = reset_timeout
        self.probe_lease = probe_lease
        self._store = store
        self._clock = clock
        self._neutral: tuple[type[BaseException], ...] = (*exclude, CircuitOpenError)
        self._on_transition = on_transition
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    @classmethod
    def from_settings(cls, name: str, store: BreakerStore, settings: BreakerSettings, **options: Any) -> CircuitBreaker:
        return cls(name, store, settings.fail_max, settings.reset_timeout, **options)

    @property
    def record(self) -> BreakerRecord:
        return self._store.read(self.name) or BreakerRecord(name=self.name)

    @property
    def state(self) -> BreakerState:
        return self.record.state

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn` through the breaker. Any exception counts as a failure except those in
        `exclude` (and CircuitOpenError from a nested breaker), which leave the count alone."""
        self.admit()
        try:
            result = fn(*args, **kwargs)
        except self._neutral:
            self.release()
            raise
        except Exception as exc:
            self.record_failure(shorten(f"{type(exc).__name__}: {exc}"))
            raise
        except BaseException:
            self.release()
            raise
        self.record_success()
        return result

    def admit(self) -> None:
        """Return when a call may go ahead; raise CircuitOpenError otherwise. In half-open state
        this claims the single probe; end it with record_success, record_failure or release."""
        now = self._clock()
        update = self._apply(
            lambda record: rules.admit(
                record, now, reset_timeout=self.reset_timeout, probe_lease=self.probe_lease, owner=self._owner
            )
        )
        before = update.before or BreakerRecord(name=self.name)
        decision = rules.admission(before, now, reset_timeout=self.reset_timeout, probe_lease=self.probe_lease)
        if decision is Admission.REJECT:
            raise self._open_error(update.after)

    def check(self) -> None:
        """Raise CircuitOpenError when a call would be refused right now. Changes nothing: no probe
        is claimed, so a caller can fail fast before doing work that leads up to the call."""
        now = self._clock()
        record = self.record
        decision = rules.admission(record, now, reset_timeout=self.reset_timeout, probe_lease=self.probe_lease)
        if decision is Admission.REJECT:
            raise self._open_error(record)

    def record_success(self) -> None:
        now = self._clock()
        self._apply(lambda record: rules.after_success(record, now))

    def record_failure(self, reason: str) -> None:
        """Count a failure the caller gave up on (retries exhausted, an infrastructure error)."""
        now = self._clock()
        self._apply(
            lambda record: rules.after_failure(
                record, now, reason=reason, fail_max=self.fail_max, reset_timeout=self.reset_timeout
            )
        )

    def release(self) -> None:
        """End a probe without a verdict, so that the next caller may probe."""
        self._apply(lambda record: rules.release_probe(record, self._owner))

    def _apply(self, change: Callable[[BreakerRecord], BreakerRecord]) -> BreakerUpdate:
        update = self._store.update(self.name, change)
        _report(update, self._on_transition)
        return update

    def _open_error(self, record: BreakerRecord) -> CircuitOpenError:
        if record.state is BreakerState.HALF_OPEN and record.probe_started_at is not None:
            retry_at = record.probe_started_at + self.probe_lease
        else:
            retry_at = (record.opened_at or self._clock()) + self.reset_timeout
        return CircuitOpenError(
            name=self.name,
            opened_at=format_utc(record.opened_at),
            failures=record.failures,
            retry_at=format_utc(retry_at),
            state=record.state,
            last_failure_reason=record.last_failure_reason,
        )


def list_breakers(store: BreakerStore) -> list[BreakerRecord]:
    return sorted(store.read_all().values(), key=lambda record: record.name)


def reset_breaker(
    store: BreakerStore,
    name: str,
    *,
    clock: Callable[[], float] = time.time,
    on_transition: TransitionCallback | None = None,
) -> BreakerRecord:
    """Close the named breaker and clear its count. Unknown names raise UsageError."""
    known = sorted(store.read_all())
    if name not in known:
        listing = f"known: {', '.join(known)}" if known else "no circuit breakers have been recorded yet"
        raise UsageError(f"no circuit breaker named '{name}'; {listing}")
    now = clock()
    update = store.update(name, lambda record: rules.reset(record, now))
    _report(update, on_transition)
    return update.after


def reset_all(
    store: BreakerStore,
    *,
    clock: Callable[[], float] = time.time,
    on_transition: TransitionCallback | None = None,
) -> list[BreakerRecord]:
    return [reset_breaker(store, name, clock=clock, on_transition=on_transition) for name in sorted(store.read_all())]


def _report(update: BreakerUpdate, on_transition: TransitionCallback | None) -> None:
    old = update.before.state if update.before is not None else BreakerState.CLOSED
    if on_transition is not None and old is not update.after.state:
        on_transition(update.after.name, old, update.after.state)
