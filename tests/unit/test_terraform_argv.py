"""The Terraform call site: argv building, the result record, and which binary runs."""

from __future__ import annotations

import sys

import pytest

from bcce_tf import terraform
from bcce_tf.errors import EnvironmentProblem


@pytest.mark.parametrize(
    ("command", "args", "options", "expected"),
    [
        ("init", (), {"input": "false", "no_color": True}, ["init", "-input=false", "-no-color"]),
        ("init", (), {"upgrade": False, "backend_config": "bcce.s3.tfbackend"}, ["init", "-backend-config=bcce.s3.tfbackend"]),
        ("plan", (), {"out": "bcce.tfplan", "detailed_exitcode": True, "destroy": False},
         ["plan", "-out=bcce.tfplan", "-detailed-exitcode"]),
        ("plan", (), {"var_file": ["a.json", "b.json"]}, ["plan", "-var-file=a.json", "-var-file=b.json"]),
        ("apply", ("bcce.tfplan",), {"input": "false", "json": True}, ["apply", "-input=false", "-json", "bcce.tfplan"]),
        ("output", (), None, ["output"]),
        ("show", ("plan file with spaces",), {"json": True}, ["show", "-json", "plan file with spaces"]),
    ],
)
def test_build_argv(command, args, options, expected):
    assert terraform.build_argv(command, *args, options=options) == expected


def result(command: str, code: int, detailed: bool = False) -> terraform.TerraformResult:
    return terraform.TerraformResult(command, (command,), code, "", "", 0.1, detailed_exitcode=detailed)


@pytest.mark.parametrize(
    ("command", "code", "detailed", "ok"),
    [
        ("plan", 0, True, True),
        ("plan", 2, True, True),  # changes present
        ("plan", 2, False, False),  # without -detailed-exitcode a 2 is an error
        ("plan", 1, True, False),
        ("apply", 2, True, False),  # only plan has the "changes present" code
        ("apply", 11, False, False),
        ("init", 1, False, False),
        ("output", 0, False, True),
    ],
)
def test_every_nonzero_exit_is_an_error_except_plan_changes(command, code, detailed, ok):
    assert result(command, code, detailed).ok is ok


def test_bundled_terraform_is_the_default():
    assert terraform.executable(None, {}) == [sys.executable, "-m", "bcce_tf.tfshim"]


def test_binary_from_environment_must_exist():
    with pytest.raises(EnvironmentProblem, match="no-such-terraform"):
        terraform.executable(None, {"BCCE_TERRAFORM_BIN": "no-such-terraform"})


def test_explicit_binary_wins_over_environment(tmp_path):
    fake = tmp_path / "tofu"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert terraform.executable(str(fake), {"BCCE_TERRAFORM_BIN": "terraform"}) == [str(fake)]


def test_run_records_exit_code_output_and_duration(tmp_path):
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    lines: list[str] = []
    got = terraform.run([sys.executable, "-c", code], ["apply"], tmp_path, {}, on_stdout_line=lines.append)
    assert (got.exit_code, got.stdout, got.stderr.strip(), lines) == (3, "out\n", "err", ["out"])
    assert got.duration > 0 and not got.ok
