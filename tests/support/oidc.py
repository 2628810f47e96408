"""A real OIDC provider on the loopback (PyPI oidc-provider-mock, in-process), the browser of a
developer driven over HTTP, and Cognito Identity's check of the Logins map on the emulator."""

from __future__ import annotations

import base64
import io
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass
class Provider:
    url: str
    authorize_queries: list[dict[str, str]] = field(default_factory=list)
    token_forms: list[dict[str, str]] = field(default_factory=list)

    def revoke(self, sub: str) -> None:
        request = urllib.request.Request(f"{self.url}/users/{urllib.parse.quote(sub)}/revoke-tokens", data=b"", method="POST")
        urllib.request.urlopen(request, timeout=10).read()


@contextmanager
def provider() -> Iterator[Provider]:
    """The provider on localhost:<free port>; every authorization query and token form is recorded."""
    import oidc_provider_mock
    import werkzeug.serving

    from oidc_provider_mock import _app

    # A Cognito app client without a secret is a public client: its token requests carry the
    # client_id and no client authentication ("none", RFC 7591). The mock's grants take only
    # client_secret_basic/_post; the public method is added for the life of this provider.
    saved = {grant: grant.TOKEN_ENDPOINT_AUTH_METHODS for grant in (_app.AuthorizationCodeGrant, _app.RefreshTokenGrant)}
    for grant, methods in saved.items():
        grant.TOKEN_ENDPOINT_AUTH_METHODS = [*methods, "none"]
    # Cognito's token endpoint answers a refresh_token grant with a new id_token (OpenID Connect
    # allows leaving it out; the mock does). The mock's own OpenID extension adds it here.
    refresh_init = _app.RefreshTokenGrant.__init__

    def refresh_with_id_token(self: Any, *args: Any, **kwargs: Any) -> None:
        refresh_init(self, *args, **kwargs)
        _app.OpenIDCode(require_nonce=False, token_max_age=timedelta(hours=1))(self)

    _app.RefreshTokenGrant.__init__ = refresh_with_id_token  # type: ignore[method-assign]
    inner = oidc_provider_mock.app(require_nonce=False, issue_refresh_token=True)
    seen = Provider(url="")

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/authorize" and environ.get("REQUEST_METHOD") == "GET":
            seen.authorize_queries.append(dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""))))
        if path == "/oauth2/token":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size)
            seen.token_forms.append(dict(urllib.parse.parse_qsl(body.decode())))
            environ["wsgi.input"] = io.BytesIO(body)
        return inner(environ, start_response)

    server = werkzeug.serving.make_server("localhost", 0, recording, threaded=True)
    seen.url = f"http://localhost:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        for grant, methods in saved.items():
            grant.TOKEN_ENDPOINT_AUTH_METHODS = methods
        _app.RefreshTokenGrant.__init__ = refresh_init  # type: ignore[method-assign]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def browser(sub: str = "dev@example.com", *, deny: bool = False) -> Any:
    """A browser that opens the sign-in page, signs in as `sub` (or presses deny) and follows the
    provider's redirect to bcce's loopback listener. Records what it did."""
    calls: list[str] = []
    opener = urllib.request.build_opener(_NoRedirect)

    def open_url(url: str) -> None:
        calls.append(url)
        with urllib.request.urlopen(url, timeout=10) as page:  # the sign-in form
            assert page.status == 200
        form = {"action": "deny"} if deny else {"sub": sub}
        request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST")
        try:
            opener.open(request, timeout=10)
            raise AssertionError("the provider did not redirect")
        except urllib.error.HTTPError as answer:
            assert answer.code in (302, 303), answer.code
            location = answer.headers["Location"]
        with urllib.request.urlopen(location, timeout=10) as landing:  # bcce's listener
            assert landing.status == 200

    open_url.calls = calls  # type: ignore[attr-defined]
    return open_url


def no_browser(url: str) -> None:
    raise AssertionError("a sign-in in the browser was not expected")


def jwt_claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@contextmanager
def identity_pool_checks_logins() -> Iterator[None]:
    """GetId as Cognito Identity answers it: every Logins key must be a provider of the pool (an
    OpenID Connect provider ARN's name, or a user pool provider name) and the token's `iss` must
    be that provider, else NotAuthorizedException. moto accepts any Logins map without this."""
    from moto.cognitoidentity.models import cognitoidentity_backends
    from moto.cognitoidentity.responses import CognitoIdentityResponse
    from moto.core.exceptions import JsonRESTError

    original = CognitoIdentityResponse.get_id

    def get_id(self: Any) -> str:
        pool_id = self._get_param("IdentityPoolId")
        logins = self._get_param("Logins") or {}
        backend = cognitoidentity_backends[self.current_account][pool_id.split(":")[0]]
        pool = backend.identity_pools.get(pool_id)
        if pool is not None:
            names = {arn.split(":oidc-provider/", 1)[-1] for arn in pool.open_id_connect_provider_arns or []}
            names |= {p["ProviderName"] for p in pool.cognito_identity_providers or []}
            for key, token in logins.items():
                try:
                    issuer = jwt_claims(token).get("iss", "")
                except (ValueError, IndexError):
                    issuer = ""
                if key not in names or issuer.split("://", 1)[-1].rstrip("/") != key:
                    raise JsonRESTError("NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName")
        return original(self)

    CognitoIdentityResponse.get_id = get_id  # type: ignore[method-assign]
    try:
        yield
    finally:
        CognitoIdentityResponse.get_id = original  # type: ignore[method-assign]
