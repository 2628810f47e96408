"""The bcce dashboard Grafana provisions from a file at first boot, generated from the table of
metrics and the columns of the lake's usage table.

Panels: the four of the earlier TypeScript BCCE's Grafana board in CloudWatch form (deployment
success rate, deployment duration p95, circuit breaker open, estimated monthly cost), then Claude
Code usage: tokens and cost per user, team and model, active users (Athena over the lake's
`usage_events` table, when the analytics component is deployed), errors (the usage log's metric
filter) and Bedrock throttles (AWS/Bedrock). The data sources are the ones the instance's user
data provisions, named by their uid.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bcce_tf.metrics.table import REGION, STACK, cloudwatch

CLOUDWATCH_UID = "bcce-cloudwatch"
ATHENA_UID = "bcce-athena"
CLOUDWATCH = {"type": "cloudwatch", "uid": CLOUDWATCH_UID}
ATHENA = {"type": "grafana-athena-datasource", "uid": ATHENA_UID}
DASHBOARD_UID = "bcce-overview"
USAGE_TABLE = "usage_events"  # the analytics component's Glue table
PERIOD = "300"
# The lake is partitioned by day (dt = yyyy-MM-dd): filtering on it keeps Athena from scanning all of it.
_DAYS = "dt BETWEEN date_format($__timeFrom(), '%Y-%m-%d') AND date_format($__timeTo(), '%Y-%m-%d')"
_IN_RANGE = f"WHERE $__timeFilter(event_time) AND {_DAYS}"


@dataclass(frozen=True)
class PanelMetric:
    """A CloudWatch metric a panel's query reads."""

    namespace: str
    name: str
    dimensions: tuple[str, ...]
    stat: str


def _metric(ref: str, key: str, region: str, dimensions: Mapping[str, str], *, stat: str | None = None, hide: bool = False,
            label: str = "") -> dict[str, Any]:
    spec = cloudwatch(key)
    return {
        "refId": ref, "id": ref.lower(), "datasource": CLOUDWATCH, "queryMode": "Metrics",
        "metricQueryType": 0, "metricEditorMode": 0, "region": region,
        "namespace": spec.namespace, "metricName": spec.name, "dimensions": dict(dimensions),
        "matchExact": True, "statistic": stat or spec.statistic, "period": PERIOD, "label": label,
        "expression": "", "hide": hide,
    }


def _math(ref: str, region: str, expression: str, label: str) -> dict[str, Any]:
    return {"refId": ref, "id": ref.lower(), "datasource": CLOUDWATCH, "queryMode": "Metrics", "metricQueryType": 0,
            "metricEditorMode": 1, "region": region, "expression": expression, "period": PERIOD, "label": label,
            "hide": False}


def _sql(ref: str, sql: str, *, table: bool) -> dict[str, Any]:
    return {"refId": ref, "datasource": ATHENA, "format": 1 if table else 0, "rawSQL": sql,
            "connectionArgs": {"region": "__default", "catalog": "__default", "database": "__default"}}


def _panel(title: str, kind: str, datasource: Mapping[str, str], targets: list[dict[str, Any]], x: int, y: int,
           unit: str = "short", width: int = 12) -> dict[str, Any]:
    return {"title": title, "type": kind, "datasource": dict(datasource), "targets": targets,
            "gridPos": {"x": x, "y": y, "w": width, "h": 8},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "options": {}}


def _per(column: str, title: str, x: int, y: int) -> dict[str, Any]:
    sql = (f"SELECT {column}, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, "
           f"sum(estimated_cost_usd) AS cost_usd, count(*) AS requests FROM {USAGE_TABLE} {_IN_RANGE} "
           f"GROUP BY {column} ORDER BY cost_usd DESC LIMIT 25")
    return _panel(title, "table", ATHENA, [_sql("A", sql, table=True)], x, y, width=8)


