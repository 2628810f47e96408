"""The metric widgets of the stack's CloudWatch dashboard, generated from the table of metrics,
and the reader that lists what any dashboard body's widgets refer to (tests check it against
the table)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bcce_tf.metrics.table import REGION, STACK, cloudwatch

PERIOD = 300
_SEARCH = re.compile(r"SEARCH\(\s*'\{(?P<schema>[^}]*)\}\s*MetricName=\"(?P<name>[^\"]+)\"'\s*,\s*'(?P<stat>[^']+)'")


@dataclass(frozen=True)
class WidgetMetric:
    namespace: str
    name: str
    dimensions: tuple[str, ...]  # dimension names, in the order given
    stat: str


def _line(key: str, stack: str, region: str, **options: Any) -> list[Any]:
    spec = cloudwatch(key)
    line: list[Any] = [spec.namespace, spec.name, STACK, stack, REGION, region]
    line.append({"stat": spec.statistic, **options})
    return line


def _search(key: str, dimension: str, identifier: str) -> list[dict[str, Any]]:
    spec = cloudwatch(key)
    expression = f"SEARCH('{{{spec.namespace},{dimension}}} MetricName=\"{spec.name}\"', '{spec.statistic}', {PERIOD})"
    return [{"expression": expression, "id": identifier}]


def _widget(x: int, y: int, title: str, region: str, metrics: list[Any], **properties: Any) -> dict[str, Any]:
    return {"type": "metric", "x": x, "y": y, "width": 8, "height": 6,
            "properties": {"title": title, "region": region, "period": PERIOD, "view": "timeSeries",
                           "metrics": metrics, **properties}}


def metric_widgets(stack: str, region: str, min_score: int) -> list[dict[str, Any]]:
    """The dashboard's metric widgets for stack `stack` in `region` (y = 0 and 6; logs go below)."""
    return [
        _widget(0, 0, "Bedrock invocations per model", region, [_search("bedrock_invocations", "ModelId", "invocations")]),
        _widget(8, 0, "Bedrock latency per model (p90, ms)", region, [_search("bedrock_latency", "ModelId", "latency")]),
        _widget(16, 0, "Bedrock throttles per model", region, [_search("bedrock_throttles", "ModelId", "throttles")]),
        _widget(0, 6, "Deployments", region, [
            _line("deployments", stack, region, label="Deployments"),
            _line("deployment_successes", stack, region, label="Succeeded"),
            _line("deployment_failures", stack, region, label="Failed"),
            _line("deployment_duration", stack, region, label="Duration (s, average)", yAxis="right"),
        ], period=3600),
        _widget(8, 6, "Resilience: retries, circuit breakers, client pool", region, [
            _line("retries", stack, region, label="Retries"),
            _line("circuit_breaker_open", stack, region, label="A breaker open (0/1)"),
            _line("client_pool_utilization", stack, region, label="Client pool (%)", yAxis="right"),
        ]),
        _widget(16, 6, "Readiness, drift and estimated monthly cost", region, [
            _line("readiness_score", stack, region, label="Readiness score"),
            _line("drifted_resources", stack, region, label="Resources drifted (last bcce drift)"),
            _line("monthly_cost", stack, region, label="Estimated monthly cost (USD)", yAxis="right"),
        ], period=3600, annotations={"horizontal": [{"label": "Readiness minimum", "value": min_score}]}),
        _widget(0, 12, "Claude Code requests and errors", region, [
            [cloudwatch("claude_code_requests").namespace, cloudwatch("claude_code_requests").name, {"stat": "Sum"}],
            [cloudwatch("claude_code_errors").namespace, cloudwatch("claude_code_errors").name, {"stat": "Sum"}],
        ]),
    ]


def referenced_metrics(widgets: Iterable[Mapping[str, Any]]) -> list[WidgetMetric]:
    """Every metric the metric widgets of a dashboard body refer to: plain metric lines
    (["Namespace", "Name", dim, value, ..., {options}], a "." repeating the line above) and
    SEARCH expressions. Raises ValueError on a line or expression it cannot read."""
    found: list[WidgetMetric] = []
    for widget in widgets:
        if widget.get("type") != "metric":
            continue
        properties = widget.get("properties") or {}
        default_stat = str(properties.get("stat") or "")
        previous: list[Any] = []
        for line in properties.get("metrics") or []:
            items = list(line)
            options = items.pop() if items and isinstance(items[-1], Mapping) else {}
            if "expression" in options:
                match = _SEARCH.search(str(options["expression"]))
                if match is None:
                    raise ValueError(f"unreadable metric expression {options['expression']!r}")
                namespace, *dimensions = [part.strip() for part in match.group("schema").split(",")]
                found.append(WidgetMetric(namespace, match.group("name"), tuple(dimensions), match.group("stat")))
                continue
            items = [previous[i] if item == "." and i < len(previous) else item for i, item in enumerate(items)]
            if len(items) < 2 or len(items) % 2:
                raise ValueError(f"unreadable metric line {line!r}")
            previous = items
            found.append(WidgetMetric(str(items[0]), str(items[1]), tuple(str(n) for n in items[2::2]),
                                      str(options.get("stat") or default_stat)))
    return found
