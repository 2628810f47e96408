"""`bcce doctor` against a stack applied for real (provider 3.39 on the emulator): healthy after
apply; then four things are broken behind bcce's back and exactly those are reported unhealthy."""

from __future__ import annotations

import datetime
import json
import os

import pytest

from bcce_tf import history
from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode
from bcce_tf.metrics.queue import MetricQueue
from tests.integration.test_metrics_publish import metric_values

pytestmark = pytest.mark.integration

CONFIG = {
    "organization_id": "acme", "regions": ["us-east-1"], "components": ["security", "network"], "privatelink": True,
    "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
}


@pytest.fixture()
def project(tmp_path, monkeypatch, provider_mirror):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    return tmp_path


def doctor(url: str, capsys, *components: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = run(["--endpoint-url", url, "doctor", "--component", ",".join(components), "--json"])
    return code, json.loads(capsys.readouterr().out)["health"]


def by_status(health: dict, status: str) -> list[str]:
    return sorted(c["name"] for c in health["checks"] if c["status"] == status)


def test_doctor_healthy_after_apply_then_names_exactly_what_was_broken(project, emulator, capsys):
    url = emulator.url
    since = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    assert run(["--endpoint-url", url, "apply", "--auto-approve", "--force"]) == 0

    code, health = doctor(url, capsys, "credentials", "stacks", "security", "services")
    assert health["verdict"] == "healthy", [c for c in health["checks"] if c["status"] != "healthy"]
    assert code == 0
    names = [c["name"] for c in health["checks"]]
    assert {"caller", "state", "kms-key"} <= set(names)
    buckets = sorted(n.split(":", 1)[1] for n in names if n.startswith("bucket-encryption:"))
    endpoints = sorted(n.split(":", 1)[1] for n in names if n.startswith("vpc-endpoint:"))
    trails = [n for n in names if n.startswith("trail:")]
    assert buckets and endpoints and len(trails) == 1
    assert all(c["stack"] == "bcce-us-east-1" for c in health["checks"] if c["name"] != "caller")

    key_id = next(c for c in health["checks"] if c["name"] == "kms-key")["evidence"].split()[1]
    emulator.client("kms").disable_key(KeyId=key_id)
    emulator.client("s3").delete_bucket_encryption(Bucket=buckets[0])
    emulator.client("cloudtrail").stop_logging(Name=trails[0].split(":", 1)[1])
    emulator.client("ec2").delete_vpc_endpoints(VpcEndpointIds=[endpoints[0]])

    code, health = doctor(url, capsys, "credentials", "stacks", "security", "services")
    assert code == ExitCode.UNHEALTHY
    assert health["verdict"] == "unhealthy"
    assert by_status(health, "unhealthy") == sorted(["kms-key", f"bucket-encryption:{buckets[0]}", trails[0],
                                                      f"vpc-endpoint:{endpoints[0]}"])
    assert by_status(health, "degraded") == [] and by_status(health, "not checked") == []
    evidence = {c["name"]: c for c in health["checks"]}
    assert "Disabled" in evidence["kms-key"]["evidence"] and "enable-key" in evidence["kms-key"]["fix"]
    assert "no default encryption" in evidence[f"bucket-encryption:{buckets[0]}"]["evidence"]
    assert "not logging" in evidence[trails[0]]["evidence"] and "start-logging" in evidence[trails[0]]["fix"]

    capsys.readouterr()
    assert run(["--endpoint-url", url, "doctor", "--component", "security", "--format", "markdown"]) == ExitCode.UNHEALTHY
    out = capsys.readouterr().out
    assert out.startswith("### bcce doctor: unhealthy") and "| security | bcce-us-east-1 | kms-key | unhealthy |" in out

    # Every doctor run above was recorded and sent its breaker states to the emulator: nothing stays queued.
    assert [r["operation"] for r in history.read(history.history_path(dict(os.environ)))].count("doctor") == 3
    assert MetricQueue(environ=os.environ).pending() == []
    counts = metric_values(emulator.client("cloudwatch"), "BCCE/Resilience", "CircuitBreakerOpen",
                           {"Stack": "bcce", "Region": "us-east-1"}, "SampleCount", since)
    assert sum(value for _, value in counts) >= 4, f"one point from the apply and one from each doctor run: {counts}"
