"""The CloudWatch data points of one recorded run (pure: a run record in, data points out)."""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bcce_tf.metrics.table import BREAKER, OPERATION, REGION, STACK, cloudwatch, is_deployment
from bcce_tf.resilience.breaker_record import BreakerState

# Exit codes that are no failure of a deployment: success, and a confirmation prompt answered no.
NOT_FAILED = (0, 13)


@dataclass(frozen=True)
class Datum:
    """One CloudWatch data point, as kept in the queue and sent with PutMetricData."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    value: float
    unit: str
    timestamp: float  # epoch seconds: when the run ended

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["dimensions"] = [list(pair) for pair in self.dimensions]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Datum:
        dims = tuple((str(name), str(value)) for name, value in data["dimensions"])
        return cls(str(data["namespace"]), str(data["name"]), dims, float(data["value"]), str(data["unit"]),
                   float(data["timestamp"]))

    def metric_datum(self) -> dict[str, Any]:
        """The MetricDatum of PutMetricData."""
        import datetime

        return {
            "MetricName": self.name,
            "Dimensions": [{"Name": name, "Value": value} for name, value in self.dimensions],
            "Timestamp": datetime.datetime.fromtimestamp(self.timestamp, tz=datetime.timezone.utc),
            "Value": self.value,
            "Unit": self.unit,
        }


def parse_stamp(stamp: str) -> float | None:
    """Epoch seconds of a run record time (2026-01-31T12:00:00.123Z); None when it is not one."""
    try:
        whole, _, rest = stamp.rstrip("Z").partition(".")
        seconds = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
        return seconds + (int(rest[:3].ljust(3, "0")) / 1000 if rest else 0.0)
    except (ValueError, AttributeError):
        return None


def _points(key: str, value: float, timestamp: float, values: Mapping[str, str]) -> list[Datum]:
    """One point per dimension set of the metric `key` (a set needs every one of its dimensions)."""
    spec = cloudwatch(key)
    found = []
    for names in spec.dimension_sets:
        if all(values.get(name) for name in names):
            # Sorted by name, as Terraform stores an alarm's dimension map: CloudWatch treats the
            # dimensions as a set, but the emulator matches them in order.
            dimensions = tuple(sorted((name, values[name]) for name in names))
            found.append(Datum(spec.namespace, spec.name, dimensions, float(value), spec.unit, timestamp))
    return found


def breaker_region(name: str) -> str:
    """Breaker names end with the region: terraform-apply:<stack>:<region>, aws:<service>:<region>."""
    return name.rsplit(":", 1)[-1]


def belongs_to(name: str, stack: str, region: str) -> bool:
    """Whether breaker `name` guards something of this stack in this region (Terraform steps of the
    stack, and bcce's AWS calls in the region)."""
    parts = name.split(":")
    if len(parts) < 3 or parts[-1] != region:
        return False
    return parts[0] == "aws" or parts[1] == stack


def is_open(state: Any) -> bool:
    return str(state) in (str(BreakerState.OPEN), str(BreakerState.HALF_OPEN))


def retries_in(attempts: Mapping[str, Any], region: str) -> int:
    """Attempts beyond the first of every operation of the run in `region`."""
    total = 0
    for name, count in attempts.items():
        if breaker_region(name) == region:
            try:
                total += max(int(count) - 1, 0)
            except (TypeError, ValueError):
                continue
    return total


def pool_utilization(record: Mapping[str, Any], region: str) -> float | None:
    """Highest connection pool utilization (0-1) of the run's AWS clients in `region`; None when the
    run record has no client statistics for it."""
    values = []
    for row in record.get("aws_clients") or []:
        if isinstance(row, Mapping) and row.get("region") == region and row.get("utilization") is not None:
            try:
                values.append(float(row["utilization"]))
            except (TypeError, ValueError):
                continue
    return max(values) if values else None


def outcome(record: Mapping[str, Any]) -> tuple[bool, bool]:
    """(succeeded, failed) of a finished run: a declined prompt is neither; a run still going
    (no exit code) is neither."""
    exit_code = record.get("exit_code")
    if exit_code is None:
        return False, False
    try:
        code = int(exit_code)
    except (TypeError, ValueError):
        return False, True
    return code == 0, code not in NOT_FAILED


def run_points(record: Mapping[str, Any], breakers: Mapping[str, Any] | Iterable[tuple[str, Any]] = (),
               monthly_cost: float | None = None, cost_region: str | None = None) -> list[Datum]:
    """The data points of one run record, in each of its regions.

    `breakers` maps breaker names to their states (as stored after the run); `monthly_cost` is the
    estimate of the whole rollout, published in `cost_region` (the config's first region)."""
    stack = str(record.get("stack") or "")
    regions = [str(r) for r in record.get("regions") or [] if r]
    operation = str(record.get("operation") or "")
    ended = parse_stamp(str(record.get("end") or "")) or parse_stamp(str(record.get("start") or ""))
    if not stack or not regions or not operation or ended is None:
        return []
    states = dict(breakers.items() if isinstance(breakers, Mapping) else breakers)
    succeeded, failed = outcome(record)
    points: list[Datum] = []
    for region in regions:
        values = {STACK: stack, REGION: region, OPERATION: operation}
        if is_deployment(operation):
            points += _points("deployments", 1, ended, values)
            points += _points("deployment_successes", int(succeeded), ended, values)
            points += _points("deployment_failures", int(failed), ended, values)
            points += _points("deployment_duration", float(record.get("duration") or 0.0), ended, values)
        points += _points("retries", retries_in(record.get("attempts") or {}, region), ended, values)
        mine = sorted((name, state) for name, state in states.items() if belongs_to(name, stack, region))
        for name, state in mine:  # per breaker: only the dimension set that names it
            points += [p for p in _points("circuit_breaker_open", int(is_open(state)), ended, {**values, BREAKER: name})
                       if BREAKER in dict(p.dimensions)]
        points += _points("circuit_breaker_open", max((int(is_open(s)) for _, s in mine), default=0), ended, values)
        if record.get("readiness_score") is not None:
            points += _points("readiness_score", float(record["readiness_score"]), ended, values)
        if record.get("drifted_resources") is not None:
            points += _points("drifted_resources", float(record["drifted_resources"]), ended, values)
        utilization = pool_utilization(record, region)
        if utilization is not None:
            points += _points("client_pool_utilization", round(100 * utilization, 3), ended, values)
        if monthly_cost is not None and region == (cost_region or regions[0]):
            points += _points("monthly_cost", monthly_cost, ended, values)
    return points
