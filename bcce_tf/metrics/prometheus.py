"""Prometheus exposition of bcce's metrics, built with prometheus_client.

Every value is computed from the run history and the breaker store each time the metrics are
collected, never kept in process memory: counters survive between runs (and between scrapes
of `bcce metrics serve`) because they are sums over the recorded runs. `families` is pure; the
collector only reads the files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from bcce_tf.metrics.points import is_open, outcome, pool_utilization, retries_in
from bcce_tf.metrics.table import DURATION_BUCKETS, is_deployment
from bcce_tf.metrics.table import metric as table_metric


@dataclass(frozen=True)
class Cost:
    stack: str
    monthly_usd: float


def _help(key: str) -> str:
    return table_metric(key).meaning


def _family_name(key: str) -> str:
    """prometheus_client adds _total to counters itself."""
    spec = table_metric(key).prometheus
    assert spec is not None
    return spec.name.removesuffix("_total") if spec.type == "counter" else spec.name


def _labels(key: str) -> list[str]:
    spec = table_metric(key).prometheus
    assert spec is not None
    return list(spec.labels)


def _run_regions(run: Mapping[str, Any]) -> list[str]:
    return [str(region) for region in run.get("regions") or [] if region]


def families(runs: Iterable[Mapping[str, Any]], breakers: Mapping[str, str], cost: Cost | None) -> list[Metric]:
    """The metric families of `bcce metrics` from run records (oldest first), breaker states by
    name, and the cost estimate of the config (None: no config here)."""
    success = CounterMetricFamily(_family_name("deployment_successes"), _help("deployment_successes"), labels=_labels("deployment_successes"))
    failure = CounterMetricFamily(_family_name("deployment_failures"), _help("deployment_failures"), labels=_labels("deployment_failures"))
    retries = CounterMetricFamily(_family_name("retries"), _help("retries"), labels=_labels("retries"))
    duration = HistogramMetricFamily(_family_name("deployment_duration"), _help("deployment_duration"), labels=_labels("deployment_duration"))
    breaker_open = GaugeMetricFamily(_family_name("circuit_breaker_open"), _help("circuit_breaker_open"), labels=_labels("circuit_breaker_open"))
    readiness = GaugeMetricFamily(_family_name("readiness_score"), _help("readiness_score"), labels=_labels("readiness_score"))
    monthly = GaugeMetricFamily(_family_name("monthly_cost"), _help("monthly_cost"), labels=_labels("monthly_cost"))
    drifted = GaugeMetricFamily(_family_name("drifted_resources"), _help("drifted_resources"), labels=_labels("drifted_resources"))
    pool = GaugeMetricFamily(_family_name("client_pool_utilization"), _help("client_pool_utilization"), labels=_labels("client_pool_utilization"))

    successes: dict[tuple[str, str, str], int] = {}
    failures: dict[tuple[str, str, str], int] = {}
    retry_counts: dict[tuple[str, str, str], int] = {}
    durations: dict[tuple[str, str, str], list[float]] = {}
    scores: dict[tuple[str, str], float] = {}
    drift: dict[tuple[str, str], int] = {}
    pools: dict[tuple[str, str], float] = {}
    for run in runs:
        if run.get("exit_code") is None:
            continue  # still running, or never finished
        stack, operation = str(run.get("stack") or ""), str(run.get("operation") or "")
        if not stack or not operation:
            continue
        succeeded, failed = outcome(run)
        for region in _run_regions(run):
            key = (stack, region, operation)
            retry_counts[key] = retry_counts.get(key, 0) + retries_in(run.get("attempts") or {}, region)
            if is_deployment(operation):
                successes[key] = successes.get(key, 0) + int(succeeded)
                failures[key] = failures.get(key, 0) + int(failed)
                durations.setdefault(key, []).append(float(run.get("duration") or 0.0))
            if run.get("readiness_score") is not None:
                scores[(stack, region)] = float(run["readiness_score"])
            if run.get("drifted_resources") is not None:
                drift[(stack, region)] = int(run["drifted_resources"])
            utilization = pool_utilization(run, region)
            if utilization is not None:
                pools[(stack, region)] = utilization

    for key in sorted(successes):
        success.add_metric(list(key), successes[key])
        failure.add_metric(list(key), failures[key])
    for key in sorted(retry_counts):
        retries.add_metric(list(key), retry_counts[key])
    for key in sorted(durations):
        values = durations[key]
        buckets = [(_le(bound), sum(1 for v in values if v <= bound)) for bound in DURATION_BUCKETS]
        buckets.append(("+Inf", len(values)))
        duration.add_metric(list(key), buckets, sum_value=round(sum(values), 3))
    for name in sorted(breakers):
        breaker_open.add_metric([name], int(is_open(breakers[name])))
    for key in sorted(scores):
        readiness.add_metric(list(key), scores[key])
    for key in sorted(drift):
        drifted.add_metric(list(key), drift[key])
    for key in sorted(pools):
        pool.add_metric(list(key), pools[key])
    if cost is not None:
        monthly.add_metric([cost.stack], cost.monthly_usd)
    return [success, failure, duration, retries, breaker_open, readiness, drifted, monthly, pool]


def _le(bound: float) -> str:
    return f"{bound:g}" if bound != int(bound) else f"{int(bound)}.0"


class HistoryCollector(Collector):
    """Reads the history, the breakers and the cost each time Prometheus collects."""

    def __init__(self, runs: Callable[[], list[dict[str, Any]]], breakers: Callable[[], Mapping[str, str]],
                 cost: Callable[[], Cost | None]) -> None:
        self._runs, self._breakers, self._cost = runs, breakers, cost

    def collect(self) -> Iterable[Metric]:
        return families(self._runs(), self._breakers(), self._cost())


def registry(collector: Collector) -> CollectorRegistry:
    """A registry of bcce's metrics only (no process or platform metrics of this Python process)."""
    found = CollectorRegistry(auto_describe=False)
    found.register(collector)
    return found
