"""bcce's metrics on the emulator, end to end: the CLI applies security + monitoring (real
Terraform, hashicorp/aws 3.39, moto server over HTTP), publishes after each run, and the alarms
Terraform created are read back with DescribeAlarms and answered with GetMetricData under their
exact namespace, name and dimensions.

The fault proxy in front of the emulator makes the second apply fail (connections to KMS reset)
and resets PutMetricData while that run publishes, as a network that dies at the end of a run
would: the points wait in the queue and the next run sends them with their own timestamps."""

from __future__ import annotations

import datetime
import json
import os
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode
from bcce_tf.metrics import table
from bcce_tf.metrics.cloudwatch_dashboard import referenced_metrics
from bcce_tf.metrics.queue import MetricQueue
from tests.support.fault_proxy import FaultProxy
from tests.support.metrics import described_alarm_metrics

pytestmark = pytest.mark.integration

CONFIG: dict[str, Any] = {
    "organization_id": "acme", "regions": ["us-east-1"], "components": ["security", "monitoring"],
    "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
}
STACK_DIMENSIONS = {"Stack": "bcce", "Region": "us-east-1"}
PUT_METRIC_DATA = "monitoring:PutMetricData"


def metric_values(cloudwatch: Any, namespace: str, name: str, dimensions: dict[str, str], stat: str,
                  since: datetime.datetime) -> list[tuple[datetime.datetime, float]]:
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": {
            "Namespace": namespace, "MetricName": name,
            # Sorted by name like bcce's points and Terraform's maps: the emulator matches dimensions in order.
            "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(dimensions.items())]}, "Period": 60, "Stat": stat}}],
        StartTime=since, EndTime=now)
    [result] = answer["MetricDataResults"]
    return list(zip(result["Timestamps"], result["Values"]))


def minute(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch - epoch % 60, tz=datetime.timezone.utc)


def test_alarms_find_what_bcce_publishes_and_a_dead_network_loses_no_point(emulator, provider_mirror, tmp_path,
                                                                         monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    monkeypatch.setenv("BCCE_RETRY_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("BCCE_READINESS_CHECK_TIMEOUT", "5")
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    cloudwatch = emulator.client("cloudwatch")
    queue = MetricQueue(environ=os.environ)

    with FaultProxy(emulator.url) as proxy:
        url = ["--endpoint-url", proxy.url]
        assert run([*url, "apply", "--auto-approve", "--force"]) == 0
        assert proxy.count(PUT_METRIC_DATA) >= 1 and queue.pending() == []

        alarms = {a["AlarmName"].removeprefix("bcce-acme-"): a
                  for a in cloudwatch.describe_alarms(AlarmNamePrefix="bcce-acme-")["MetricAlarms"]}
        assert set(alarms) == {"deployment-failures", "circuit-breaker-open", "readiness-below-threshold",
                               "claude-code-error-rate", "bedrock-throttles"}
        # Every alarm Terraform created reads metrics of the table, with dimensions they are published with.
        for name, alarm in alarms.items():
            for namespace, metric_name, dimensions, stat in described_alarm_metrics(alarm):
                row = table.find_cloudwatch(namespace, metric_name)
                assert row is not None and row.cloudwatch is not None, name
                assert frozenset(dimensions) in {frozenset(s) for s in row.cloudwatch.dimension_sets}, name
                assert stat == row.cloudwatch.statistic, name
                assert alarm.get("Unit") in (None, row.cloudwatch.unit), name
                if row.cloudwatch.source == "bcce":
                    assert dimensions == STACK_DIMENSIONS, name
        dashboard = json.loads(cloudwatch.get_dashboard(DashboardName="bcce-acme-us-east-1")["DashboardBody"])
        for item in referenced_metrics(dashboard["widgets"]):
            row = table.find_cloudwatch(item.namespace, item.name)
            assert row is not None and frozenset(item.dimensions) in {frozenset(s) for s in row.cloudwatch.dimension_sets}

        # The failing apply: KMS connections reset (bcce gives up after one attempt), and every
        # PutMetricData of its publishing is reset too.
        proxy.add_rule("kms:*", "reset")
        proxy.add_rule(PUT_METRIC_DATA, "reset")
        capsys.readouterr()
        assert run([*url, "apply", "--auto-approve", "--force"]) == ExitCode.RETRIES_EXHAUSTED
        err = capsys.readouterr().err
        assert "could not publish metrics to CloudWatch" in err
        kept = [entry.datum for entry in queue.pending()]
        failures = [d for d in kept if d.name == "DeploymentFailures" and dict(d.dimensions) == STACK_DIMENSIONS]
        assert [d.value for d in failures] == [1.0]
        failed_at = failures[0].timestamp
        assert not any(v for _, v in metric_values(cloudwatch, "BCCE/Deployments", "DeploymentFailures", STACK_DIMENSIONS, "Sum", since))

        # The next run, with the network back, sends the kept points first, with their timestamps.
        proxy.clear_rules()
        assert run([*url, "apply", "--auto-approve", "--force"]) == 0
    assert queue.pending() == []

    alarm = alarms["deployment-failures"]
    [(namespace, name, dimensions, stat)] = described_alarm_metrics(alarm)
    values = metric_values(cloudwatch, namespace, name, dimensions, stat, since)
    assert sum(v for _, v in values) == 1 and alarm["Threshold"] == 1, values
    # the point kept its original timestamp: it falls in the period that holds it (the emulator's periods
    # start at the query's StartTime, not on the minute)
    assert any(v == 1.0 and t.timestamp() <= failed_at < t.timestamp() + 60 for t, v in values), (failed_at, values)
    for datum in kept:  # every kept point is now in CloudWatch, in the period that holds its timestamp
        found = metric_values(cloudwatch, datum.namespace, datum.name, dict(datum.dimensions), "SampleCount", since)
        assert any(t.timestamp() <= datum.timestamp < t.timestamp() + 60 for t, _ in found), datum
    for key in ("deployment-failures", "circuit-breaker-open", "readiness-below-threshold"):
        [(namespace, name, dimensions, stat)] = described_alarm_metrics(alarms[key])
        assert metric_values(cloudwatch, namespace, name, dimensions, stat, since), f"alarm {key} has no data points"
    deployments = metric_values(cloudwatch, "BCCE/Deployments", "Deployments",
                                {**STACK_DIMENSIONS, "Operation": "apply"}, "Sum", since)
    assert sum(v for _, v in deployments) == 3

    # Prometheus from the same history: the earlier CLI's series are there with these counts.
    capsys.readouterr()
    assert run(["metrics"]) == 0
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(capsys.readouterr().out) for s in family.samples}
    labels = (("operation", "apply"), ("region", "us-east-1"), ("stack", "bcce"))
    assert samples[("bcce_deployment_success_total", labels)] == 2
    assert samples[("bcce_deployment_failure_total", labels)] == 1
    assert samples[("bcce_deployment_duration_seconds_count", labels)] == 3
    assert ("bcce_circuit_breaker_open", (("breaker", "terraform-apply:bcce:us-east-1"),)) in samples
    assert ("bcce_monthly_cost", (("stack", "bcce"),)) in samples

    assert run(["--endpoint-url", emulator.url, "destroy", "--auto-approve", "--delete-data"]) == 0