def dashboard(stack: str, region: str, analytics: bool, cost_region: str = "") -> dict[str, Any]:
    """The dashboard of stack `stack` in `region`; the Athena panels only with the analytics lake.
    The cost estimate is published in one region for the whole rollout (`cost_region`)."""
    dims = {STACK: stack, REGION: region}
    cost_region = cost_region or region
    panels: list[dict[str, Any]] = [
        _panel("Deployment success rate (%)", "timeseries", CLOUDWATCH, [
            _metric("A", "deployment_successes", region, dims, hide=True),
            _metric("B", "deployments", region, dims, hide=True),
            _math("C", region, "100 * a / b", "Success rate"),
        ], 0, 0, unit="percent"),
        _panel("Deployment duration p95", "timeseries", CLOUDWATCH, [
            _metric("A", "deployment_duration", region, dims, stat="p95", label="p95"),
        ], 12, 0, unit="s"),
        _panel("Circuit breaker open", "timeseries", CLOUDWATCH, [
            _metric("A", "circuit_breaker_open", region, dims, label="A breaker open (0/1)"),
        ], 0, 8),
        _panel("Estimated monthly cost", "stat", CLOUDWATCH, [
            _metric("A", "monthly_cost", cost_region, {STACK: stack, REGION: cost_region}, label="USD per month"),
        ], 12, 8, unit="currencyUSD"),
    ]
    y = 16
    if analytics:
        panels += [
            _per("user_id", "Tokens and cost per user", 0, y),
            _per("team", "Tokens and cost per team", 8, y),
            _per("model_id", "Tokens and cost per model", 16, y),
            _panel("Active users per day", "timeseries", ATHENA, [_sql("A", (
                f"SELECT $__timeGroup(event_time, '1d') AS time, count(DISTINCT user_id) AS active_users "
                f"FROM {USAGE_TABLE} {_IN_RANGE} GROUP BY 1 ORDER BY 1"), table=False)], 0, y + 8),
            _panel("Requests and errors per hour (lake)", "timeseries", ATHENA, [_sql("A", (
                f"SELECT $__timeGroup(event_time, '1h') AS time, count(*) AS requests, "
                f"count_if(status = 'error') AS errors FROM {USAGE_TABLE} {_IN_RANGE} GROUP BY 1 ORDER BY 1"),
                table=False)], 12, y + 8),
        ]
        y += 16
    panels += [
        _panel("Claude Code errors", "timeseries", CLOUDWATCH, [
            _metric("A", "claude_code_requests", region, {}, label="Requests"),
            _metric("B", "claude_code_errors", region, {}, label="Errors"),
        ], 0, y),
        _panel("Bedrock throttles", "timeseries", CLOUDWATCH, [
            _metric("A", "bedrock_throttles", region, {}, label="Throttled invocations"),
            _metric("B", "bedrock_invocations", region, {}, label="Invocations"),
        ], 12, y),
    ]
    for number, panel in enumerate(panels, start=1):
        panel["id"] = number
    return {
        "uid": DASHBOARD_UID, "title": f"bcce {stack} ({region})", "tags": ["bcce", "claude-code"],
        "timezone": "utc", "schemaVersion": 39, "version": 1, "editable": False, "refresh": "5m",
        "time": {"from": "now-7d", "to": "now"}, "panels": panels,
    }


def dashboard_json(stack: str, region: str, analytics: bool, cost_region: str = "") -> str:
    """The dashboard as compact JSON (the user data carries it gzipped; EC2 user data is limited to 16 KB)."""
    return json.dumps(dashboard(stack, region, analytics, cost_region), sort_keys=True, separators=(",", ":"))


def panel_targets(board: Mapping[str, Any]) -> Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    for panel in board.get("panels") or []:
        for target in panel.get("targets") or []:
            yield panel, target


def cloudwatch_metrics(board: Mapping[str, Any]) -> list[PanelMetric]:
    """Every CloudWatch metric the dashboard's queries read (metric math reads the queries it names)."""
    return [PanelMetric(str(t["namespace"]), str(t["metricName"]), tuple(t.get("dimensions") or {}), str(t["statistic"]))
            for _, t in panel_targets(board)
            if (t.get("datasource") or {}).get("type") == "cloudwatch" and t.get("metricEditorMode") == 0]


def athena_queries(board: Mapping[str, Any]) -> list[str]:
    return [str(t["rawSQL"]) for _, t in panel_targets(board) if (t.get("datasource") or {}).get("type") == ATHENA["type"]]
