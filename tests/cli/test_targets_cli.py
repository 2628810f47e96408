"""`bcce targets`: what a run over the config's targets would work on, without calling AWS."""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode

TARGETS = [{"account_id": "111111111111", "role_arn": "arn:aws:iam::111111111111:role/deploy"},
           {"account_id": "222222222222", "profile": "workloads", "regions": ["eu-west-1"]}]


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bcce.json").write_text(json.dumps({"regions": ["us-east-1", "eu-west-1"], "targets": TARGETS}))
    return tmp_path


def test_github_matrix_is_one_line_of_json_with_a_job_per_target(project, capsys):
    assert run(["targets", "--format", "github-matrix"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "a job output is one line"
    assert [job["target"] for job in json.loads(out)["include"]] == [
        "111111111111/us-east-1", "111111111111/eu-west-1", "222222222222/eu-west-1"]
    assert run(["--region", "eu-west-1", "targets", "--format", "github-matrix"]) == 0
    assert [job["account"] for job in json.loads(capsys.readouterr().out)["include"]] == ["111111111111", "222222222222"]


def test_text_and_json_say_how_each_account_is_reached(project, capsys):
    assert run(["--account", "222222222222", "targets"]) == 0
    assert capsys.readouterr().out == "222222222222/eu-west-1: profile workloads\n"
    assert run(["targets", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["role_arn"] == "arn:aws:iam::111111111111:role/deploy"


def test_an_account_not_in_the_config_is_a_usage_error(project, capsys):
    assert run(["--account", "333333333333", "targets"]) == ExitCode.USAGE
    assert "--account 333333333333 is not one of the config's targets" in capsys.readouterr().err
