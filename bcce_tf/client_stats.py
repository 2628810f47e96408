"""Statistics of the AWS client factory, per (service, region): clients created and reused, calls,
HTTP attempts, retries, throttles, errors, latency (p50/p95), the connection pool size in force
(BCCE_CLIENT_POOL_SIZE, botocore's max_pool_connections) and the peak number of calls in flight.

Every HTTP attempt, including those botocore retries by itself, is seen through botocore's
`needs-retry.<service>.<operation>` event, which fires once after each attempt. The clock is
injected (time.monotonic by default)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

THROTTLING_STATUS = 429


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(fraction * 1000) * len(ordered) // 1000))  # ceil(fraction * n), integer arithmetic
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Counters:
    created: int = 0
    reused: int = 0
    calls: int = 0
    attempts: int = 0
    throttles: int = 0
    errors: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, one per call


def is_throttle(code: str, status: int | None) -> bool:
    if status == THROTTLING_STATUS:
        return True
    if not code:
        return False
    from bcce_tf.resilience.classify import classify_aws_code

    return classify_aws_code(code, status=status).reason.startswith("aws-throttling")


class ClientStats:
    def __init__(self, pool_size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.pool_size = pool_size
        self.clock = clock
        self._lock = threading.Lock()
        self._by_key: dict[tuple[str, str], Counters] = {}
        with _run_lock:
            _run.append(self)

    def _get(self, service: str, region: str) -> Counters:
        return self._by_key.setdefault((service, region), Counters())

    def client(self, service: str, region: str, *, created: bool) -> None:
        with self._lock:
            counters = self._get(service, region)
            if created:
                counters.created += 1
            else:
                counters.reused += 1

    def started(self, service: str, region: str) -> float:
        with self._lock:
            counters = self._get(service, region)
            counters.calls += 1
            counters.in_flight += 1
            counters.peak_in_flight = max(counters.peak_in_flight, counters.in_flight)
        return self.clock()

    def finished(self, service: str, region: str, started: float, *, failed: bool) -> None:
        elapsed = self.clock() - started
        with self._lock:
            counters = self._get(service, region)
            counters.in_flight -= 1
            counters.latencies.append(elapsed)
            if failed:
                counters.errors += 1

    def attempt(self, service: str, region: str, response: Any) -> None:
        """One HTTP attempt ended (botocore's needs-retry event); `response` is (http, parsed) or None."""
        code, status = "", None
        if isinstance(response, tuple) and len(response) == 2:
            http, parsed = response
            status = getattr(http, "status_code", None)
            if isinstance(parsed, Mapping):
                code = str((parsed.get("Error") or {}).get("Code", "") or "")
        throttled = is_throttle(code, status)
        with self._lock:
            counters = self._get(service, region)
            counters.attempts += 1
            if throttled:
                counters.throttles += 1

    def hook(self, service: str, region: str) -> Callable[..., None]:
        """A handler for the client's `needs-retry` event; it never decides a retry (returns None)."""

        def on_attempt(response: Any = None, **_: Any) -> None:
            self.attempt(service, region, response)

        return on_attempt

    def counters(self) -> dict[tuple[str, str], Counters]:
        with self._lock:
            return {key: Counters(**{**vars(c), "latencies": list(c.latencies)}) for key, c in self._by_key.items()}

    def snapshot(self) -> list[dict[str, Any]]:
        """One record per (service, region), sorted; the figures a run record or a report keeps."""
        return records(self.counters(), self.pool_size)


def records(by_key: Mapping[tuple[str, str], Counters], pool_size: int) -> list[dict[str, Any]]:
    out = []
    for (service, region), c in sorted(by_key.items()):
        p50, p95 = percentile(c.latencies, 0.50), percentile(c.latencies, 0.95)
        out.append({
            "service": service, "region": region, "clients_created": c.created, "clients_reused": c.reused,
            "calls": c.calls, "attempts": c.attempts, "retries": max(0, c.attempts - c.calls),
            "throttles": c.throttles, "errors": c.errors,
            "latency_p50_ms": None if p50 is None else round(p50 * 1000, 1),
            "latency_p95_ms": None if p95 is None else round(p95 * 1000, 1),
            "pool_size": pool_size, "peak_in_flight": c.peak_in_flight,
            "utilization": round(c.peak_in_flight / pool_size, 2),
        })
    return out


# The statistics of every client factory made since the recorded run began (run_record.begin):
# a run makes several factories (readiness probes, Terraform's runtime, the breaker store).
_run_lock = threading.Lock()
_run: list[ClientStats] = []


def begin_run() -> None:
    with _run_lock:
        _run.clear()


def run_snapshot() -> list[dict[str, Any]]:
    """The merged statistics of the run's factories: counts summed, the peak the largest, latency
    percentiles over every call."""
    with _run_lock:
        factories = list(_run)
    merged: dict[tuple[str, str], Counters] = {}
    pool_size = max((f.pool_size for f in factories), default=1)
    for factory in factories:
        for key, c in factory.counters().items():
            into = merged.setdefault(key, Counters())
            for name in ("created", "reused", "calls", "attempts", "throttles", "errors"):
                setattr(into, name, getattr(into, name) + getattr(c, name))
            into.peak_in_flight = max(into.peak_in_flight, c.peak_in_flight)
            into.latencies += c.latencies
    return records(merged, pool_size)
