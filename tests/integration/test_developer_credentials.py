"""`bcce credentials` end to end: a real OIDC provider on the loopback (authorization code with
PKCE, the browser driven over HTTP), Cognito Identity on the emulator over HTTP."""

from __future__ import annotations

import json
import socket
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bcce_tf.__main__ import run
from bcce_tf.developer import oauth, signin
from bcce_tf.developer.errors import SignInError
from bcce_tf.exit_codes import ExitCode
from tests.support import oidc

pytestmark = pytest.mark.integration

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def idp():
    with oidc.provider() as provider, oidc.identity_pool_checks_logins():
        yield provider


@pytest.fixture()
def pool(emulator, idp) -> str:
    client = emulator.client("cognito-identity", REGION)
    provider_name = oauth.login_key(idp.url)  # localhost:<port>
    return client.create_identity_pool(
        IdentityPoolName="claude_code", AllowUnauthenticatedIdentities=False,
        OpenIdConnectProviderARNs=[f"arn:aws:iam::123456789012:oidc-provider/{provider_name}"],
    )["IdentityPoolId"]


def target(idp, pool: str) -> signin.Target:
    return signin.Target(profile="dev", issuer=idp.url, client_id="3n4b5urk1ft4fl3mg5e62hlh4s", identity_pool_id=pool,
                         region=REGION, redirect_uri=f"http://localhost:{free_port()}/callback")


def cli_args(idp, pool: str, emulator, *extra: str) -> list[str]:
    return ["credentials", "--profile", "dev", "--region", REGION, "--endpoint-url", emulator.url,
            "--issuer-url", idp.url, "--client-id", "3n4b5urk1ft4fl3mg5e62hlh4s", "--identity-pool-id", pool,
            "--redirect-uri", f"http://localhost:{free_port()}/callback", "--timeout", "20", *extra]


def test_sign_in_prints_the_credential_process_json_and_keeps_tokens_private(idp, pool, emulator, monkeypatch, capsys):
    driver = oidc.browser()
    monkeypatch.setattr("bcce_tf.cli.credentials_cmd.open_browser", driver)

    code = run(cli_args(idp, pool, emulator))
    out, err = capsys.readouterr()
    assert code == 0, err
    answer = json.loads(out)
    assert set(answer) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert answer["Version"] == 1
    assert oauth.parse_time(answer["Expiration"]) > datetime.now(timezone.utc)
    assert len(driver.calls) == 1

    # PKCE: the verifier sent to the token endpoint is the one the challenge was made from.
    query, form = idp.authorize_queries[-1], idp.token_forms[-1]
    assert query["code_challenge_method"] == "S256" and query["response_type"] == "code"
    assert oauth.challenge_of(form["code_verifier"]) == query["code_challenge"]
    assert form["grant_type"] == "authorization_code"

    cache = signin.cache_path(Path(__import__("os").environ["BCCE_STATE_DIR"]), "dev")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    saved = json.loads(cache.read_text())
    for secret in (saved["id_token"], saved["refresh_token"], form["code"], form["code_verifier"]):
        assert secret not in err and secret not in out
    assert "Sign in at:" not in err or saved["id_token"] not in err


def test_second_call_in_the_validity_window_makes_no_request(idp, pool, emulator, tmp_path):
    t = target(idp, pool)
    moto_now = datetime.now(timezone.utc)
    # moto hands out credentials valid for 90 s; a clock 20 minutes back puts them well inside the window.
    clock = [moto_now - timedelta(minutes=20)]
    cache_file = tmp_path / "credentials" / "dev.json"
    lines: list[str] = []
    first = signin.credentials(t, cache_file=cache_file, now=lambda: clock[0], open_url=oidc.browser(),
                               identity=signin.CognitoIdentity(REGION, emulator.url), say=lines.append, wait_seconds=20)
    requests = (len(idp.token_forms), len(idp.authorize_queries))

    class Offline:
        def get_id(self, *a):  # pragma: no cover - reaching here is the failure
            raise AssertionError("GetId called")

        def credentials(self, *a):  # pragma: no cover
            raise AssertionError("GetCredentialsForIdentity called")

    second = signin.credentials(t, cache_file=cache_file, now=lambda: clock[0], open_url=oidc.no_browser,
                                identity=Offline(), say=lines.append)
    assert second == first
    assert (len(idp.token_forms), len(idp.authorize_queries)) == requests
    assert lines == [f"signed in at {idp.url}"]


