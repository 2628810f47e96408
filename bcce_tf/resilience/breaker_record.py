"""A circuit breaker's persisted record and the pure rules that move it between states.

Every rule takes the record and the current time and returns the next record; stores apply
them atomically, so concurrent processes see one consistent sequence of changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class Admission(StrEnum):
    PASS = "pass"  # closed: go ahead
    PROBE = "probe"  # this caller gets the single trial call
    REJECT = "reject"  # fail fast


@dataclass(frozen=True)
class BreakerRecord:
    name: str
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0  # consecutive failures; a success resets it
    opened_at: float | None = None  # epoch seconds
    retry_at: float | None = None  # when a probe is allowed (open) or the probe's lease ends (half-open)
    last_failure_reason: str | None = None
    last_transition: str | None = None  # e.g. "closed -> open"
    last_transition_at: float | None = None
    probe_owner: str | None = None  # token of the caller holding the half-open probe
    probe_started_at: float | None = None
    version: int = 0  # bumped on every write; DynamoDB uses it for conditional writes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BreakerRecord:
        """Raises ValueError or TypeError on a malformed record; unknown keys are ignored."""
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError("breaker record without a name")
        return cls(
            name=name,
            state=BreakerState(data.get("state", BreakerState.CLOSED)),
            failures=int(data.get("failures", 0)),
            opened_at=_optional_float(data.get("opened_at")),
            retry_at=_optional_float(data.get("retry_at")),
            last_failure_reason=_optional_str(data.get("last_failure_reason")),
            last_transition=_optional_str(data.get("last_transition")),
            last_transition_at=_optional_float(data.get("last_transition_at")),
            probe_owner=_optional_str(data.get("probe_owner")),
            probe_started_at=_optional_float(data.get("probe_started_at")),
            version=int(data.get("version", 0)),
        )


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def format_utc(timestamp: float | None) -> str:
    """ISO-8601 UTC, to the second; "-" for no time."""
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def admission(record: BreakerRecord, now: float, *, reset_timeout: float, probe_lease: float) -> Admission:
    if record.state is BreakerState.CLOSED:
        return Admission.PASS
    if record.state is BreakerState.OPEN:
        opened_at = record.opened_at if record.opened_at is not None else now
        return Admission.PROBE if now >= opened_at + reset_timeout else Admission.REJECT
    # Half-open: the probe is free when released, or when its holder outlived the lease
    # (a process that died mid-probe must not keep the breaker shut for good).
    if record.probe_owner is None or record.probe_started_at is None:
        return Admission.PROBE
    return Admission.PROBE if now >= record.probe_started_at + probe_lease else Admission.REJECT


def admit(record: BreakerRecord, now: float, *, reset_timeout: float, probe_lease: float, owner: str) -> BreakerRecord:
    if admission(record, now, reset_timeout=reset_timeout, probe_lease=probe_lease) is not Admission.PROBE:
        return record
    probing = replace(record, probe_owner=owner, probe_started_at=now, retry_at=now + probe_lease)
    return _moved(probing, BreakerState.HALF_OPEN, now)


def after_success(record: BreakerRecord, now: float) -> BreakerRecord:
    closed = replace(record, failures=0, opened_at=None, retry_at=None, probe_owner=None, probe_started_at=None)
    return _moved(closed, BreakerState.CLOSED, now)


def after_failure(
    record: BreakerRecord, now: float, *, reason: str, fail_max: int, reset_timeout: float
) -> BreakerRecord:
    counted = replace(record, failures=record.failures + 1, last_failure_reason=reason)
    trips = record.state is BreakerState.HALF_OPEN or (
        record.state is BreakerState.CLOSED and counted.failures >= fail_max
    )
    if not trips:
        return counted
    opened = replace(counted, opened_at=now, retry_at=now + reset_timeout, probe_owner=None, probe_started_at=None)
    return _moved(opened, BreakerState.OPEN, now)


def release_probe(record: BreakerRecord, owner: str) -> BreakerRecord:
    """Give back a probe that ended without a verdict (an excluded error, an interrupt)."""
    if record.state is not BreakerState.HALF_OPEN or record.probe_owner != owner:
        return record
    return replace(record, probe_owner=None, probe_started_at=None, retry_at=None)


def reset(record: BreakerRecord, now: float) -> BreakerRecord:
    fresh = BreakerRecord(
        name=record.name,
        state=record.state,
        last_transition=record.last_transition,
        last_transition_at=record.last_transition_at,
        version=record.version,
    )
    moved = _moved(fresh, BreakerState.CLOSED, now)
    if moved is fresh:
        return moved
    return replace(moved, last_transition=f"{moved.last_transition} (reset)")


def _moved(record: BreakerRecord, state: BreakerState, now: float) -> BreakerRecord:
    if record.state is state:
        return record
    return replace(record, state=state, last_transition=f"{record.state} -> {state}", last_transition_at=now)
