"""`bcce credentials`: sign in at the OIDC provider (authorization code with PKCE through a loopback
redirect), exchange the id_token at Cognito Identity (GetId, GetCredentialsForIdentity) for
short-lived AWS credentials, and keep both in a cache file only the user can read.

The answer comes from the cache while the AWS credentials have more than REFRESH_MARGIN left (the
AWS SDKs ask a credential_process again 15 minutes before expiry); then the cached id_token, else
the refresh token, else a new sign-in in the browser. No token, code or key is ever printed or
logged: the caller gets the credentials, the notes are plain sentences."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from bcce_tf.developer import oauth
from bcce_tf.developer.errors import SignInError

REFRESH_MARGIN = timedelta(minutes=15)
TOKEN_MARGIN = timedelta(minutes=2)
HTTP_TIMEOUT = 10.0
SIGNED_IN_PAGE = b"<!doctype html><title>bcce</title><p>Signed in. You can close this tab.</p>\n"
REFUSED_PAGE = b"<!doctype html><title>bcce</title><p>Sign-in did not complete; see the terminal.</p>\n"


@dataclass(frozen=True)
class Target:
    """Where to sign in and which identity pool hands out the credentials."""

    profile: str
    issuer: str
    client_id: str
    identity_pool_id: str
    region: str
    redirect_uri: str


# --- HTTP to the identity provider -----------------------------------------------------------


def _open(request: urllib.request.Request, what: str, issuer: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as answer:  # noqa: S310 - https or loopback, checked
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SignInError(f"identity provider {issuer} unreachable ({what}): {reason}") from None


def discover(issuer: str) -> dict[str, str]:
    """authorization_endpoint and token_endpoint from the provider's OpenID configuration."""
    url = f"{issuer}/.well-known/openid-configuration"
    status, body = _open(urllib.request.Request(url, headers={"Accept": "application/json"}), "discovery", issuer)
    try:
        document = json.loads(body) if status == 200 else None
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        raise SignInError(f"identity provider {issuer} has no OpenID configuration at {url} (HTTP {status})")
    missing = [k for k in ("authorization_endpoint", "token_endpoint") if not isinstance(document.get(k), str)]
    if missing:
        raise SignInError(f"OpenID configuration of {issuer} lacks {', '.join(missing)}")
    return {k: document[k] for k in ("authorization_endpoint", "token_endpoint")}


def token_request(token_endpoint: str, form: Mapping[str, str], issuer: str) -> tuple[int, dict[str, Any] | None, bytes]:
    request = urllib.request.Request(
        token_endpoint, data=urlencode(dict(form)).encode("ascii"), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    status, body = _open(request, "token", issuer)
    try:
        data = json.loads(body)
    except (ValueError, json.JSONDecodeError):
        data = None
    return status, data if isinstance(data, dict) else None, body


# --- the loopback redirect ---------------------------------------------------------------------


class Listener:
    """One HTTP server on 127.0.0.1 that waits for the redirect of the sign-in."""

    def __init__(self, port: int, path: str) -> None:
        self.path = path
        self.query: str | None = None
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parsed = urlparse(self.path)
                if parsed.path != outer.path or outer.arrived.is_set():
                    self.send_response(404)
                    self.end_headers()
                    return
                outer.query = parsed.query
                page = REFUSED_PAGE if "error=" in parsed.query else SIGNED_IN_PAGE
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                outer.arrived.set()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the query holds the code: never logged
                return

        try:
            self.server = HTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise SignInError(f"cannot listen for the sign-in on 127.0.0.1:{port} ({exc.strerror or exc}); "
                              "close what uses the port or register another --redirect-uri") from None
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Listener:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def wait(self, seconds: float) -> str:
        if not self.arrived.wait(seconds):
            raise SignInError(f"no sign-in answer reached {self.path} on 127.0.0.1 within {seconds:.0f} s")
        return self.query or ""


def sign_in(target: Target, endpoints: Mapping[str, str], open_url: Callable[[str], None], wait_seconds: float) -> dict[str, Any]:
    """Authorization code with PKCE: the tokens the provider answers."""
    _, port, path = oauth.check_redirect(target.redirect_uri)
    pkce, state = oauth.new_pkce(), secrets.token_urlsafe(24)
    url = oauth.authorize_url(endpoints["authorization_endpoint"], client_id=target.client_id,
                              redirect_uri=target.redirect_uri, state=state, pkce=pkce)
    with Listener(port, path) as listener:
        open_url(url)
        query = listener.wait(wait_seconds)
    code = oauth.code_from_callback(query, state)
    status, data, body = token_request(endpoints["token_endpoint"], {
        "grant_type": "authorization_code", "client_id": target.client_id, "code": code,
        "redirect_uri": target.redirect_uri, "code_verifier": pkce.verifier,
    }, target.issuer)
    if status != 200 or not data or not isinstance(data.get("id_token"), str):
        raise SignInError(f"sign-in refused at the token endpoint: {oauth.token_error(status, body)}")
    return data


def refresh(target: Target, endpoints: Mapping[str, str], refresh_token: str) -> dict[str, Any] | None:
    """New tokens from the refresh token; None when the provider no longer takes it (revoked, expired)."""
    status, data, _ = token_request(endpoints["token_endpoint"], {
        "grant_type": "refresh_token", "client_id": target.client_id, "refresh_token": refresh_token,
    }, target.issuer)
    if status == 200 and data and isinstance(data.get("id_token"), str):
        return data
    return None


# --- the cache ---------------------------------------------------------------------------------


def cache_path(state_dir: Path, profile: str) -> Path:
    return state_dir / "credentials" / f"{profile}.json"


def read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_cache(path: Path, data: Mapping[str, Any]) -> None:
    """Only the user can read the file (0600) or enter its folder (0700)."""
    from bcce_tf.fsutil import atomic_write_text

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    atomic_write_text(path, json.dumps(dict(data), indent=1) + "\n", mode=0o600)


# --- the whole exchange ------------------------------------------------------------------------


class CognitoIdentity:
    """GetId and GetCredentialsForIdentity: unsigned calls (the developer has no AWS credentials yet)."""

    def __init__(self, region: str, endpoint_url: str | None) -> None:
        from bcce_tf.aws import AwsClients

        self.region = region
        self.clients = AwsClients(endpoint_url=endpoint_url, unsigned=True)

    def _call(self, operation: str, pool_id: str, **params: Any) -> Any:
        from bcce_tf.errors import BcceError

        try:
            return self.clients.call("cognito-identity", self.region, operation, **params)
        except BcceError as exc:
            raise SignInError(f"identity pool {pool_id} did not take the sign-in ({operation}): {exc}") from None

    def get_id(self, pool_id: str, logins: Mapping[str, str]) -> str:
        return str(self._call("get_id", pool_id, IdentityPoolId=pool_id, Logins=dict(logins))["IdentityId"])

    def credentials(self, pool_id: str, identity_id: str, logins: Mapping[str, str]) -> dict[str, Any]:
        answer = self._call("get_credentials_for_identity", pool_id, IdentityId=identity_id, Logins=dict(logins))
        got = answer["Credentials"]
        expiration = got["Expiration"]
        if isinstance(expiration, datetime):
            expiration = expiration.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"AccessKeyId": got["AccessKeyId"], "SecretAccessKey": got["SecretKey"],
                "SessionToken": got["SessionToken"], "Expiration": expiration}


