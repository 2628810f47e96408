"""doctor's `aws-clients` component: the client factory's statistics of this run, per service and
region, read after the other components' checks have made their calls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bcce_tf.health.model import Health, HealthResult

POOL_ENV = "BCCE_CLIENT_POOL_SIZE"


def describe(record: Mapping[str, Any]) -> str:
    p50, p95 = record.get("latency_p50_ms"), record.get("latency_p95_ms")
    latency = f"latency p50 {p50:g} ms, p95 {p95:g} ms" if p50 is not None and p95 is not None else "no latency yet"
    return (f"{record['calls']} call(s), {record['retries']} retry(ies), {record['throttles']} throttle(s), "
            f"{record['errors']} error(s); {latency}; clients created {record['clients_created']}, reused "
            f"{record['clients_reused']}; peak {record['peak_in_flight']} in flight of a pool of {record['pool_size']} "
            f"({record['utilization']:.0%})")


def client_results(snapshot: Sequence[Mapping[str, Any]]) -> list[HealthResult]:
    """One result per (service, region): degraded when the pool ran full or calls were throttled."""
    if not snapshot:
        return [HealthResult(component="aws-clients", name="clients", stack="", status=Health.NOT_CHECKED,
                             evidence="no AWS calls were made in this run: choose live components with it "
                                      "(e.g. --component all)")]
    results = []
    for record in snapshot:
        evidence = describe(record)
        status, fix = Health.HEALTHY, ""
        if record["peak_in_flight"] >= record["pool_size"]:
            status = Health.DEGRADED
            evidence += ": the connection pool ran at 100%, calls waited for a connection"
            fix = f"raise {POOL_ENV} (now {record['pool_size']}; it sets botocore's max_pool_connections)"
        elif record["throttles"]:
            status = Health.DEGRADED
            evidence += ": AWS throttled calls (retried)"
            fix = "lower the concurrency of runs against this account, or ask for a higher API rate quota"
        results.append(HealthResult(component="aws-clients", name=f"{record['service']}@{record['region']}", stack="",
                                    status=status, evidence=evidence, fix=fix))
    return results
