"""`bcce deploy`: readiness, plan and apply in one go against the emulator; the gate's --force."""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode

pytestmark = pytest.mark.integration

CONFIG = {
    "organization_id": "deploy", "regions": ["us-east-1", "us-west-2"], "guardrails": False,
    "provider": {"generation": 3}, "monitoring": {"alarm_email": "platform@example.com"},
    "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
}


@pytest.fixture()
def project(tmp_path, monkeypatch, emulator, provider_mirror):  # noqa: ANN001, ANN201
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    return tmp_path


def buckets(emulator) -> list[str]:  # noqa: ANN001
    return sorted(b["Name"] for b in emulator.client("s3").list_buckets().get("Buckets", []))


def test_deploy_runs_readiness_plan_and_apply(project, emulator, capsys):
    emulator.make_ready("us-west-2")  # a logging trail: no critical check fails, the threshold decides
    code = run(["--endpoint-url", emulator.url, "deploy", "--component", "security", "--region", "us-west-2",
                "--stack-name", "pilot", "--min-score", "10"])
    captured = capsys.readouterr()
    assert code == ExitCode.OK, captured.err[-3000:]
    assert "Plan for pilot-us-west-2:" in captured.out
    assert "Deploy complete (readiness score " in captured.out
    assert "Readiness score:" in captured.err and "READY" in captured.err
    assert "pilot-deploy-123456789012-us-west-2-trail" in buckets(emulator)
    summary = json.loads((project / ".bcce/stacks/pilot-us-west-2/bcce-plan-summary.json").read_text())
    assert summary["readiness_score"] is not None and summary["readiness_score"] >= 10
    assert not (project / ".bcce/stacks/pilot-us-east-1").exists(), "only the chosen region"


def test_force_deploys_past_the_gate_with_a_loud_warning(project, emulator, monkeypatch, capsys):
    monkeypatch.setenv("BCCE_MIN_SCORE", "100")
    assert run(["--endpoint-url", emulator.url, "--region", "us-east-1", "deploy", "--component", "security"]) \
        == ExitCode.READINESS_GATE
    assert not buckets(emulator)
    capsys.readouterr()
    code = run(["--endpoint-url", emulator.url, "--region", "us-east-1", "deploy", "--component", "security", "--force"])
    err = capsys.readouterr().err
    assert code == ExitCode.OK, err[-3000:]
    assert "READINESS GATE OVERRIDDEN WITH --force" in err
    assert "below the minimum 100" in err
    assert "bcce-deploy-123456789012-us-east-1-trail" in buckets(emulator)
