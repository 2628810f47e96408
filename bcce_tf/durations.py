"""How long an apply will take: pure functions over the durations earlier applies recorded.

Terraform's `-json` apply stream ends each resource with an `apply_complete` event whose hook
carries `resource.resource_type`, `action` and `elapsed_seconds`. Those samples are kept per
(resource type, action) in the state directory (bcce_tf/duration_store.py). An estimate for a
plan is built from its resource changes:

- each change takes the median of the last samples seen for its type and action on this machine,
  else the fallback table below (types never seen), else DEFAULT_SECONDS;
- Terraform applies up to PARALLELISM resources at once (its `-parallelism` default), so the
  estimate is the longer of the slowest single change and the sum spread over PARALLELISM;
- the ratio actual / estimated of the last applies is kept too, and its median corrects the next
  estimate, so the estimate improves with every apply.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PARALLELISM = 10  # terraform apply -parallelism default
KEEP_SAMPLES = 20  # per type and action
KEEP_ERRORS = 20  # actual/estimated ratios of the last applies
DEFAULT_SECONDS = 5.0  # a type neither seen nor in the table

# Types that wait for AWS to finish asynchronous work before Terraform moves on (the APIs return at
# once and the resource is usable only once DescribeDBInstances says `available`, DescribeVpcEndpoints
# `available`, DescribeDeliveryStream `ACTIVE`, DescribeInstances `running`). Typical create times
# assumed until this machine has seen the type once; not measured here.
FALLBACK_SECONDS: Mapping[tuple[str, str], float] = {
    ("aws_db_instance", "create"): 600.0,
    ("aws_vpc_endpoint", "create"): 120.0,
    ("aws_kinesis_firehose_delivery_stream", "create"): 60.0,
    ("aws_instance", "create"): 60.0,
}
ACTIONS = ("create", "update", "delete", "replace")


@dataclass(frozen=True)
class Observation:
    resource_type: str
    action: str  # create, update, delete (Terraform's hook action)
    seconds: float


@dataclass(frozen=True)
class Line:
    resource_type: str
    action: str
    count: int
    seconds_each: float
    source: str  # "seen N time(s)", "table", "default"


@dataclass(frozen=True)
class Estimate:
    seconds: float
    lines: tuple[Line, ...] = ()
    correction: float = 1.0  # median actual/estimated of earlier applies; 1.0 before any
    raw_seconds: float = 0.0  # before the correction

    @property
    def empty(self) -> bool:
        return not self.lines

    def to_dict(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 1), "raw_seconds": round(self.raw_seconds, 1),
                "correction": round(self.correction, 3),
                "lines": [{"resource_type": l.resource_type, "action": l.action, "count": l.count,
                           "seconds_each": round(l.seconds_each, 1), "source": l.source} for l in self.lines]}


@dataclass
class History:
    """What the state directory keeps: samples per "type action" and the last estimate errors."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    errors: list[dict[str, float]] = field(default_factory=list)  # {"estimated": s, "actual": s}

    def to_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "errors": self.errors}

    @classmethod
    def from_dict(cls, data: Any) -> History:
        if not isinstance(data, dict):
            return cls()
        samples = {str(k): [float(x) for x in v if isinstance(x, (int, float))]
                   for k, v in (data.get("samples") or {}).items() if isinstance(v, list)}
        errors = [{"estimated": float(e["estimated"]), "actual": float(e["actual"])} for e in data.get("errors") or []
                  if isinstance(e, dict) and isinstance(e.get("estimated"), (int, float)) and isinstance(e.get("actual"), (int, float))]
        return cls(samples=samples, errors=errors)


def _key(resource_type: str, action: str) -> str:
    return f"{resource_type} {action}"


def observations(lines: Iterable[str]) -> list[Observation]:
    """The per-resource durations of an `apply -json` stream (reads excluded; never raises)."""
    found: list[Observation] = []
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(event, dict) or event.get("type") != "apply_complete":
            continue
        hook = event.get("hook") or {}
        resource = hook.get("resource") or {} if isinstance(hook, dict) else {}
        kind, action, elapsed = resource.get("resource_type"), hook.get("action"), hook.get("elapsed_seconds")
        if isinstance(kind, str) and action in ACTIONS and isinstance(elapsed, (int, float)) and elapsed >= 0:
            found.append(Observation(kind, str(action), float(elapsed)))
    return found


