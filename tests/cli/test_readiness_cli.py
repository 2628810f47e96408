"""`bcce readiness`, `bcce deploy --dry-run`, the gate in front of plan, and `bcce external ...`,
in process against the emulator."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode

CONFIG = {"monitoring": {"alarm_email": "platform@example.com", "monthly_budget_usd": 1_000_000},
          "regions": ["us-east-1", "us-west-2"], "provider": {"generation": 3}}


@pytest.fixture()
def project(tmp_path, monkeypatch, ready_emulator):  # noqa: ANN001, ANN201
    """The config, in an account made ready as `bcce local up --ready` makes it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    return tmp_path


def bcce(emulator, *args: str) -> int:  # noqa: ANN001
    return run(["--endpoint-url", emulator.url, *args])


def test_readiness_prints_the_checklist_and_passes_a_low_threshold(project, emulator, capsys):
    assert bcce(emulator, "readiness", "--min-score", "0") == ExitCode.OK
    out = capsys.readouterr().out
    assert "[PASS] AWS credentials are valid (security.credentials, critical)" in out
    assert "[SKIP] Caller may do what the deployment needs (permissions.simulation, high)" in out
    assert "[PASS] CloudTrail is logging in us-west-2 (security.cloudtrail.us-west-2, critical)" in out
    assert "[FAIL] Root user has MFA (security.root-mfa, high)" in out
    assert "(minimum 0): READY" in out


def test_an_account_without_a_logging_trail_is_refused_whatever_the_threshold(project, emulator, monkeypatch, capsys):
    emulator.client("cloudtrail").stop_logging(Name="account-trail")
    assert bcce(emulator, "readiness", "--min-score", "0") == ExitCode.READINESS_GATE
    out = capsys.readouterr().out
    assert "[FAIL] CloudTrail is logging in us-east-1 (security.cloudtrail.us-east-1, critical)" in out
    assert "trail(s) account-trail cover us-east-1 but are not logging" in out
    assert "(minimum 0): BLOCKED" in out
    monkeypatch.setenv("BCCE_MIN_SCORE", "0")
    assert bcce(emulator, "--region", "us-east-1", "plan", "--component", "security") == ExitCode.READINESS_GATE
    err = capsys.readouterr().err
    assert "readiness gate refused: critical check failed: security.cloudtrail.us-east-1 (trail(s) account-trail" in err


def test_readiness_exits_6_below_the_threshold(project, emulator, capsys):
    assert bcce(emulator, "readiness", "--min-score", "100") == ExitCode.READINESS_GATE
    assert "(minimum 100): BLOCKED - score" in capsys.readouterr().out


def test_threshold_from_the_environment_then_the_config(project, emulator, monkeypatch, capsys):
    monkeypatch.setenv("BCCE_MIN_SCORE", "100")
    assert bcce(emulator, "readiness", "-f", "json") == ExitCode.READINESS_GATE
    assert json.loads(capsys.readouterr().out)["min_score"] == 100
    monkeypatch.delenv("BCCE_MIN_SCORE")
    (project / "bcce.json").write_text(json.dumps({**CONFIG, "readiness": {"min_score": 5}}))
    assert bcce(emulator, "readiness", "-f", "json") == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["min_score"] == 5
    monkeypatch.setenv("BCCE_MIN_SCORE", "lots")
    assert bcce(emulator, "readiness") == ExitCode.USAGE
    assert "BCCE_MIN_SCORE must be a whole number" in capsys.readouterr().err


def test_json_report(project, emulator, capsys):
    bcce(emulator, "readiness", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["regions"] == ["us-east-1", "us-west-2"]
    assert data["facts"]["account_id"] == "123456789012"
    checks = {c["id"]: c for c in data["checks"]}
    assert checks["region.bedrock-models.us-west-2"]["status"] == "passed"
    assert checks["region.model-access.us-west-2"]["status"] == "passed"
    assert data["score"] == min(100, data["score"]) and data["status"] in ("ready", "blocked")


def test_markdown_goes_to_the_github_step_summary(project, emulator, monkeypatch, capsys):
    summary = project / "summary.md"
    summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    bcce(emulator, "readiness", "--format", "markdown", "--min-score", "0")
    out = capsys.readouterr().out
    assert out.startswith("## ✅ bcce readiness: ")
    text = summary.read_text()
    assert text.startswith("# earlier step\n## ✅ bcce readiness: ")
    assert text.count("| | Check | Impact | Evidence |") == 1
    bcce(emulator, "readiness", "--format", "text", "--min-score", "0")
    assert summary.read_text() == text, "only Markdown runs add to the summary"


def test_several_outputs_in_one_run(project, emulator, capsys):
    code = bcce(emulator, "readiness", "--min-score", "100", "--format", "markdown", "--output", "out/readiness.md",
                "--output", "junit:out/readiness.xml", "--output", "json:out/readiness.json")
    assert code == ExitCode.READINESS_GATE
    captured = capsys.readouterr()
    assert captured.out == "", "the report went to the file"
    assert "Readiness score:" in captured.err and "BLOCKED" in captured.err
    md = (project / "out/readiness.md").read_text()
    data = json.loads((project / "out/readiness.json").read_text())
    assert f"bcce readiness: {data['score']}/100 (blocked)" in md
    suite = ET.fromstring((project / "out/readiness.xml").read_text().split("\n", 1)[1]).find("testsuite")
    assert suite is not None and int(suite.get("tests")) == len(data["checks"])
    assert int(suite.get("skipped")) == data["counts"]["not_checked"]
    assert int(suite.get("failures")) == data["counts"]["failed"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["readiness", "--format", "html"], "--format must be one of text, json, markdown, junit"),
        (["readiness", "-o", "a.txt", "-o", "b.txt"], "at most one --output without a FORMAT: prefix"),
    ],
)
def test_bad_usage_fails_before_any_aws_call(project, emulator, capsys, args, message):
    assert bcce(emulator, *args) == ExitCode.USAGE
    assert message in capsys.readouterr().err


