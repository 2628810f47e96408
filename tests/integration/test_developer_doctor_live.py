"""`bcce claude-code doctor` on a developer's machine: the settings `bcce claude-code settings`
writes, an AWS profile whose credential_process is `bcce credentials` (run by botocore as a real
process, answered from the sign-in cache through Cognito Identity on the emulator), and STS."""

from __future__ import annotations

import json
import os
import stat
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bcce_tf.__main__ import run
from bcce_tf.developer import signin
from bcce_tf.exit_codes import ExitCode
from tests.integration.test_developer_credentials import REGION, free_port
from tests.support import oidc

pytestmark = pytest.mark.integration

CLIENT = "3n4b5urk1ft4fl3mg5e62hlh4s"


@pytest.fixture()
def machine(emulator, tmp_path, monkeypatch):
    """A HOME with Claude Code settings, a `claude` on PATH, and a signed-in cognito-oidc profile."""
    with oidc.provider() as idp, oidc.identity_pool_checks_logins():
        pool = emulator.client("cognito-identity", REGION).create_identity_pool(
            IdentityPoolName="claude_code", AllowUnauthenticatedIdentities=False,
            OpenIdConnectProviderARNs=[f"arn:aws:iam::123456789012:oidc-provider/localhost:{idp.url.rsplit(':', 1)[1]}"],
        )["IdentityPoolId"]
        home = tmp_path / "home"
        (home / ".claude").mkdir(parents=True)
        monkeypatch.setenv("HOME", str(home))
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.delenv(name, raising=False)  # the developer has no keys: only the profile
        (home / ".claude" / "settings.json").write_text(json.dumps({"env": {
            "CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": REGION, "AWS_PROFILE": "dev",
            "ANTHROPIC_MODEL": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"}}), encoding="utf-8")
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        claude = bin_dir / "claude"
        claude.write_text("#!/bin/sh\necho '2.0.14 (Claude Code)'\n", encoding="utf-8")
        claude.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        redirect = f"http://localhost:{free_port()}/callback"
        command = (f"{sys.executable} -m bcce_tf credentials --profile dev --region {REGION} --endpoint-url {emulator.url} "
                   f"--issuer-url {idp.url} --client-id {CLIENT} --identity-pool-id {pool} --redirect-uri {redirect}")
        Path(os.environ["AWS_CONFIG_FILE"]).write_text(f"[profile dev]\nregion = {REGION}\ncredential_process = {command}\n", encoding="utf-8")
        monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
        # The developer signed in once (the browser step, driven here); the credential_process answers from then on.
        target = signin.Target("dev", idp.url, CLIENT, pool, REGION, redirect)
        signin.credentials(target, cache_file=signin.cache_path(Path(os.environ["BCCE_STATE_DIR"]), "dev"),
                           now=lambda: datetime.now(timezone.utc), open_url=oidc.browser(),
                           identity=signin.CognitoIdentity(REGION, emulator.url), say=lambda line: None, wait_seconds=20)
        yield home


def test_a_configured_machine_passes(machine, emulator, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    cache = signin.cache_path(Path(os.environ["BCCE_STATE_DIR"]), "dev")
    saved = json.loads(cache.read_text())
    saved["aws"]["Expiration"] = "2001-01-01T00:00:00Z"  # expired: the process must renew it
    signin.write_cache(cache, saved)
    code = run(["claude-code", "doctor", "--json", "--endpoint-url", emulator.url, "--managed-settings", str(tmp_path / "none.json")])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert checks["claude"]["status"] == "ok" and "2.0.14 (Claude Code)" in checks["claude"]["detail"]
    assert checks["settings"]["status"] == "ok" and "AWS_PROFILE from user" in checks["settings"]["detail"]
    assert checks["credentials"]["status"] == "ok" and checks["credentials"]["detail"].startswith("profile dev signs in as arn:aws:")
    assert checks["model"]["status"] == "not checked"
    # The credential_process ran as a process of its own and renewed the cached credentials
    # (the emulator's last 90 s, under the refresh margin) from the cached id_token: no browser.
    assert json.loads(cache.read_text())["aws"]["Expiration"] > datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600


def test_broken_pieces_fail_with_exit_24(machine, emulator, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/nonexistent")
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text('{"env": {"AWS_PROFILE": "missing"}}', encoding="utf-8")
    code = run(["claude-code", "doctor", "--endpoint-url", emulator.url, "--managed-settings", str(tmp_path / "none.json")])
    out, err = capsys.readouterr()
    assert code == ExitCode.DEVELOPER_CHECK_FAILED
    lines = out.splitlines()
    assert lines[0].startswith("FAIL        claude: the claude command is not on PATH")
    assert lines[1].startswith("ok          settings:") and "AWS_PROFILE from project" in lines[1]
    assert lines[2].startswith("FAIL        credentials: profile missing:")
    assert err.strip() == "error: 2 check(s) failed: claude, credentials"