def test_refresh_token_spares_the_browser_and_a_revoked_one_signs_in_again(idp, pool, emulator, tmp_path):
    t = target(idp, pool)
    cache_file = tmp_path / "dev.json"
    identity = signin.CognitoIdentity(REGION, emulator.url)
    lines: list[str] = []
    now = datetime.now(timezone.utc)
    signin.credentials(t, cache_file=cache_file, now=lambda: now, open_url=oidc.browser(), identity=identity,
                       say=lines.append, wait_seconds=20)
    first_token = json.loads(cache_file.read_text())["id_token"]

    # Two hours on: credentials and id_token have expired; the refresh token answers, no browser.
    later = now + timedelta(hours=2)
    signin.credentials(t, cache_file=cache_file, now=lambda: later, open_url=oidc.no_browser, identity=identity,
                       say=lines.append)
    assert idp.token_forms[-1]["grant_type"] == "refresh_token"
    assert json.loads(cache_file.read_text())["id_token"] != first_token

    # The provider revokes the developer's tokens: the refresh fails and a new sign-in follows.
    idp.revoke("dev@example.com")
    driver = oidc.browser()
    signin.credentials(t, cache_file=cache_file, now=lambda: later + timedelta(hours=2), open_url=driver,
                       identity=identity, say=lines.append, wait_seconds=20)
    assert len(driver.calls) == 1
    assert "refresh token revoked or expired" in lines[-2]
    assert idp.token_forms[-1]["grant_type"] == "authorization_code"


def _one_line_23(code: int, err: str) -> str:
    assert code == ExitCode.SIGN_IN_FAILED, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_login_refused_exits_23(idp, pool, emulator, monkeypatch, capsys):
    monkeypatch.setattr("bcce_tf.cli.credentials_cmd.open_browser", oidc.browser(deny=True))
    code = run(cli_args(idp, pool, emulator))
    line = _one_line_23(code, capsys.readouterr().err)
    assert "sign-in refused by the identity provider: access_denied" in line


def test_identity_pool_rejecting_the_token_exits_23(idp, emulator, monkeypatch, capsys):
    other = emulator.client("cognito-identity", REGION).create_identity_pool(
        IdentityPoolName="elsewhere", AllowUnauthenticatedIdentities=False,
        OpenIdConnectProviderARNs=["arn:aws:iam::123456789012:oidc-provider/login.example.com"],
    )["IdentityPoolId"]
    monkeypatch.setattr("bcce_tf.cli.credentials_cmd.open_browser", oidc.browser())
    code = run(cli_args(idp, other, emulator))
    line = _one_line_23(code, capsys.readouterr().err)
    assert f"identity pool {other} did not take the sign-in (get_id)" in line and "NotAuthorizedException" in line


def test_identity_provider_unreachable_exits_23(emulator, capsys):
    code = run(["credentials", "--profile", "dev", "--region", REGION, "--endpoint-url", emulator.url,
                "--issuer-url", f"http://localhost:{free_port()}", "--client-id", "c",
                "--identity-pool-id", f"{REGION}:01234567-89ab-cdef-0123-456789abcdef"])
    line = _one_line_23(code, capsys.readouterr().err)
    assert "unreachable (discovery)" in line


def test_no_answer_from_the_browser_times_out(idp, pool, emulator):
    t = target(idp, pool)
    with pytest.raises(SignInError, match="no sign-in answer reached /callback"):
        signin.credentials(t, cache_file=Path("/nonexistent/never-written.json"), now=lambda: datetime.now(timezone.utc),
                           open_url=lambda url: None, identity=signin.CognitoIdentity(REGION, emulator.url),
                           say=lambda line: None, wait_seconds=0.2)