def record(history: History, seen: Iterable[Observation], *, estimated: float | None = None,
           actual: float | None = None) -> History:
    """A new History with these samples added (the last KEEP_SAMPLES per type and action) and, when
    both are given, the estimate error of this apply (`estimated`: the estimate before its correction,
    Estimate.raw_seconds, so the correction converges instead of correcting itself)."""
    samples = {k: list(v) for k, v in history.samples.items()}
    for item in seen:
        samples.setdefault(_key(item.resource_type, item.action), []).append(round(item.seconds, 3))
    samples = {k: v[-KEEP_SAMPLES:] for k, v in samples.items()}
    errors = list(history.errors)
    if estimated is not None and actual is not None and estimated > 0:
        errors.append({"estimated": round(estimated, 3), "actual": round(actual, 3)})
    return History(samples=samples, errors=errors[-KEEP_ERRORS:])


def correction(history: History) -> float:
    ratios = [e["actual"] / e["estimated"] for e in history.errors if e["estimated"] > 0]
    return statistics.median(ratios) if ratios else 1.0


def estimate(changes: Sequence[tuple[str, str]], history: History, *, parallelism: int = PARALLELISM) -> Estimate:
    """The apply time of these (resource type, action) changes. A replace counts as delete + create."""
    counted: dict[tuple[str, str], int] = {}
    for kind, action in changes:
        for part in (("delete", "create") if action == "replace" else (action,)):
            if part in ACTIONS:
                counted[(kind, part)] = counted.get((kind, part), 0) + 1
    lines: list[Line] = []
    for (kind, action), count in sorted(counted.items()):
        seen = history.samples.get(_key(kind, action)) or []
        if seen:
            lines.append(Line(kind, action, count, statistics.median(seen), f"seen {len(seen)} time(s)"))
        elif (kind, action) in FALLBACK_SECONDS:
            lines.append(Line(kind, action, count, FALLBACK_SECONDS[(kind, action)], "table"))
        else:
            lines.append(Line(kind, action, count, DEFAULT_SECONDS, "default"))
    if not lines:
        return Estimate(seconds=0.0)
    slowest = max(l.seconds_each for l in lines)
    total = sum(l.seconds_each * l.count for l in lines)
    raw = max(slowest, total / max(1, parallelism))
    factor = correction(history)
    return Estimate(seconds=raw * factor, lines=tuple(lines), correction=factor, raw_seconds=raw)


def human(seconds: float) -> str:
    """12 s, 4 min, 1 h 05 min."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def estimate_line(found: Estimate) -> str:
    if found.empty:
        return "Estimated apply time: nothing to apply"
    seen = sum(l.count for l in found.lines if l.source.startswith("seen"))
    total = sum(l.count for l in found.lines)
    said = f"Estimated apply time: {human(found.seconds)} ({seen} of {total} change(s) priced from earlier applies on this machine"
    if found.correction != 1.0:
        said += f", corrected x{found.correction:.2f} by the last estimates' error"
    return said + ")"


def outcome_line(estimated: Estimate, actual: float) -> str:
    if estimated.empty:
        return f"applied in {human(actual)}"
    return f"applied in {human(actual)} (estimated {human(estimated.seconds)})"


def history_view(history: History) -> dict[str, Any]:
    """What `bcce debug --component durations` shows: per type and action, and the last errors."""
    types = [{"resource_type": key.rsplit(" ", 1)[0], "action": key.rsplit(" ", 1)[1], "samples": len(values),
              "median_seconds": round(statistics.median(values), 1), "max_seconds": round(max(values), 1)}
             for key, values in sorted(history.samples.items()) if values and " " in key]
    errors = [{**e, "ratio": round(e["actual"] / e["estimated"], 3)} for e in history.errors if e["estimated"] > 0]
    return {"types": types, "errors": errors, "correction": round(correction(history), 3)}


def history_text(view: Mapping[str, Any], where: str) -> list[str]:
    lines = [f"apply durations ({where}):"]
    if not view["types"]:
        lines.append("  none recorded yet: estimates use the table (" + ", ".join(
            f"{kind} {action} {human(seconds)}" for (kind, action), seconds in FALLBACK_SECONDS.items()) + ")")
        return lines
    width = max(len(f"{t['resource_type']} {t['action']}") for t in view["types"])
    for item in view["types"]:
        name = f"{item['resource_type']} {item['action']}"
        lines.append(f"  {name.ljust(width)}  median {item['median_seconds']} s, max {item['max_seconds']} s "
                     f"({item['samples']} sample(s))")
    if view["errors"]:
        said = ", ".join(f"{human(e['actual'])} for {human(e['estimated'])}" for e in view["errors"][-5:])
        lines.append(f"  last applies, actual for estimated: {said}; next estimates x{view['correction']:.2f}")
    return lines
