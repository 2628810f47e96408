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


def advice(record: Mapping[str, Any]) -> str:
    """What to change for one service and region ("" when nothing)."""
    if record.get("peak_in_flight", 0) >= record.get("pool_size", 1):
        return (f"the connection pool ran at 100% ({record['peak_in_flight']} in flight, pool {record['pool_size']}): "
                f"raise {POOL_ENV}")
    if record.get("throttles"):
        return f"{record['throttles']} throttled attempt(s): lower the concurrency against this account or ask for a higher quota"
    return ""


def runs_view(runs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The runs that recorded client statistics, newest first, each line with its advice."""
    out = []
    for run in reversed(runs):
        lines = run.get("aws_clients") or []
        if not lines:
            continue
        out.append({"correlation_id": run.get("correlation_id", ""), "operation": run.get("operation", ""),
                    "end": run.get("end", ""), "outcome": run.get("outcome", ""),
                    "clients": [{**line, "advice": advice(line)} for line in lines]})
    return out


def runs_text(view: Sequence[Mapping[str, Any]], where: str) -> list[str]:
    if not view:
        return [f"no recorded run has client statistics yet ({where}); plan, apply, deploy, readiness and state record them"]
    lines = [f"AWS clients of the last {len(view)} recorded run(s) ({where}):"]
    for run in view:
        lines.append(f"run {run['correlation_id']} {run['operation']} ended {run['end']} ({run['outcome']}):")
        for line in run["clients"]:
            lines.append(f"  {line['service']}@{line['region']}: {describe(line)}")
            if line["advice"]:
                lines.append(f"    ! {line['advice']}")
    return lines
