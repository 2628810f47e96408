"""`--force` past the readiness gate: refused when the config or the environment forbids it, and
recorded (who, when, score, failures) when it is allowed. In process against the emulator."""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run
from bcce_tf.config import Config
from bcce_tf.errors import UsageError
from bcce_tf.exit_codes import ExitCode
from bcce_tf.history import history_path
from bcce_tf.readiness import force_forbidden_by

CONFIG = {"regions": ["us-east-1"], "provider": {"generation": 3}}


@pytest.fixture()
def project(tmp_path, monkeypatch, emulator):  # noqa: ANN001, ANN201
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    monkeypatch.setenv("BCCE_MIN_SCORE", "100")  # the fresh emulator account cannot reach it
    return tmp_path


def bcce(emulator, *args: str) -> int:  # noqa: ANN001
    return run(["--endpoint-url", emulator.url, *args])


@pytest.mark.parametrize("environ, config, expected", [
    ({}, {}, None),
    ({"BCCE_ALLOW_FORCE": "1"}, {}, None),
    ({"BCCE_ALLOW_FORCE": "0"}, {}, "BCCE_ALLOW_FORCE=0"),
    ({"BCCE_ALLOW_FORCE": "false"}, {}, "BCCE_ALLOW_FORCE=false"),
    ({}, {"readiness": {"allow_force": False}}, "readiness.allow_force = false in the config"),
    # The environment cannot re-open what the config closed.
    ({"BCCE_ALLOW_FORCE": "1"}, {"readiness": {"allow_force": False}}, "readiness.allow_force = false in the config"),
])
def test_which_setting_forbids_force(environ, config, expected):
    assert force_forbidden_by(Config.model_validate(config), environ) == expected


def test_a_malformed_allow_force_variable_is_bad_usage():
    with pytest.raises(UsageError, match="BCCE_ALLOW_FORCE must be 0 or 1"):
        force_forbidden_by(Config(), {"BCCE_ALLOW_FORCE": "maybe"})


def test_force_is_refused_with_its_own_exit_code_when_the_environment_forbids_it(project, emulator, monkeypatch, capsys):
    monkeypatch.setenv("BCCE_ALLOW_FORCE", "0")
    assert bcce(emulator, "plan", "--component", "security", "--force") == ExitCode.FORCE_REFUSED
    err = capsys.readouterr().err
    assert "--force refused: BCCE_ALLOW_FORCE=0 forbids overriding the readiness gate" in err
    assert not list(project.rglob("bcce.tfplan")), "nothing was planned"


def test_force_is_refused_when_the_config_forbids_it(project, emulator, capsys):
    (project / "bcce.json").write_text(json.dumps({**CONFIG, "readiness": {"allow_force": False}}))
    assert bcce(emulator, "deploy", "--component", "security", "--force") == ExitCode.FORCE_REFUSED
    assert "readiness.allow_force = false in the config" in capsys.readouterr().err


def test_a_forced_run_is_recorded_and_shown_by_doctor(project, emulator, capsys):
    assert bcce(emulator, "plan", "--component", "security", "--force") == ExitCode.OK
    err = capsys.readouterr().err
    assert "READINESS GATE OVERRIDDEN WITH --force" in err
    record = json.loads(history_path().read_text().splitlines()[-1])
    forced = record["forced"]
    assert record["operation"] == "plan"
    assert forced["caller_arn"] == "arn:aws:sts::123456789012:user/moto"
    assert forced["min_score"] == 100 and forced["score"] == record["readiness_score"] < 100
    assert "security.cloudtrail.us-east-1" in forced["failed_checks"]
    assert forced["at"].endswith("Z")

    assert run(["doctor", "--component", "history"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "readiness gate overridden with --force:" in out
    assert f"run {record['correlation_id']} plan by arn:aws:sts::123456789012:user/moto" in out


def test_an_unforced_run_records_no_override(project, emulator, monkeypatch):
    monkeypatch.setenv("BCCE_MIN_SCORE", "0")
    emulator.make_ready()  # a logging trail: no critical check fails
    assert bcce(emulator, "plan", "--component", "security") == ExitCode.OK
    assert json.loads(history_path().read_text().splitlines()[-1])["forced"] is None
