"""The commands read the environment they are given, not the process's own."""

from __future__ import annotations

import io
import json

from bcce_tf.__main__ import run
from bcce_tf.environment import Environment
from bcce_tf.exit_codes import ExitCode


def project(path, regions=("us-east-1",)):
    path.mkdir(parents=True, exist_ok=True)
    (path / "bcce.json").write_text(json.dumps({"regions": list(regions), "organization_id": "acme"}))
    return path


def test_the_config_is_found_in_the_given_working_directory(tmp_path, monkeypatch):
    given = project(tmp_path / "given")
    monkeypatch.chdir(project(tmp_path / "process", regions=("eu-west-1",)))
    out = tmp_path / "out"
    assert run(["render", "--out", str(out)], environment=Environment(environ={}, cwd=given)) == 0
    assert sorted(p.name for p in out.iterdir()) == ["bcce-us-east-1"]  # the given project's region


def test_the_correlation_id_comes_from_the_given_variables(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("BCCE_CORRELATION_ID", raising=False)
    given = project(tmp_path / "given")
    environment = Environment(environ={"BCCE_CORRELATION_ID": "0123456789abcdef"}, cwd=given)
    assert run(["--log-format", "json", "--verbose", "render", "--out", str(tmp_path / "o")], environment=environment) == 0
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert lines and {line["correlation_id"] for line in lines} == {"0123456789abcdef"}


def test_init_asks_only_when_the_given_stdin_is_a_terminal(tmp_path, monkeypatch):
    answers = "identity-center\neu-west-1\nacme\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))  # what the prompts read
    asked, quiet = tmp_path / "asked", tmp_path / "quiet"
    asked.mkdir(), quiet.mkdir()
    assert run(["init"], environment=Environment(environ={}, cwd=asked, stdin_isatty=True)) == 0
    assert json.loads((asked / "bcce.json").read_text())["regions"] == ["eu-west-1"]
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    assert run(["init"], environment=Environment(environ={}, cwd=quiet, stdin_isatty=False)) == 0
    assert json.loads((quiet / "bcce.json").read_text()).get("regions", ["us-east-1"]) == ["us-east-1"]


def test_a_bad_setting_in_the_given_variables_is_refused_when_the_run_starts(tmp_path, capsys):
    given = project(tmp_path / "given")
    environment = Environment(environ={"BCCE_PUBLISH_METRICS": "sometimes"}, cwd=given)
    assert run(["plan"], environment=environment) == ExitCode.USAGE
    assert "BCCE_PUBLISH_METRICS" in capsys.readouterr().err


def test_from_process_reads_the_process(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_STATE_DIR", str(tmp_path / "state"))
    environment = Environment.from_process()
    assert environment.cwd == tmp_path
    assert environment.state_dir == tmp_path / "state"
    assert environment.stdin_isatty is False  # pytest's stdin is no terminal
