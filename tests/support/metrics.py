"""What the monitoring component's alarms watch, read from rendered HCL or from the emulator."""

from __future__ import annotations

from typing import Any

Watched = tuple[str, str, tuple[str, ...], str]  # namespace, metric name, dimension names, statistic


def _one(block: Any) -> dict[str, Any]:
    return block[0] if isinstance(block, list) else block


def _locals(doc: dict[str, Any]) -> dict[str, Any]:
    return {name: value for block in doc.get("locals", []) for name, value in block.items()}


def _dimensions(value: Any, local_values: dict[str, Any]) -> tuple[str, ...]:
    if isinstance(value, str) and value.startswith("${local.") and value.endswith("}"):
        value = local_values[value[len("${local."):-1]]
    return tuple(value or {})


def alarm_metrics(doc: dict[str, Any]) -> dict[str, list[Watched]]:
    """Alarm resource name -> the metrics it reads (a metric-math alarm reads several)."""
    local_values = _locals(doc)
    found: dict[str, list[Watched]] = {}
    for block in doc.get("resource", []):
        for name, alarm in block.get("aws_cloudwatch_metric_alarm", {}).items():
            if "metric_query" in alarm:
                found[name] = [(m["namespace"], m["metric_name"], _dimensions(m.get("dimensions"), local_values), m["stat"])
                               for query in alarm["metric_query"] if "metric" in query for m in [_one(query["metric"])]]
            else:
                found[name] = [(alarm["namespace"], alarm["metric_name"], _dimensions(alarm.get("dimensions"), local_values),
                                alarm["statistic"])]
    return found


def described_alarm_metrics(alarm: dict[str, Any]) -> list[tuple[str, str, dict[str, str], str]]:
    """The same from DescribeAlarms: (namespace, name, {dimension: value}, statistic) per metric read."""
    if alarm.get("Metrics"):
        return [(q["MetricStat"]["Metric"]["Namespace"], q["MetricStat"]["Metric"]["MetricName"],
                 {d["Name"]: d["Value"] for d in q["MetricStat"]["Metric"].get("Dimensions", [])}, q["MetricStat"]["Stat"])
                for q in alarm["Metrics"] if "MetricStat" in q]
    return [(alarm["Namespace"], alarm["MetricName"], {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])},
             alarm["Statistic"])]
