"""The AWS clients readiness runs with: the caller's profile, endpoint and breakers, a short retry
budget, and tight timeouts, so that an API that does not answer makes its check "not checked"
instead of holding the gate for minutes."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import replace

from bcce_tf.aws import AwsClients
from bcce_tf.resilience.breaker_record import BreakerRecord
from bcce_tf.resilience.breaker_store import BreakerUpdate, Change
from bcce_tf.resilience.guard import Resilience
from bcce_tf.resilience.policy import RetryEvent, RetryPolicy

PROBE_MAX_ATTEMPTS = 2
PROBE_MAX_SECONDS = 15.0
PROBE_INITIAL_WAIT = 0.5
PROBE_MAX_WAIT = 2.0
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0


class MemoryBreakerStore:
    """Breaker records that live and die with the process: nothing is read from or written to disk."""

    def __init__(self) -> None:
        self._records: dict[str, BreakerRecord] = {}
        self._lock = threading.Lock()

    def read_all(self) -> dict[str, BreakerRecord]:
        with self._lock:
            return dict(self._records)

    def read(self, name: str) -> BreakerRecord | None:
        with self._lock:
            return self._records.get(name)

    def update(self, name: str, change: Change) -> BreakerUpdate:
        with self._lock:
            before = self._records.get(name)
            current = before if before is not None else BreakerRecord(name=name)
            after = change(current)
            if after == current and before is not None:
                return BreakerUpdate(before, after)
            after = replace(after, version=current.version + 1)
            self._records[name] = after
            return BreakerUpdate(before, after)


def probe_policy(policy: RetryPolicy) -> RetryPolicy:
    """The caller's retry policy, capped for quick probes."""
    initial = min(policy.initial_wait, PROBE_INITIAL_WAIT)
    return replace(
        policy,
        max_attempts=min(policy.max_attempts, PROBE_MAX_ATTEMPTS),
        max_seconds=min(policy.max_seconds, PROBE_MAX_SECONDS),
        initial_wait=initial,
        max_wait=max(initial, min(policy.max_wait, PROBE_MAX_WAIT)),
    )


def probe_resilience(base: Resilience | None = None, *, ephemeral: bool = False) -> Resilience:
    """`base`'s breakers (shared store, settings, callbacks) with the probe retry policy; with
    `ephemeral`, breakers kept in memory only (for programs that must have no side effects)."""
    base = base or Resilience()
    if ephemeral:
        return Resilience(policy=probe_policy(base.policy), breakers=base.breakers, store=MemoryBreakerStore(),
                          on_retry=_quiet, on_transition=None)
    return Resilience(policy=probe_policy(base.policy), breakers=base.breakers, store=base.store,
                      on_retry=base.on_retry, on_transition=base.on_transition, attempts=base.attempts)


def _quiet(event: RetryEvent) -> None:
    del event


def readiness_clients(
    *,
    profile: str | None = None,
    endpoint_url: str | None = None,
    resilience: Resilience | None = None,
    correlation_id: str | None = None,
    ephemeral: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> AwsClients:
    return AwsClients(
        profile=profile,
        endpoint_url=endpoint_url,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        resilience=probe_resilience(resilience, ephemeral=ephemeral),
        correlation_id=correlation_id,
        environ=environ,
    )
