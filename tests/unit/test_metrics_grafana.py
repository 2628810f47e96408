"""The bcce Grafana dashboard: every panel's query names a metric of the table of metrics (as it
is published) or columns of the lake's usage table as the analytics template renders it, and the
data sources it names are the ones the user data provisions."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bcce_tf.config import Config
from bcce_tf.metrics import table
from bcce_tf.metrics.grafana_dashboard import (
    ATHENA_UID,
    CLOUDWATCH_UID,
    USAGE_TABLE,
    athena_queries,
    cloudwatch_metrics,
    dashboard,
    dashboard_json,
    panel_targets,
)
from bcce_tf.render import TFVARS_FILENAME, RenderOptions, StackTarget, render_files, templates_dir
from tests.support.hcl import parse

STATISTICS = {"Sum", "Average", "Maximum", "Minimum", "SampleCount"}
# Words of the SQL the panels use that are neither columns nor aliases.
SQL_WORDS = {"select", "from", "where", "and", "between", "group", "by", "order", "desc", "asc", "limit", "as",
             "distinct", "time"}


def config(**overrides: Any) -> Config:
    data: dict[str, Any] = {"provider": {"generation": 5}, "regions": ["eu-west-1", "us-east-1"],
                            "components": ["analytics", "dashboards", "monitoring"], "dashboard": {"platform": "grafana"}}
    data.update(overrides)
    return Config.model_validate(data)


def lake_table(files: dict[str, str]) -> tuple[str, set[str]]:
    """Name and columns (with partition keys) of the Glue table the analytics template renders."""
    doc = parse(files["modules/analytics/main.tf"])
    [(name, spec)] = [(t["name"], t) for block in doc["resource"] for t in block.get("aws_glue_catalog_table", {}).values()]
    descriptor = spec["storage_descriptor"]
    descriptor = descriptor[0] if isinstance(descriptor, list) else descriptor
    columns = {c["name"] for c in descriptor["columns"]} | {k["name"] for k in spec["partition_keys"]}
    return name, columns


def sql_identifiers(sql: str) -> tuple[set[str], set[str]]:
    """(tables after FROM, other bare identifiers) of a panel's SQL: string literals, Grafana macros,
    function names and AS aliases left out."""
    text = re.sub(r"'[^']*'", "''", sql)
    text = re.sub(r"\$__\w+", "", text)
    tables = set(re.findall(r"\bFROM\s+(\w+)", text, re.IGNORECASE))
    aliases = {a.lower() for a in re.findall(r"\bAS\s+(\w+)", text, re.IGNORECASE)}
    functions = {f.lower() for f in re.findall(r"\b(\w+)\s*\(", text)}
    words = {w for w in re.findall(r"\b[A-Za-z_]\w*\b", text)}
    names = {w for w in words if w.lower() not in SQL_WORDS | aliases | functions} - tables
    return tables, names


def test_the_earlier_four_panels_and_claude_code_usage_are_there():
    titles = [p["title"] for p in dashboard("bcce", "us-east-1", analytics=True)["panels"]]
    assert titles[:4] == ["Deployment success rate (%)", "Deployment duration p95", "Circuit breaker open",
                          "Estimated monthly cost"]
    for wanted in ("per user", "per team", "per model", "Active users", "errors", "throttles"):
        assert any(wanted.lower() in t.lower() for t in titles), wanted
    without = dashboard("bcce", "us-east-1", analytics=False)
    assert athena_queries(without) == [], "no lake, no Athena panels"
    assert [p["id"] for p in without["panels"]] == list(range(1, len(without["panels"]) + 1))


@pytest.mark.parametrize("analytics", [True, False])
def test_every_cloudwatch_query_names_a_metric_of_the_table_as_published(analytics):
    board = dashboard("bcce", "us-east-1", analytics, cost_region="eu-west-1")
    found = cloudwatch_metrics(board)
    assert len(found) >= 9
    for item in found:
        row = table.find_cloudwatch(item.namespace, item.name)
        assert row is not None and row.cloudwatch is not None, f"{item.namespace}/{item.name} is not in the table"
        published = {frozenset(names) for names in row.cloudwatch.dimension_sets}
        assert frozenset(item.dimensions) in published, f"{item.name} is never published with {item.dimensions}"
        assert item.stat == row.cloudwatch.statistic or (item.stat == "p95" and row.key == "deployment_duration"), item
        assert item.stat in STATISTICS or re.fullmatch(r"p\d{1,2}(\.\d+)?", item.stat)
    for panel, target in panel_targets(board):
        if target.get("metricEditorMode") == 0:
            dims = target["dimensions"]
            if dims:
                expected_region = "eu-west-1" if target["metricName"] == "EstimatedMonthlyCost" else "us-east-1"
                assert dims == {"Stack": "bcce", "Region": expected_region}, panel["title"]
                assert target["region"] == expected_region
    keys = {table.find_cloudwatch(i.namespace, i.name).key for i in found}  # type: ignore[union-attr]
    assert {"deployment_successes", "deployments", "deployment_duration", "circuit_breaker_open", "monthly_cost",
            "claude_code_errors", "bedrock_throttles"} <= keys


def test_metric_math_reads_only_queries_of_its_panel():
    for panel in dashboard("bcce", "us-east-1", True)["panels"]:
        ids = {t.get("id") for t in panel["targets"] if t.get("metricEditorMode") == 0}
        for target in panel["targets"]:
            if target.get("metricEditorMode") == 1:
                used = set(re.findall(r"\b[a-z]\w*\b", target["expression"])) - {"if"}
                assert used and used <= ids, (panel["title"], target["expression"])
                assert all(t["hide"] for t in panel["targets"] if t.get("id") in used)


def test_every_athena_query_reads_columns_of_the_rendered_usage_table():
    cfg = config()
    files, _, _ = render_files(cfg, StackTarget(cfg.stack_name, "us-east-1"), RenderOptions())
    name, columns = lake_table(files)
    assert name == USAGE_TABLE
    queries = athena_queries(dashboard("bcce", "us-east-1", True))
    assert len(queries) == 5
    for sql in queries:
        tables, names = sql_identifiers(sql)
        assert tables == {USAGE_TABLE}, sql
        assert names and names <= columns, f"not columns of {name}: {sorted(names - columns)}"
        assert "$__timeFilter(event_time)" in sql and "dt BETWEEN" in sql, "every query is bounded by time and partition"


def test_the_identifier_reader_catches_an_unknown_column():
    _, names = sql_identifiers("SELECT user_name, count(*) AS n FROM usage_events WHERE $__timeFilter(event_time)")
    assert names == {"user_name", "event_time"}


def test_the_data_sources_the_panels_name_are_the_provisioned_ones():
    script = (templates_dir() / "modules" / "dashboards" / "user_data" / "grafana.sh.tftpl").read_text(encoding="utf-8")
    provisioned = set(re.findall(r"^\s+uid: (\S+)$", script, re.MULTILINE))
    assert provisioned == {CLOUDWATCH_UID, ATHENA_UID}
    assert "type: cloudwatch" in script and "type: grafana-athena-datasource" in script
    for panel, target in panel_targets(dashboard("bcce", "us-east-1", True)):
        assert target["datasource"]["uid"] == panel["datasource"]["uid"] in provisioned


def test_the_grafana_stack_passes_the_generated_dashboard_and_the_others_none():
    cfg = config()
    files, _, _ = render_files(cfg, StackTarget(cfg.stack_name, "us-east-1"), RenderOptions())
    tfvars = json.loads(files[TFVARS_FILENAME])
    assert tfvars["dashboards_grafana_dashboard"] == dashboard_json("bcce", "us-east-1", True, "eu-west-1")
    assert json.loads(tfvars["dashboards_grafana_dashboard"])["panels"]
    assert len(tfvars["dashboards_grafana_dashboard"]) < 12 * 1024, "fits the user data even before gzip"
    metabase = config(dashboard={"platform": "metabase"})
    files, _, _ = render_files(metabase, StackTarget(metabase.stack_name, "us-east-1"), RenderOptions())
    assert json.loads(files[TFVARS_FILENAME])["dashboards_grafana_dashboard"] == ""
