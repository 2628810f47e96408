"""Pure parts of the sign-in: PKCE (RFC 7636), the authorization request and its loopback answer
(RFC 6749 4.1, RFC 8252), reading a token's claims, the Cognito Identity login key, and the
`credential_process` output the AWS SDKs read (Version 1, AccessKeyId, SecretAccessKey,
SessionToken, Expiration)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from bcce_tf.developer.errors import SignInError
from bcce_tf.errors import UsageError

SCOPES = ("openid", "email", "profile")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
POOL_ID_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f-]{36}$")


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str
    method: str = "S256"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def challenge_of(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_pkce(token_bytes: int = 48) -> Pkce:
    verifier = _b64url(secrets.token_bytes(token_bytes))  # 64 characters of [A-Za-z0-9_-]
    return Pkce(verifier, challenge_of(verifier))


def check_issuer(issuer: str) -> str:
    """An https issuer, or http on the loopback (a local provider)."""
    parsed = urlparse(issuer)
    if parsed.scheme == "https" and parsed.hostname:
        return issuer.rstrip("/")
    if parsed.scheme == "http" and parsed.hostname in LOOPBACK_HOSTS:
        return issuer.rstrip("/")
    raise UsageError(f"--issuer-url must be an https URL (http only on localhost), not '{issuer}'")


def check_redirect(uri: str) -> tuple[str, int, str]:
    """(uri, port, path) of a loopback redirect: http://localhost:PORT/PATH or http://127.0.0.1:PORT/PATH."""
    parsed = urlparse(uri)
    if parsed.scheme != "http" or parsed.hostname not in LOOPBACK_HOSTS or not parsed.port:
        raise UsageError(f"--redirect-uri must be http://localhost:PORT/PATH or http://127.0.0.1:PORT/PATH, not '{uri}'")
    return uri, parsed.port, parsed.path or "/"


def check_pool_id(pool_id: str) -> str:
    if not POOL_ID_RE.fullmatch(pool_id):
        raise UsageError(f"--identity-pool-id must look like us-east-1:01234567-89ab-cdef-0123-456789abcdef, not '{pool_id}'")
    return pool_id


def login_key(issuer: str) -> str:
    """Cognito Identity's Logins key of an OIDC provider: the issuer without its scheme
    (cognito-idp.<region>.amazonaws.com/<user pool id> for a user pool)."""
    parsed = urlparse(issuer)
    return f"{parsed.netloc}{parsed.path}".rstrip("/")


def authorize_url(endpoint: str, *, client_id: str, redirect_uri: str, state: str, pkce: Pkce,
                  scopes: tuple[str, ...] = SCOPES) -> str:
    query = urlencode({
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": pkce.challenge,
        "code_challenge_method": pkce.method,
    })
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def code_from_callback(query: str, expected_state: str) -> str:
    """The authorization code of the redirect's query; a refusal or a foreign state is a SignInError."""
    values = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if "error" in values:
        detail = values.get("error_description") or ""
        raise SignInError(f"sign-in refused by the identity provider: {values['error']}" + (f" ({detail})" if detail else ""))
    if values.get("state") != expected_state:
        raise SignInError("sign-in answer carries the wrong state parameter: ignored (start the sign-in again)")
    code = values.get("code")
    if not code:
        raise SignInError("sign-in answer carries no authorization code")
    return code


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, read without checking its signature: bcce only reads `exp` from it;
    Cognito Identity checks the signature when it takes the token."""
    parts = token.split(".")
    if len(parts) != 3:
        raise SignInError("the identity provider answered with an id_token that is not a JWT")
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, json.JSONDecodeError) as exc:
        raise SignInError("the identity provider answered with an id_token whose payload is not JSON") from exc
    if not isinstance(payload, dict):
        raise SignInError("the identity provider answered with an id_token whose payload is not an object")
    return payload


def expires_at(token: str) -> datetime:
    exp = claims(token).get("exp")
    if not isinstance(exp, (int, float)):
        raise SignInError("the id_token has no exp claim")
    return datetime.fromtimestamp(exp, timezone.utc)


def token_error(status: int, body: bytes) -> str:
    """error (and error_description) of a token endpoint's answer (RFC 6749 5.2), never the body itself."""
    try:
        data = json.loads(body)
    except (ValueError, json.JSONDecodeError):
        return f"HTTP {status}"
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        description = data.get("error_description")
        return data["error"] + (f" ({description})" if isinstance(description, str) and description else "")
    return f"HTTP {status}"


def process_output(credentials: Mapping[str, Any]) -> str:
    """The JSON a credential_process prints (AWS CLI/SDK "Sourcing credentials with an external process")."""
    expiration = credentials["Expiration"]
    if isinstance(expiration, datetime):
        expiration = expiration.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({
        "Version": 1,
        "AccessKeyId": credentials["AccessKeyId"],
        "SecretAccessKey": credentials["SecretAccessKey"],
        "SessionToken": credentials["SessionToken"],
        "Expiration": expiration,
    })


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