def test_min_score_flag_range(project, emulator, capsys):
    assert bcce(emulator, "readiness", "--min-score", "101") == ExitCode.USAGE


def test_deploy_dry_run_is_readiness(project, emulator, capsys):
    assert bcce(emulator, "deploy", "--dry-run", "--min-score", "0", "-f", "json") == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["regions"] == ["us-east-1", "us-west-2"]


@pytest.mark.parametrize(
    "args",
    [
        ["--region", "us-west-2", "--stack-name", "pilot", "deploy", "--dry-run"],
        ["deploy", "--dry-run", "--region", "us-west-2", "--stack-name", "pilot"],
    ],
)
def test_deploy_takes_region_and_stack_name_before_or_after_the_command(project, emulator, capsys, args):
    assert bcce(emulator, *args, "--min-score", "0", "-f", "json") == ExitCode.OK
    data = json.loads(capsys.readouterr().out)
    assert data["regions"] == ["us-west-2"]
    names = {c["id"]: c["evidence"] for c in data["checks"]}["configuration.names"]
    assert "pilot-default-123456789012-us-west-2-" in names


def test_deploy_component_narrows_the_checks(project, emulator, capsys):
    assert bcce(emulator, "deploy", "--dry-run", "--component", "security", "--min-score", "0", "-f", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["components"] == ["security"]
    assert not [c for c in data["checks"] if c["category"] == "capacity"]


def test_deploy_refuses_a_region_outside_the_config(project, emulator, capsys):
    assert bcce(emulator, "deploy", "--dry-run", "--region", "eu-west-1") == ExitCode.USAGE
    assert "not one of the config's regions" in capsys.readouterr().err


def test_plan_is_refused_below_the_threshold(project, emulator, monkeypatch, capsys):
    monkeypatch.setenv("BCCE_MIN_SCORE", "100")
    assert bcce(emulator, "--region", "us-east-1", "plan", "--component", "security") == ExitCode.READINESS_GATE
    err = capsys.readouterr().err
    assert "readiness gate refused: score" in err and "below the minimum 100" in err
    assert "pass --force" in err
    assert not list(project.rglob("bcce.tfplan")), "nothing was planned"


def test_deploy_is_refused_on_a_critical_failure(project, emulator, capsys):
    (project / "bcce.json").write_text(json.dumps({**CONFIG, "regions": ["us-east-1", "ap-east-1"]}))
    assert bcce(emulator, "deploy", "--component", "security", "--min-score", "0") == ExitCode.READINESS_GATE
    err = capsys.readouterr().err
    assert "critical check failed: region.services.ap-east-1 (ap-east-1 does not offer: bedrock)" in err


def test_gate_records_the_score_for_the_run_history(project, emulator, capsys):
    bcce(emulator, "readiness", "--min-score", "0", "-f", "json")
    score = json.loads(capsys.readouterr().out)["score"]
    from bcce_tf.history import history_path

    path = history_path()
    if not path.exists():
        pytest.skip("this build keeps no run history")
    last = json.loads(path.read_text().splitlines()[-1])
    assert last["operation"] == "readiness" and last["readiness_score"] == score


def test_external_account_in_process(project, emulator, monkeypatch, capsys):
    monkeypatch.setenv("BCCE_CACHE_DIR", str(project / "cache"))
    monkeypatch.setattr("sys.stdin", io.StringIO('{"region": "eu-west-1"}'))
    assert bcce(emulator, "external", "account") == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {"account_id": "123456789012", "partition": "aws",
                               "caller_arn": "arn:aws:sts::123456789012:user/moto", "is_root": "false",
                               "region": "eu-west-1"}


def test_external_preflight_in_process(project, emulator, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"min_score": "100", "region": "us-east-1"}'))
    assert bcce(emulator, "external", "preflight") == 0, "a blocked account is an answer, not a failure"
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "blocked" and result["min_score"] == "100"
    assert "permissions.simulation" in result["not_checked"].split(",")
    assert all(isinstance(v, str) for v in result.values())
