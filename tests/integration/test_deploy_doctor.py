"""`bcce deploy` runs doctor's live checks after a successful apply (provider 3.39 on the emulator):
healthy deploy exits 0; something broken behind bcce's back is named by doctor, and nothing else."""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode

pytestmark = pytest.mark.integration

CONFIG = {
    "organization_id": "acme", "regions": ["us-east-1"], "components": ["security", "network"], "privatelink": True,
    "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
}


@pytest.fixture()
def project(tmp_path, monkeypatch, provider_mirror):  # noqa: ANN001, ANN201
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    return tmp_path


def test_deploy_reports_doctor_healthy_then_doctor_names_what_was_broken(project, ready_emulator, capsys):
    url = ready_emulator.url
    code = run(["--endpoint-url", url, "deploy", "--min-score", "10"])
    captured = capsys.readouterr()
    assert code == ExitCode.OK, captured.err[-3000:]
    out = captured.out
    assert "Deploy complete (readiness score " in out
    # doctor ran on what was deployed, after the apply: its checks and verdict follow the deploy line
    tail = out.split("Deploy complete", 1)[1]
    assert "security:" in tail and "services:" in tail and "[ok] bcce-us-east-1 kms-key:" in tail
    assert "[UNHEALTHY]" not in tail and "[not checked]" not in tail
    # moto's tagging API names flow logs `flow-logs/fl-...` where AWS and the state say `vpc-flow-log/fl-...`:
    # doctor's orphan search sees the stack's flow log as untracked; degraded does not fail a deploy.
    degraded = [line for line in tail.splitlines() if "[DEGRADED]" in line]
    assert all("tagged-not-in-state" in line and "flow-logs/fl-" in line for line in degraded), degraded
    assert tail.splitlines()[-1].startswith(("health: healthy", "health: degraded"))
    assert "deployed; doctor found" in captured.err
    # the apply was estimated before it ran (nothing seen yet: table and default), then timed and kept
    assert "bcce-us-east-1: Estimated apply time: " in captured.err
    assert "(0 of " in captured.err and "(estimated " in captured.err
    capsys.readouterr()
    assert run(["debug", "--component", "durations", "--format", "json"]) == 0
    durations = json.loads(capsys.readouterr().out)["durations"]
    seen = {(t["resource_type"], t["action"]): t for t in durations["types"]}
    assert len(durations["errors"]) == 1 and durations["errors"][0]["actual"] > 0, "the estimate's error is kept"
    assert seen[("aws_kms_key", "create")]["samples"] == 1 and ("aws_vpc_endpoint", "create") in seen
    key_id = next(line for line in tail.splitlines() if " kms-key: " in line).split(" kms-key: ", 1)[1].split()[1]

    ready_emulator.client("kms").disable_key(KeyId=key_id)

    assert run(["--endpoint-url", url, "doctor", "--component", "credentials,stacks,security,services", "--json"]) \
        == ExitCode.UNHEALTHY
    health = json.loads(capsys.readouterr().out)["health"]
    assert [c["name"] for c in health["checks"] if c["status"] != "healthy"] == ["kms-key"]
    assert "Disabled" in next(c for c in health["checks"] if c["name"] == "kms-key")["evidence"]


DASHBOARDS = {
    "organization_id": "acme", "regions": ["us-east-1"], "components": ["dashboards"], "privatelink": False,
    "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
    "dashboard": {"platform": "grafana", "deletion_protection": False, "skip_final_snapshot": True},
}


def test_deploy_exits_14_when_doctor_finds_what_terraform_does_not_repair(tmp_path, monkeypatch, ready_emulator,
                                                                          provider_mirror, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    monkeypatch.setenv("BCCE_DASHBOARD_DB_PASSWORD", "KnownDashboardPassw0rd4Test")
    (tmp_path / "bcce.json").write_text(json.dumps(DASHBOARDS))
    url = ready_emulator.url
    code = run(["--endpoint-url", url, "deploy", "--min-score", "10"])
    captured = capsys.readouterr()
    assert code == ExitCode.OK, captured.err[-3000:]
    line = next(l for l in captured.out.splitlines() if " dashboards-instance:" in l)
    assert line.lstrip().startswith("[ok]"), line
    instance_id = line.split("dashboards-instance:", 1)[1].split(":", 1)[0]

    # A stopped instance is no drift to Terraform (its state is not an argument): the next deploy
    # changes nothing, and its doctor names the instance; the deploy exits 14 and keeps what it applied.
    ready_emulator.client("ec2").stop_instances(InstanceIds=[instance_id])
    code = run(["--endpoint-url", url, "deploy", "--min-score", "10"])
    captured = capsys.readouterr()
    assert code == ExitCode.UNHEALTHY, captured.err[-3000:]
    assert "Deploy complete" in captured.out
    unhealthy = [l for l in captured.out.splitlines() if "[UNHEALTHY]" in l]
    assert len(unhealthy) == 1 and f"dashboards-instance:{instance_id}: dashboards instance {instance_id} is stopped" in unhealthy[0]
    assert (f"the apply succeeded and is kept, but doctor found 1 unhealthy check(s): "
            f"bcce-us-east-1 dashboards-instance:{instance_id}") in captured.err
    assert "aws ec2 start-instances" in captured.out
