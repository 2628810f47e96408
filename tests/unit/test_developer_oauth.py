"""The pure parts of the sign-in: PKCE, the authorization request, the redirect's answer, token
claims, the Logins key and the credential_process output."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

import pytest

from bcce_tf.developer import oauth
from bcce_tf.developer.errors import SignInError
from bcce_tf.errors import UsageError


def test_pkce_s256_is_unpadded_base64url_of_the_sha256():
    challenge = oauth.challenge_of("abc")
    assert challenge == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"  # SHA-256("abc") = ba7816bf...
    assert "=" not in challenge and len(challenge) == 43
    pkce = oauth.new_pkce()
    assert 43 <= len(pkce.verifier) <= 128 and oauth.challenge_of(pkce.verifier) == pkce.challenge
    assert oauth.new_pkce().verifier != pkce.verifier


def test_authorize_url_carries_code_flow_and_pkce():
    pkce = oauth.Pkce("v" * 43, "c" * 43)
    url = oauth.authorize_url("https://auth.example.com/oauth2/authorize", client_id="abc", redirect_uri="http://localhost:8400/callback",
                              state="s1", pkce=pkce)
    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    assert query == {"response_type": "code", "client_id": "abc", "redirect_uri": "http://localhost:8400/callback",
                     "scope": "openid email profile", "state": "s1", "code_challenge": "c" * 43, "code_challenge_method": "S256"}


def test_callback_answers():
    assert oauth.code_from_callback("code=xyz&state=s1", "s1") == "xyz"
    with pytest.raises(SignInError, match="sign-in refused by the identity provider: access_denied"):
        oauth.code_from_callback("error=access_denied&state=s1", "s1")
    with pytest.raises(SignInError, match="wrong state"):
        oauth.code_from_callback("code=xyz&state=other", "s1")
    with pytest.raises(SignInError, match="no authorization code"):
        oauth.code_from_callback("state=s1", "s1")


def _jwt(payload: dict) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{body}.sig"


def test_token_expiry_and_malformed_tokens():
    assert oauth.expires_at(_jwt({"exp": 1800000000})) == datetime.fromtimestamp(1800000000, timezone.utc)
    with pytest.raises(SignInError, match="not a JWT"):
        oauth.claims("opaque")
    with pytest.raises(SignInError, match="no exp claim"):
        oauth.expires_at(_jwt({"sub": "x"}))


def test_login_key_is_the_issuer_without_scheme():
    assert oauth.login_key("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123") == "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    assert oauth.login_key("http://localhost:5000/") == "localhost:5000"


@pytest.mark.parametrize("issuer", ["http://idp.example.com", "ftp://x", "https://"])
def test_issuer_must_be_https_or_loopback(issuer):
    with pytest.raises(UsageError, match="--issuer-url must be an https URL"):
        oauth.check_issuer(issuer)


@pytest.mark.parametrize("uri", ["https://localhost:8400/cb", "http://example.com:8400/cb", "http://localhost/cb"])
def test_redirect_must_be_a_loopback_port(uri):
    with pytest.raises(UsageError, match="--redirect-uri must be http://localhost:PORT/PATH"):
        oauth.check_redirect(uri)


def test_pool_id_shape():
    assert oauth.check_pool_id("us-east-1:01234567-89ab-cdef-0123-456789abcdef")
    with pytest.raises(UsageError, match="--identity-pool-id must look like"):
        oauth.check_pool_id("pool; rm -rf /")


def test_token_error_names_the_error_never_the_body():
    assert oauth.token_error(400, b'{"error": "invalid_grant", "error_description": "revoked"}') == "invalid_grant (revoked)"
    assert oauth.token_error(502, b"<html>secret-ish page</html>") == "HTTP 502"


def test_process_output_is_the_documented_shape():
    out = json.loads(oauth.process_output({"AccessKeyId": "AK", "SecretAccessKey": "SK", "SessionToken": "ST",
                                           "Expiration": datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)}))
    assert out == {"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK", "SessionToken": "ST", "Expiration": "2030-01-02T03:04:05Z"}
