"""The resilience side of the CLI in process: retry flags and their precedence, the run banner
and run record, `bcce doctor` and `bcce reset-circuit-breaker`, and an open breaker failing fast."""

from __future__ import annotations

import json
import os

import pytest

from bcce_tf.__main__ import run
from bcce_tf.cli.common import GlobalOptions
from bcce_tf.cli.runtime import resilience_for
from bcce_tf.config import Config
from bcce_tf.exit_codes import ExitCode
from bcce_tf.history import history_path
from bcce_tf.resilience.breaker import CircuitBreaker, FileBreakerStore

RUN_ID = "5eed5eed5eed5eed"
APPLY_BREAKER = "terraform-apply:bcce:us-east-1"
INIT_BREAKER = "terraform-init:bcce:us-east-1"
PLAN_BREAKER = "terraform-plan:bcce:us-east-1"
CONFIG = {"organization_id": "acme", "components": ["security"], "provider": {"generation": 3},
          "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True}}


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_CORRELATION_ID", RUN_ID)
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    return tmp_path


def store() -> FileBreakerStore:
    return FileBreakerStore(environ=os.environ)


def open_breaker(name: str, reason: str = "retries exhausted: send-request-failed") -> None:
    CircuitBreaker(name, store(), fail_max=1, reset_timeout=60).record_failure(reason)


def runs() -> list[dict]:
    path = history_path(dict(os.environ))
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# -- retry settings: flag > config > environment > default -----------------------------------

@pytest.mark.parametrize(
    ("flag", "config", "env", "expected"),
    [
        (None, None, None, 5),
        (None, None, "4", 4),
        (None, 3, "4", 3),
        (2, 3, "4", 2),
        (7, None, None, 7),
    ],
)
def test_max_attempts_precedence(flag, config, env, expected):
    cfg = Config.model_validate({"resilience": {"max_attempts": config}} if config else {})
    environ = {"BCCE_RETRY_MAX_ATTEMPTS": env} if env else {}
    policy = resilience_for(cfg, environ, [], opts=GlobalOptions(max_attempts=flag)).policy
    assert policy.max_attempts == expected


def test_seconds_and_lock_timeout_precedence():
    cfg = Config.model_validate({"resilience": {"max_seconds": 100, "lock_timeout": 50}})
    environ = {"BCCE_RETRY_MAX_SECONDS": "10", "BCCE_LOCK_TIMEOUT": "5"}
    from_config = resilience_for(cfg, environ, []).policy
    assert (from_config.max_seconds, from_config.lock_timeout) == (100, 50)
    from_flags = resilience_for(cfg, environ, [], opts=GlobalOptions(max_retry_seconds=30, lock_timeout=1)).policy
    assert (from_flags.max_seconds, from_flags.lock_timeout) == (30, 1)
    assert resilience_for(Config(), environ, []).policy.lock_timeout == 5


def test_retry_flags_reach_the_run(project, capsys, monkeypatch):
    monkeypatch.setenv("BCCE_RETRY_MAX_ATTEMPTS", "9")
    open_breaker(PLAN_BREAKER)
    code = run(["--verbose", "--max-attempts", "2", "--max-retry-seconds", "30", "--lock-timeout", "1", "plan", "--force"])
    assert code == ExitCode.CIRCUIT_OPEN
    err = capsys.readouterr().err
    assert "retry policy: max_attempts=2 max_seconds=30 lock_timeout=1 " in err


@pytest.mark.parametrize("args", [["--max-attempts", "0"], ["--max-attempts", "many"], ["--lock-timeout", "-1"],
                                  ["--max-retry-seconds", "x"]])
def test_bad_retry_flags_are_usage_errors(project, capsys, args):
    assert run([*args, "doctor"]) == ExitCode.USAGE


def test_bad_breaker_store_setting_is_a_usage_error(project, capsys, monkeypatch):
    monkeypatch.setenv("BCCE_BREAKER_STORE", "redis")
    assert run(["doctor"]) == ExitCode.USAGE
    assert "BCCE_BREAKER_STORE must be 'file' or 'dynamodb'" in capsys.readouterr().err


# -- an open breaker, the banner and the run record ------------------------------------------

def test_open_breaker_fails_fast_with_its_name_and_retry_time(project, capsys):
    open_breaker(PLAN_BREAKER)
    assert run(["plan", "--force"]) == ExitCode.CIRCUIT_OPEN
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"bcce run {RUN_ID}", "the run is announced before it touches AWS or Terraform"
    assert f"circuit breaker '{PLAN_BREAKER}' is open since" in err[-1]
    assert "next attempt allowed at 20" in err[-1] and f"bcce reset-circuit-breaker {PLAN_BREAKER}" in err[-1]
    assert RUN_ID not in err[-1], "the banner already named the run"
    assert len(err) == 2, "nothing ran before the breaker said no: no readiness check, no render"
    assert not (project / ".bcce").exists()

    [record] = runs()
    assert record["operation"] == "plan" and record["correlation_id"] == RUN_ID
    assert (record["outcome"], record["exit_code"]) == ("circuit-open", 8)
    assert record["stack"] == "bcce" and record["regions"] == ["us-east-1"]
    assert "is open since" in record["error"] and record["start"] <= record["end"]


def test_open_init_breaker_stops_the_run_before_terraform(project, capsys):
    """Breakers other than the command's own are met where the operation runs: init comes first."""
    open_breaker(INIT_BREAKER)
    assert run(["--endpoint-url", "http://127.0.0.1:9", "destroy", "--auto-approve"]) == ExitCode.CIRCUIT_OPEN
    assert f"circuit breaker '{INIT_BREAKER}' is open" in capsys.readouterr().err
    assert not (project / ".bcce/stacks/bcce-us-east-1/.terraform").exists(), "Terraform never ran"


def test_quiet_hides_the_banner_and_the_error_names_the_run(project, capsys):
    open_breaker(PLAN_BREAKER)
    assert run(["--quiet", "plan", "--force"]) == ExitCode.CIRCUIT_OPEN
    err = capsys.readouterr().err.splitlines()
    assert f"bcce run {RUN_ID}" not in err
    assert err[-1].startswith("error: circuit breaker") and err[-1].endswith(f"(run {RUN_ID})")


def test_json_log_lines_of_a_failed_run_carry_the_operation(project, capsys):
    open_breaker(PLAN_BREAKER)
    assert run(["--log-format", "json", "plan", "--force"]) == ExitCode.CIRCUIT_OPEN
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert all(line["correlation_id"] == RUN_ID for line in lines)
    assert lines[0]["message"] == f"bcce run {RUN_ID}"
    error = lines[-1]
    assert error["level"] == "error"
    assert (error["operation"], error["stack"], error["region"]) == ("terraform-plan", "bcce", "us-east-1")


def test_a_failed_config_is_recorded_too(project, capsys):
    (project / "bcce.json").write_text("{not json")
    assert run(["apply", "--auto-approve"]) == ExitCode.CONFIG_INVALID
    [record] = runs()
    assert (record["operation"], record["outcome"], record["exit_code"]) == ("apply", "config-invalid", 4)
    assert "not valid JSON" in record["error"]


def test_commands_that_change_nothing_leave_no_record(project, capsys):
    assert run(["render"]) == 0
    assert runs() == []


def test_doctor_is_a_recorded_run(project, capsys):
    assert run(["doctor", "--component", "circuit-breakers,history"]) == 0
    [record] = runs()
    assert (record["operation"], record["outcome"], record["exit_code"]) == ("doctor", "success", 0)
    assert run(["doctor", "--component", "history"]) == 0
    assert [r["operation"] for r in runs()] == ["doctor", "doctor"], "whatever its components, a doctor run is recorded"


def test_state_bootstrap_sends_the_run_id_and_is_recorded(project, emulator, capsys):
    from tests.support.fault_proxy import FaultProxy

    data = {**CONFIG, "backend": {"type": "s3", "bucket": "acme-bcce-state", "lock_table": "acme-bcce-locks"}}
    (project / "bcce.json").write_text(json.dumps(data))
    with FaultProxy(emulator.url, lifetime=60) as proxy:
        assert run(["--endpoint-url", proxy.url, "state", "bootstrap"]) == 0
        agents = proxy.user_agents()
    assert {"s3:HEAD /acme-bcce-state", "dynamodb:CreateTable"} <= set(proxy.counts())
    assert agents and all(f"bcce-run/{RUN_ID}" in agent.split() for agent in agents)
    [record] = runs()
    assert (record["operation"], record["outcome"], record["regions"]) == ("state bootstrap", "success", ["us-east-1"])
    assert record["attempts"] == {"aws:s3:us-east-1": 1, "aws:dynamodb:us-east-1": 1}


def test_readiness_is_announced_and_recorded(project, emulator, capsys):
    code = run(["--endpoint-url", emulator.url, "readiness"])
    assert capsys.readouterr().err.splitlines()[0] == f"bcce run {RUN_ID}"
    [record] = runs()
    assert (record["operation"], record["exit_code"], record["correlation_id"]) == ("readiness", code, RUN_ID)
    assert record["readiness_score"] is not None


# -- doctor and reset-circuit-breaker --------------------------------------------------------

def test_doctor_on_a_fresh_machine(project, capsys):
    assert run(["doctor", "--component", "circuit-breakers,history"]) == 0
    out = capsys.readouterr().out
    assert out.count("none recorded yet") == 2
    assert "circuit-breakers.json" in out and "runs.jsonl" in out


def test_doctor_lists_breakers_and_runs(project, capsys):
    open_breaker(APPLY_BREAKER, "retries exhausted: aws-throttling: ThrottlingException: Rate exceeded")
    CircuitBreaker(INIT_BREAKER, store()).record_success()
    assert run(["state", "bootstrap"]) == ExitCode.USAGE  # a recorded run: the config names no state bucket
    capsys.readouterr()

    assert run(["doctor", "--component", "circuit-breakers", "--component", "history"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.strip().startswith(APPLY_BREAKER))
    assert row.split()[1:3] == ["open", "1"]
    assert "ThrottlingException" in row and row.count("Z ") >= 1
    assert any(line.strip().startswith(INIT_BREAKER) and line.split()[1] == "closed" for line in out.splitlines())
    assert RUN_ID in out and " state bootstrap " in out and " usage " in out

    assert run(["doctor", "--component", "circuit-breakers,history", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    [apply_view] = [b for b in report["circuit_breakers"] if b["name"] == APPLY_BREAKER]
    assert apply_view["state"] == "open" and apply_view["failures"] == 1
    assert apply_view["opened_at"].endswith("Z") and apply_view["retry_at"] > apply_view["opened_at"]
    assert apply_view["last_failure_reason"].startswith("retries exhausted")
    assert [r["operation"] for r in report["runs"]][-2:] == ["state bootstrap", "doctor"], "the doctor run before is recorded too"
    assert report["runs"][-2]["correlation_id"] == RUN_ID

    assert run(["doctor", "--component", "history", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"runs"}
    assert run(["doctor", "--component", "circuit-breakers", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"circuit_breakers"}
    assert run(["doctor", "--component", "breakers"]) == ExitCode.USAGE


def test_reset_one_breaker(project, capsys):
    open_breaker(APPLY_BREAKER)
    assert run(["reset-circuit-breaker", APPLY_BREAKER]) == 0
    assert capsys.readouterr().out.strip() == f"{APPLY_BREAKER}: closed (was open)"
    record = store().read(APPLY_BREAKER)
    assert (record.state, record.failures, record.opened_at) == ("closed", 0, None)


def test_reset_unknown_breaker_lists_the_known_ones(project, capsys):
    open_breaker(APPLY_BREAKER)
    assert run(["reset-circuit-breaker", "terraform-apply:bcce:eu-west-9"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "no circuit breaker named 'terraform-apply:bcce:eu-west-9'" in err and APPLY_BREAKER in err
    assert store().read(APPLY_BREAKER).state == "open"


def test_reset_all(project, capsys):
    open_breaker(APPLY_BREAKER)
    open_breaker(INIT_BREAKER)
    assert run(["reset-circuit-breaker", "--all"]) == 0
    assert sorted(capsys.readouterr().out.splitlines()) == [f"{APPLY_BREAKER}: closed (was open)",
                                                          f"{INIT_BREAKER}: closed (was open)"]
    assert {r.state for r in store().read_all().values()} == {"closed"}


@pytest.mark.parametrize("args", [[], [APPLY_BREAKER, "--all"]])
def test_reset_needs_exactly_one_of_name_and_all(project, capsys, args):
    open_breaker(APPLY_BREAKER)
    assert run(["reset-circuit-breaker", *args]) == ExitCode.USAGE
    assert f"known: {APPLY_BREAKER}" in capsys.readouterr().err
