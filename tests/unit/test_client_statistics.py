"""Client statistics and their health reading, on an injected clock (no I/O)."""

from __future__ import annotations

from types import SimpleNamespace

from bcce_tf.client_stats import ClientStats, percentile
from bcce_tf.health.clients import client_results
from bcce_tf.health.model import Health


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50 and percentile(values, 0.95) == 95
    assert percentile([7.0], 0.95) == 7 and percentile([], 0.5) is None


def test_calls_latency_attempts_and_throttles_per_service_and_region():
    now = [100.0]
    stats = ClientStats(pool_size=4, clock=lambda: now[0])
    stats.client("s3", "eu-west-1", created=True)
    first = stats.started("s3", "eu-west-1")
    second = stats.started("s3", "eu-west-1")
    on_attempt = stats.hook("s3", "eu-west-1")
    on_attempt(response=(SimpleNamespace(status_code=503), {"Error": {"Code": "SlowDown"}}))
    on_attempt(response=(SimpleNamespace(status_code=429), {}))
    on_attempt(response=(SimpleNamespace(status_code=200), {}))
    on_attempt(response=None)  # a connection error: an attempt without an answer
    now[0] = 100.25
    stats.finished("s3", "eu-west-1", first, failed=False)
    now[0] = 101.0
    stats.finished("s3", "eu-west-1", second, failed=True)
    [s3] = stats.snapshot()
    assert (s3["calls"], s3["attempts"], s3["retries"], s3["throttles"], s3["errors"]) == (2, 4, 2, 2, 1)
    assert (s3["latency_p50_ms"], s3["latency_p95_ms"]) == (250.0, 1000.0)
    assert (s3["peak_in_flight"], s3["pool_size"], s3["utilization"]) == (2, 4, 0.5)


def _record(**changes):
    base = {"service": "kms", "region": "us-east-1", "clients_created": 1, "clients_reused": 3, "calls": 4, "attempts": 4,
            "retries": 0, "throttles": 0, "errors": 0, "latency_p50_ms": 12.0, "latency_p95_ms": 30.5, "pool_size": 10,
            "peak_in_flight": 3, "utilization": 0.3}
    return {**base, **changes}


def test_a_full_pool_or_throttling_is_degraded_with_what_to_raise():
    assert client_results([_record()])[0].status is Health.HEALTHY
    full = client_results([_record(peak_in_flight=10, utilization=1.0)])[0]
    assert full.status is Health.DEGRADED and "BCCE_CLIENT_POOL_SIZE (now 10" in full.fix
    throttled = client_results([_record(throttles=2, retries=2)])[0]
    assert throttled.status is Health.DEGRADED and "throttled" in throttled.evidence
    assert client_results([])[0].status is Health.NOT_CHECKED
