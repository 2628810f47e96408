"""The hashicorp/external stand-in under real Terraform: data "external", its failures, postconditions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bcce_tf.providers import render_cli_config
from tests.support.external_provider import install_external_provider
from tests.support.offline_terraform import run_offline

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]

PROGRAM = r"""
import json, os, sys

raw = sys.stdin.read()
query = json.loads(raw)
mode = sys.argv[1]
if mode == "fail":
    sys.stderr.write("no AWS account is configured for bcce\n")
    sys.exit(1)
if mode == "number":
    print(json.dumps({"n": 1}))
elif mode == "garbage":
    print("this is not json")
else:
    print(json.dumps({
        "ok": query.get("ok", "yes"),
        "a": query.get("a", ""),
        "keys": ",".join(sorted(query)),
        "stdin": raw,
        "cwd": os.getcwd(),
    }))
"""


def flat(text: str) -> str:
    """Terraform wraps diagnostic text to the terminal width; compare with whitespace collapsed."""
    return " ".join(text.split())


@pytest.fixture(scope="session")
def cli_config(provider_mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    standin = tmp_path_factory.mktemp("external-standin")
    launcher = install_external_provider(standin)
    assert os.listdir(launcher.parent) == [launcher.name]
    config = tmp_path_factory.mktemp("cli-config") / "terraform.rc"
    config.write_text(render_cli_config([provider_mirror, standin]))
    return config


@pytest.fixture(scope="session")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    script = tmp_path_factory.mktemp("program") / "program.py"
    script.write_text(PROGRAM)
    return script


def write_root(root: Path, program: Path, mode: str, extra: str = "") -> None:
    root.joinpath("main.tf").write_text(
        f"""
terraform {{
  required_providers {{
    external = {{ source = "hashicorp/external" }}
  }}
}}

data "external" "x" {{
  program = [{json.dumps(sys.executable)}, {json.dumps(str(program))}, "{mode}"]
  {extra}

  lifecycle {{
    postcondition {{
      condition     = self.result.ok == "yes"
      error_message = "The readiness program did not answer ok=yes."
    }}
  }}
}}

output "result" {{
  value = data.external.x.result
}}
"""
    )


def init_and_plan(root: Path, cli_config: Path) -> subprocess.CompletedProcess[str]:
    init = run_offline(root, cli_config, "init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    assert "Installed hashicorp/external v2.3.4" in init.stdout
    return run_offline(root, cli_config, "plan", "-input=false", "-no-color", "-out=tfplan")


def planned_outputs(root: Path, cli_config: Path) -> dict[str, object]:
    show = run_offline(root, cli_config, "show", "-json", "tfplan")
    assert show.returncode == 0, show.stderr
    outputs = json.loads(show.stdout)["planned_values"]["outputs"]
    return {name: value["value"] for name, value in outputs.items()}


def test_result_of_the_program_reaches_outputs(cli_config: Path, program: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    write_root(root, program, "ok", f'query = {{ a = "1", gone = null }}\n  working_dir = {json.dumps(str(workdir))}')

    plan = init_and_plan(root, cli_config)

    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert planned_outputs(root, cli_config) == {
        "result": {"ok": "yes", "a": "1", "keys": "a", "stdin": '{"a":"1"}', "cwd": str(workdir)}
    }


def test_absent_query_sends_an_empty_object(cli_config: Path, program: Path, tmp_path: Path) -> None:
    write_root(tmp_path, program, "ok")

    plan = init_and_plan(tmp_path, cli_config)

    assert plan.returncode == 0, plan.stdout + plan.stderr
    result = planned_outputs(tmp_path, cli_config)["result"]
    assert isinstance(result, dict)
    assert result["stdin"] == "{}"
    assert result["cwd"] == str(tmp_path)


def test_failing_program_fails_the_plan_with_its_stderr(cli_config: Path, program: Path, tmp_path: Path) -> None:
    write_root(tmp_path, program, "fail", 'query = { a = "1" }')

    plan = init_and_plan(tmp_path, cli_config)

    assert plan.returncode == 1
    stderr = flat(plan.stderr)
    assert "External Program Execution Failed" in stderr
    assert "The data source received an unexpected error while attempting to execute the program." in stderr
    assert f"Program: {sys.executable}" in stderr
    assert "Error Message: no AWS account is configured for bcce" in stderr
    assert "State: exit status 1" in stderr


def test_failing_postcondition_fails_the_plan(cli_config: Path, program: Path, tmp_path: Path) -> None:
    write_root(tmp_path, program, "ok", 'query = { ok = "no" }')

    plan = init_and_plan(tmp_path, cli_config)

    assert plan.returncode == 1
    stderr = flat(plan.stderr)
    assert "Resource postcondition failed" in stderr
    assert "The readiness program did not answer ok=yes." in stderr


@pytest.mark.parametrize(("mode", "reason"), [("number", "values must be strings"), ("garbage", "not valid JSON")])
def test_output_that_is_not_an_object_of_strings_fails_the_plan(
    cli_config: Path, program: Path, tmp_path: Path, mode: str, reason: str
) -> None:
    write_root(tmp_path, program, mode)

    plan = init_and_plan(tmp_path, cli_config)

    assert plan.returncode == 1
    stderr = flat(plan.stderr)
    assert "Unexpected External Program Results" in stderr
    assert "Program output must be a JSON encoded map of string keys and string values." in stderr
    assert reason in stderr
