"""`bcce claude-code package` from a stack Terraform applied on the emulator, as a developer gets it:
the archives are checked with `sha256sum -c`, unpacked with `tar`, and `install.sh` runs (bash) into
a temporary HOME twice. The installed settings are the bytes `bcce claude-code settings` writes,
every model they name is allowed by the deployed policy (tests/support/iam_eval.py) with the
guardrail they attach, the user's own keys stay, a backup is kept, the second run changes nothing.

install.ps1 is not run: no PowerShell on this machine ("not checked"). The test runs the merge.py
of the Windows zip the way install.ps1 does (`<python> merge.py <folder>`) and checks the script's
text.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from bcce_tf.__main__ import run
from bcce_tf.developer import models, package
from tests.support.iam_eval import Request, authorizing_action, evaluate
from tests.support.stack import GUARDRAIL_ACCOUNT, deploy_guarded_bedrock_access, guardrail_arn

pytestmark = pytest.mark.integration

ACCOUNT = GUARDRAIL_ACCOUNT
REGION = "us-east-1"
GUARDRAIL_ARN = guardrail_arn(REGION)
START_URL = "https://d-1234567890.awsapps.com/start"
# Set while the package is built: none of it may end up in an archive.
FAKE_SECRETS = {"AWS_ACCESS_KEY_ID": "AKIAPACKAGETESTKEY01", "AWS_SECRET_ACCESS_KEY": "pkgSecretMustNotLeak/0123456789abcdefXYZ",
                "AWS_SESSION_TOKEN": "pkgSessionTokenMustNotLeak"}


@pytest.fixture(scope="module")
def deployed(moto_server, provider_mirror, tmp_path_factory):
    return deploy_guarded_bedrock_access(moto_server, provider_mirror, tmp_path_factory.mktemp("package"), [REGION])


@pytest.fixture()
def project(deployed, tmp_path, monkeypatch):
    config, outputs = deployed
    monkeypatch.chdir(tmp_path)
    for name, value in FAKE_SECRETS.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "bcce.json").write_text(json.dumps(config.model_dump(mode="json", exclude_defaults=True)), encoding="utf-8")
    (tmp_path / "outputs.json").write_text(json.dumps({f"{config.stack_name}-{REGION}": outputs}), encoding="utf-8")
    return tmp_path


def build(out) -> None:
    assert run(["claude-code", "package", "--from-outputs", "outputs.json", "--aws-profile", "claude",
                "--sso-start-url", START_URL, "--out", str(out)]) == 0


def install(script, home, *extra_env: tuple[str, str]):
    env = {"PATH": os.environ["PATH"], "HOME": str(home), **dict(extra_env)}
    return subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_install_sh_into_a_home_twice(project, deployed, capsys):
    config, outputs = deployed
    build(project / "dist")
    build(project / "again")
    names = sorted(p.name for p in (project / "dist").iterdir())
    assert names == sorted([package.MANIFEST, *(package.archive_name("claude", s) for s in package.SYSTEMS)])
    for name in names:  # a second build is byte-identical
        assert (project / "dist" / name).read_bytes() == (project / "again" / name).read_bytes(), name
    checked = subprocess.run(["sha256sum", "-c", package.MANIFEST], cwd=project / "dist", capture_output=True, text=True, check=False)
    assert checked.returncode == 0 and checked.stdout.count(": OK") == 3, checked.stdout + checked.stderr

    unpacked = project / "unpacked"
    unpacked.mkdir()
    subprocess.run(["tar", "-xzf", str(project / "dist" / package.archive_name("claude", "linux"))], cwd=unpacked, check=True)
    folder = unpacked / package.base_name("claude")
    assert sorted(p.name for p in folder.iterdir()) == ["README.txt", "aws-config", "claude-settings.json", "install.sh", "merge.py"]
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not any(secret in text for secret in FAKE_SECRETS.values()), path.name

    home = project / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".aws").mkdir()
    original = json.dumps({"theme": "dark", "env": {"MY_VAR": "x", "AWS_REGION": "ap-south-1"}}, indent=4)
    (home / ".claude" / "settings.json").write_text(original, encoding="utf-8")
    original_config = "[default]\nregion = us-east-2\noutput = json\n"
    (home / ".aws" / "config").write_text(original_config, encoding="utf-8")
    # What `bcce claude-code settings` and `profile` write into copies of the same files.
    (project / "expected-settings.json").write_text(original, encoding="utf-8")
    (project / "expected-config").write_text(original_config, encoding="utf-8")
    assert run(["claude-code", "settings", "--from-outputs", "outputs.json", "--aws-profile", "claude",
                "--out", str(project / "expected-settings.json")]) == 0
    assert run(["claude-code", "profile", "--from-outputs", "outputs.json", "--aws-profile", "claude", "--sso-start-url", START_URL,
                "--config-file", str(project / "expected-config")]) == 0
    capsys.readouterr()

    first = install(folder / "install.sh", home)
    assert first.returncode == 0, first.stderr
    settings_file, config_file = home / ".claude" / "settings.json", home / ".aws" / "config"
    assert settings_file.read_bytes() == (project / "expected-settings.json").read_bytes()
    assert config_file.read_bytes() == (project / "expected-config").read_bytes()
    assert oct(config_file.stat().st_mode & 0o777) == "0o600"
    installed = json.loads(settings_file.read_text(encoding="utf-8"))
    env = installed["env"]
    assert installed["theme"] == "dark" and env["MY_VAR"] == "x" and env["AWS_REGION"] == REGION and env["AWS_PROFILE"] == "claude"
    assert installed["awsAuthRefresh"] == "aws sso login --profile claude"
    assert config_file.read_text(encoding="utf-8").startswith(original_config)
    assert [b.read_text(encoding="utf-8") for b in (home / ".claude").glob("settings.json.*.bak")] == [original]
    assert [b.read_text(encoding="utf-8") for b in (home / ".aws").glob("config.*.bak")] == [original_config]

    # The deployed policy allows every model the installed settings name, with their guardrail.
    policy = json.loads(outputs["bedrock_access_policy_json"])
    header = dict(line.split(": ", 1) for line in env["ANTHROPIC_CUSTOM_HEADERS"].split("\n"))
    context = {"bedrock:GuardrailIdentifier": f"{header['X-Amzn-Bedrock-GuardrailIdentifier']}:{header['X-Amzn-Bedrock-GuardrailVersion']}",
               "aws:RequestedRegion": REGION}
    written = {k: v for k, v in env.items() if k.startswith("ANTHROPIC_") and k.endswith("_MODEL")}
    assert set(written) == {"ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL"}
    for profile_id in written.values():
        arn = models.profile_arn("aws", REGION, ACCOUNT, profile_id)
        for operation in ("bedrock:Converse", "bedrock:ConverseStream"):
            assert evaluate(policy, Request(authorizing_action(operation), arn, context)).allowed, (operation, profile_id)

    before = {p.name: p.read_bytes() for d in (home / ".claude", home / ".aws") for p in d.iterdir()}
    second = install(folder / "install.sh", home)
    assert second.returncode == 0, second.stderr
    assert second.stdout.count(": up to date") == 2
    assert {p.name: p.read_bytes() for d in (home / ".claude", home / ".aws") for p in d.iterdir()} == before


def test_windows_zip_merges_the_same_way_install_ps1_runs_it(project):
    build(project / "dist")
    with zipfile.ZipFile(project / "dist" / package.archive_name("claude", "windows")) as archive:
        archive.extractall(project / "win")
    folder = project / "win" / package.base_name("claude")
    assert sorted(p.name for p in folder.iterdir()) == ["README.txt", "aws-config", "claude-settings.json", "install.ps1", "merge.py"]
    script = (folder / "install.ps1").read_text(encoding="ascii")
    assert "(Join-Path $here 'merge.py') $here" in script and "exit $LASTEXITCODE" in script
    home = project / "winhome"
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "AWS_CONFIG_FILE": str(home / "custom" / "aws-config")}
    done = subprocess.run([sys.executable, str(folder / "merge.py"), str(folder)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads((home / ".claude" / "settings.json").read_text())["env"]["AWS_PROFILE"] == "claude"
    assert "[profile claude]" in (home / "custom" / "aws-config").read_text()
    assert not (home / ".aws").exists()


def test_a_broken_settings_file_stops_the_install_and_nothing_changes(project):
    build(project / "dist")
    subprocess.run(["tar", "-xzf", str(project / "dist" / package.archive_name("claude", "macos"))], cwd=project, check=True)
    home = project / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "settings.json").write_text("{not json", encoding="utf-8")
    done = install(project / package.base_name("claude") / "install.sh", home)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "settings.json is not valid JSON" in done.stderr
    assert (home / ".claude" / "settings.json").read_text() == "{not json"
    assert sorted(p.name for p in home.rglob("*")) == [".claude", "settings.json"]


def test_without_python_the_installer_says_so_and_changes_nothing(project):
    build(project / "dist")
    subprocess.run(["tar", "-xzf", str(project / "dist" / package.archive_name("claude", "linux"))], cwd=project, check=True)
    tools = project / "tools"
    tools.mkdir()
    for tool in ("dirname",):
        (tools / tool).symlink_to(shutil.which(tool))
    home = project / "home"
    home.mkdir()
    done = subprocess.run([shutil.which("bash"), str(project / package.base_name("claude") / "install.sh")],
                          env={"PATH": str(tools), "HOME": str(home)}, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "needs Python 3.8 or newer" in done.stderr
    assert list(home.iterdir()) == []


def test_cognito_package_carries_the_credential_process(deployed, tmp_path, monkeypatch):
    config, outputs = deployed
    monkeypatch.chdir(tmp_path)
    data = {**config.model_dump(mode="json", exclude_defaults=True), "auth": "cognito-oidc",
            "cognito": {"issuer_url": "https://idp.example.com", "client_id": "c"}}
    (tmp_path / "bcce.json").write_text(json.dumps(data), encoding="utf-8")
    ids = {"identity_user_pool_id": "us-east-1_AbC123", "identity_user_pool_client_id": "3n4b5urk1ft4fl3mg5e62hlh4s",
           "identity_pool_id": "us-east-1:01234567-89ab-cdef-0123-456789abcdef"}
    (tmp_path / "outputs.json").write_text(json.dumps({f"{config.stack_name}-{REGION}": {**outputs, **ids}}), encoding="utf-8")
    assert run(["claude-code", "package", "--from-outputs", "outputs.json", "--os", "linux", "--out", "dist"]) == 0
    profile = f"{config.stack_name}-acme-{REGION}"
    subprocess.run(["tar", "-xzf", str(tmp_path / "dist" / package.archive_name(profile, "linux"))], cwd=tmp_path, check=True)
    folder = tmp_path / package.base_name(profile)
    snippet = (folder / "aws-config").read_text()
    assert f"credential_process = bcce credentials --profile {profile} --region {REGION}" in snippet
    assert "awsAuthRefresh" not in json.loads((folder / "claude-settings.json").read_text())
    assert "bcce credentials" in (folder / "README.txt").read_text()
    assert [p.name for p in (tmp_path / "dist").iterdir() if p.name.endswith((".zip", ".tar.gz"))] == [package.archive_name(profile, "linux")]