def _valid(expiration: Any, now: datetime, margin: timedelta) -> bool:
    try:
        return isinstance(expiration, str) and oauth.parse_time(expiration) - now > margin
    except ValueError:
        return False


def credentials(
    target: Target,
    *,
    cache_file: Path,
    now: Callable[[], datetime],
    open_url: Callable[[str], None],
    identity: Any,
    say: Callable[[str], None],
    wait_seconds: float = 300,
) -> dict[str, Any]:
    """AWS credentials for the profile: from the cache, or through the refresh token, or a sign-in."""
    cache = read_cache(cache_file)
    same = cache.get("issuer") == target.issuer and cache.get("client_id") == target.client_id and \
        cache.get("identity_pool_id") == target.identity_pool_id
    if not same:
        cache = {}
    aws = cache.get("aws") if isinstance(cache.get("aws"), dict) else None
    if aws and _valid(aws.get("Expiration"), now(), REFRESH_MARGIN):
        return aws
    id_token = cache.get("id_token") if isinstance(cache.get("id_token"), str) else None
    if id_token and oauth.expires_at(id_token) - now() <= TOKEN_MARGIN:
        id_token = None
    refresh_token = cache.get("refresh_token") if isinstance(cache.get("refresh_token"), str) else None
    identity_id = cache.get("identity_id") if isinstance(cache.get("identity_id"), str) else None
    if id_token is None:
        endpoints = discover(target.issuer)
        tokens = refresh(target, endpoints, refresh_token) if refresh_token else None
        if refresh_token and tokens is None:
            say("the saved sign-in is no longer accepted (refresh token revoked or expired): signing in again")
        if tokens is None:
            tokens = sign_in(target, endpoints, open_url, wait_seconds)
            identity_id = None  # a new sign-in may be another person: their identity id is asked anew
            say(f"signed in at {target.issuer}")
        id_token = tokens["id_token"]
        refresh_token = tokens.get("refresh_token") or refresh_token  # a refresh answer may keep the old one
    logins = {oauth.login_key(target.issuer): id_token}
    if identity_id is None:
        identity_id = identity.get_id(target.identity_pool_id, logins)
    aws = identity.credentials(target.identity_pool_id, identity_id, logins)
    write_cache(cache_file, {
        "issuer": target.issuer, "client_id": target.client_id, "identity_pool_id": target.identity_pool_id,
        "identity_id": identity_id, "id_token": id_token, "refresh_token": refresh_token, "aws": aws,
    })
    return aws
