"""The table of metrics, the data points of a run, the Prometheus families and the generated
dashboard, all checked against each other and against CloudWatch's own service model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bcce_tf.config import Config
from bcce_tf.metrics import table
from bcce_tf.metrics.cloudwatch_dashboard import metric_widgets, referenced_metrics
from bcce_tf.metrics.points import Datum, parse_stamp, run_points
from bcce_tf.metrics.prometheus import Cost, HistoryCollector, families, registry
from bcce_tf.render import RenderOptions, StackTarget, render_files
from tests.support.hcl import parse
from tests.support.metrics import alarm_metrics

END = "2026-11-30T10:00:00.000Z"


def record(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "operation": "apply", "correlation_id": "c0ffee0123456789", "start": "2026-11-30T09:55:00.000Z", "end": END,
        "outcome": "success", "exit_code": 0, "stack": "bcce", "regions": ["us-east-1"], "attempts": {},
        "breaker_transitions": [], "readiness_score": None, "error": "", "duration": 300.0,
    }
    base.update(fields)
    return base


def standard_units() -> set[str]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("cloudwatch")
    return set(model.shape_for("StandardUnit").enum)


def test_every_row_is_complete_and_follows_cloudwatch_and_prometheus_rules():
    units = standard_units()
    keys = [m.key for m in table.METRICS]
    assert len(keys) == len(set(keys))
    for metric in table.METRICS:
        assert metric.meaning and (metric.cloudwatch or metric.prometheus), metric.key
        if metric.cloudwatch:
            cw = metric.cloudwatch
            assert cw.unit in units, (metric.key, cw.unit)
            assert cw.source in table.SOURCES
            assert cw.dimension_sets and all(len(s) <= 30 for s in cw.dimension_sets)
            if cw.source == "bcce":
                assert all({table.STACK, table.REGION} <= set(s) for s in cw.dimension_sets), metric.key
                assert cw.namespace.startswith("BCCE/")
            assert not any("correlation" in name.lower() for s in cw.dimension_sets for name in s)
        if metric.prometheus:
            prom = metric.prometheus
            assert prom.type in table.PROMETHEUS_TYPES
            assert prom.name.startswith("bcce_")
            assert prom.name.endswith("_total") == (prom.type == "counter"), prom.name
            if prom.type == "histogram":
                assert prom.name.endswith("_seconds")


def test_the_earlier_cli_s_cloudwatch_names_each_map_to_one_row():
    earlier = {m.earlier: m.key for m in table.METRICS if m.earlier}
    assert set(earlier) == {"BCCE/Deployment/Success", "BCCE/Deployment/Duration", "BCCE/CircuitBreaker/Open",
                            "BCCE/ClientPool/Utilization", "BCCE/Errors/Rate", "BCCE/Cost/Monthly"}


def by_metric(points: list[Datum]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(p.name, p.dimensions): p.value for p in points}


def test_a_failed_apply_counts_once_per_dimension_set_and_never_names_the_run():
    points = run_points(record(exit_code=5, outcome="terraform-failed", attempts={"terraform-apply:bcce:us-east-1": 3}))
    values = by_metric(points)
    full = (("Operation", "apply"), ("Region", "us-east-1"), ("Stack", "bcce"))
    rollup = full[1:]
    assert values[("DeploymentFailures", full)] == values[("DeploymentFailures", rollup)] == 1
    assert values[("DeploymentSuccesses", rollup)] == 0
    assert values[("Deployments", rollup)] == 1
    assert values[("Retries", full)] == 2
    assert values[("DeploymentDuration", full)] == 300.0
    assert {p.timestamp for p in points} == {parse_stamp(END)}
    assert all("c0ffee" not in value for p in points for _, value in p.dimensions)
    for point in points:
        spec = table.find_cloudwatch(point.namespace, point.name)
        assert spec is not None and spec.cloudwatch is not None and spec.cloudwatch.source == "bcce"
        assert frozenset(name for name, _ in point.dimensions) in {frozenset(d) for d in spec.cloudwatch.dimension_sets}
        assert point.unit == spec.cloudwatch.unit


def test_declined_and_planning_runs_are_no_deployments():
    declined = by_metric(run_points(record(exit_code=13, outcome="declined")))
    rollup = (("Region", "us-east-1"), ("Stack", "bcce"))
    assert declined[("DeploymentFailures", rollup)] == 0 and declined[("DeploymentSuccesses", rollup)] == 0
    planned = by_metric(run_points(record(operation="plan", exit_code=2, readiness_score=64)))
    assert not any(name.startswith("Deployment") for name, _ in planned)
    assert planned[("ReadinessScore", rollup)] == 64


def test_a_drift_run_publishes_what_it_found_and_other_runs_nothing_of_drift():
    rollup = (("Region", "us-east-1"), ("Stack", "bcce"))
    drifted = by_metric(run_points(record(operation="drift", exit_code=2, drifted_resources=3)))
    assert drifted[("DriftedResources", rollup)] == 3
    assert not any(name.startswith("Deployment") for name, _ in drifted), "a drift run changes nothing: no deployment"
    assert not any(name == "DriftedResources" for name, _ in by_metric(run_points(record())))


def test_breakers_of_the_stack_and_region_only_with_a_rollup():
    states = {"terraform-apply:bcce:us-east-1": "open", "aws:sts:us-east-1": "closed",
              "terraform-apply:other:us-east-1": "open", "terraform-apply:bcce:eu-west-1": "open"}
    values = by_metric(run_points(record(), states))
    per_breaker = {dict(dims)["Breaker"]: v for (name, dims), v in values.items() if name == "CircuitBreakerOpen" and len(dims) == 3}
    assert per_breaker == {"terraform-apply:bcce:us-east-1": 1, "aws:sts:us-east-1": 0}
    assert values[("CircuitBreakerOpen", (("Region", "us-east-1"), ("Stack", "bcce")))] == 1
    quiet = by_metric(run_points(record(), {"aws:sts:us-east-1": "closed"}))
    assert quiet[("CircuitBreakerOpen", (("Region", "us-east-1"), ("Stack", "bcce")))] == 0


def test_cost_goes_to_the_first_region_and_pool_utilization_in_percent():
    run = record(regions=["eu-west-1", "us-east-1"], aws_clients=[
        {"service": "sts", "region": "us-east-1", "utilization": 0.2}, {"service": "kms", "region": "us-east-1", "utilization": 0.5}])
    points = run_points(run, {}, monthly_cost=1234.5, cost_region="eu-west-1")
    cost = [p for p in points if p.name == "EstimatedMonthlyCost"]
    assert [(dict(p.dimensions)["Region"], p.value) for p in cost] == [("eu-west-1", 1234.5)]
    pool = {dict(p.dimensions)["Region"]: p.value for p in points if p.name == "ClientPoolUtilization"}
    assert pool == {"us-east-1": 50.0}, "no statistics for eu-west-1: no point rather than a made-up one"


def test_a_record_without_stack_region_or_end_has_no_points():
    assert run_points(record(stack="")) == []
    assert run_points(record(regions=[])) == []
    assert run_points(record(end="", start="garbage")) == []


def test_datum_round_trips_and_becomes_a_metric_datum():
    point = run_points(record())[0]
    assert Datum.from_dict(json.loads(json.dumps(point.to_dict()))) == point
    datum = point.metric_datum()
    assert set(datum) == {"MetricName", "Dimensions", "Timestamp", "Value", "Unit"}
    assert datum["Timestamp"].timestamp() == parse_stamp(END)


HISTORY = [
    record(exit_code=0, duration=45.0),
    record(exit_code=5, duration=700.0, attempts={"terraform-apply:bcce:us-east-1": 4}),
    record(operation="destroy", exit_code=0, duration=20.0),
    record(operation="readiness", exit_code=0, readiness_score=81, duration=9.0),
    record(operation="readiness", exit_code=6, readiness_score=55, duration=9.0),
    record(operation="drift", exit_code=2, drifted_resources=3, duration=30.0),
    record(operation="drift", exit_code=0, drifted_resources=0, duration=30.0),
    record(operation="apply", exit_code=None, outcome="running"),
]


def exposition() -> dict[str, Any]:
    collector = HistoryCollector(lambda: list(HISTORY), lambda: {"terraform-apply:bcce:us-east-1": "open", "aws:sts:us-east-1": "closed"},
                                 lambda: Cost("bcce", 1500.25))
    text = generate_latest(registry(collector)).decode()
    samples: dict[str, Any] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_prometheus_values_are_derived_from_the_history():
    samples = exposition()
    apply_labels = (("operation", "apply"), ("region", "us-east-1"), ("stack", "bcce"))
    assert samples[("bcce_deployment_success_total", apply_labels)] == 1
    assert samples[("bcce_deployment_failure_total", apply_labels)] == 1
    assert samples[("bcce_retries_total", apply_labels)] == 3
    assert samples[("bcce_deployment_duration_seconds_count", apply_labels)] == 2
    assert samples[("bcce_deployment_duration_seconds_sum", apply_labels)] == 745.0
    assert samples[("bcce_deployment_duration_seconds_bucket", tuple(sorted(apply_labels + (("le", "60.0"),))))] == 1
    assert samples[("bcce_deployment_duration_seconds_bucket", tuple(sorted(apply_labels + (("le", "900.0"),))))] == 2
    assert samples[("bcce_circuit_breaker_open", (("breaker", "terraform-apply:bcce:us-east-1"),))] == 1
    assert samples[("bcce_circuit_breaker_open", (("breaker", "aws:sts:us-east-1"),))] == 0
    assert samples[("bcce_readiness_score", (("region", "us-east-1"), ("stack", "bcce")))] == 55, "the latest score"
    assert samples[("bcce_monthly_cost", (("stack", "bcce"),))] == 1500.25
    assert samples[("bcce_drifted_resources", (("region", "us-east-1"), ("stack", "bcce")))] == 0, "the latest drift run: in sync again"
    assert not any(name == "bcce_deployment_success_total" and ("operation", "readiness") in labels for name, labels in samples)


def test_the_earlier_cli_s_promql_series_exist():
    # rate(bcce_deployment_success_total[5m]); histogram_quantile(0.95, rate(bcce_deployment_duration_seconds_bucket[5m]));
    # bcce_circuit_breaker_open; increase(bcce_monthly_cost[30d])
    names = {name for name, _ in exposition()}
    assert {"bcce_deployment_success_total", "bcce_deployment_duration_seconds_bucket", "bcce_circuit_breaker_open",
            "bcce_monthly_cost", "bcce_deployment_failure_total", "bcce_retries_total", "bcce_readiness_score"} <= names
    buckets = [labels for name, labels in exposition() if name == "bcce_deployment_duration_seconds_bucket"]
    assert any(("le", "+Inf") in labels for labels in buckets)


def test_every_prometheus_family_is_a_row_of_the_table():
    for family in families(HISTORY, {}, Cost("bcce", 1.0)):
        name = family.name + ("_total" if family.type == "counter" else "")
        row = table.find_prometheus(name)
        assert row is not None and row.prometheus is not None and row.prometheus.type == family.type, name


def assert_in_table(namespace: str, name: str, dimensions: tuple[str, ...], stat: str, where: str) -> None:
    row = table.find_cloudwatch(namespace, name)
    assert row is not None and row.cloudwatch is not None, f"{where}: {namespace}/{name} is not in the table of metrics"
    published = {frozenset(names) for names in row.cloudwatch.dimension_sets}
    assert frozenset(dimensions) in published, f"{where}: {namespace}/{name} is never published with {dimensions}"
    assert stat == row.cloudwatch.statistic, f"{where}: {namespace}/{name} read as {stat}"


def test_generated_dashboard_widgets_name_only_metrics_of_the_table():
    widgets = metric_widgets("bcce", "eu-west-1", 70)
    found = referenced_metrics(widgets)
    assert len(found) >= 12
    for item in found:
        assert_in_table(item.namespace, item.name, item.dimensions, item.stat, "dashboard")
    published = {(m.cloudwatch.namespace, m.cloudwatch.name) for m in table.published_by_bcce() if m.cloudwatch}
    assert published <= {(i.namespace, i.name) for i in found}, "every metric bcce publishes is on the dashboard"
    assert all(w["properties"]["region"] == "eu-west-1" for w in widgets)


def test_the_reader_rejects_what_it_cannot_read():
    with pytest.raises(ValueError):
        referenced_metrics([{"type": "metric", "properties": {"metrics": [["BCCE/Deployments"]]}}])
    with pytest.raises(ValueError):
        referenced_metrics([{"type": "metric", "properties": {"metrics": [[{"expression": "METRICS()"}]]}}])


@pytest.mark.parametrize("generation", [3, 5])
@pytest.mark.parametrize("components", [("security", "monitoring"), ("security", "analytics", "monitoring")], ids="+".join)
def test_every_rendered_alarm_watches_a_metric_of_the_table_as_published(generation, components):
    config = Config.model_validate({"provider": {"generation": generation}, "components": list(components)})
    files, _, _ = render_files(config, StackTarget(config.stack_name, "us-east-1"), RenderOptions(components=components))
    alarms = alarm_metrics(parse(files["modules/monitoring/main.tf"]))
    assert set(alarms) == {"deployment_failures", "circuit_breaker_open", "readiness_below_threshold", "error_rate", "bedrock_throttles"}
    for alarm, watched in alarms.items():
        for namespace, name, dimensions, stat in watched:
            assert_in_table(namespace, name, dimensions, stat, f"alarm {alarm}")
    tfvars = json.loads(files["bcce.auto.tfvars.json"])
    assert json.loads(tfvars["monitoring_metric_widgets"]) == metric_widgets("bcce", "us-east-1", 70)
    assert tfvars["monitoring_readiness_min_score"] == 70
