"""The one table of error patterns that decides how a failure is handled.

Order matters only inside a kind; kinds are tried in PRIORITY order, so a credentials error
wins over a transient word found in the same output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bcce_tf.resilience.failure import FailureKind


@dataclass(frozen=True)
class ErrorPattern:
    name: str
    regex: re.Pattern[str]
    kind: FailureKind
    source: str  # where the pattern comes from: "aws", "emulator", "network", "terraform", "terragrunt"


PRIORITY: tuple[FailureKind, ...] = (
    FailureKind.CREDENTIALS,
    FailureKind.PERMISSION_DENIED,
    FailureKind.NOT_SUPPORTED,
    FailureKind.LOCKED,
    FailureKind.TRANSIENT,
)


def _token(*codes: str) -> str:
    """An AWS error code matched as a whole word, case-sensitively."""
    return r"\b(?:" + "|".join(re.escape(code) for code in codes) + r")\b"


def _row(name: str, regex: str, kind: FailureKind, source: str) -> ErrorPattern:
    return ErrorPattern(name, re.compile(regex, re.DOTALL), kind, source)


_C, _L, _T = FailureKind.CREDENTIALS, FailureKind.LOCKED, FailureKind.TRANSIENT

_CREDENTIALS = (
    _row("invalid-client-token", _token("InvalidClientTokenId"), _C, "aws"),
    _row("unrecognized-client", _token("UnrecognizedClientException"), _C, "aws"),
    _row("expired-token", _token("ExpiredToken", "ExpiredTokenException"), _C, "aws"),
    _row("invalid-access-key", _token("InvalidAccessKeyId"), _C, "aws"),
    _row("signature-mismatch", _token("SignatureDoesNotMatch"), _C, "aws"),
    _row("auth-failure", _token("AuthFailure"), _C, "aws"),
    _row("no-credential-providers", _token("NoCredentialProviders"), _C, "aws"),
    _row("no-valid-credential-sources", r"(?i:no valid credential sources)", _C, "aws"),
    _row("credentials-refresh-failed", r"failed to refresh cached credentials", _C, "aws"),
)

_P = FailureKind.PERMISSION_DENIED
# Valid credentials whose policy lacks the action: a different fix (the policy, not the keys).
_PERMISSION = (
    _row("access-denied", _token("AccessDenied", "AccessDeniedException"), _P, "aws"),
    _row("unauthorized-operation", _token("UnauthorizedOperation"), _P, "aws"),
    _row("not-authorized", _token("NotAuthorized"), _P, "aws"),
    _row("authorization-error", _token("AuthorizationError", "AuthorizationErrorException"), _P, "aws"),
    _row("not-authorized-to-perform", r"is not authorized to perform:? (?P<action>[a-z0-9-]+:[A-Za-z0-9*]+)", _P, "aws"),
)

# An endpoint that lacks an action answers HTTP 500 (moto, and bcce's emulator, which passes moto's
# text on: moto/core/responses.py raises NotImplementedError("The <action> action has not been
# implemented")) or 501 NotImplemented. The same request fails the same way: never retried.
# The group "action" names what is missing.
NOT_IMPLEMENTED_ACTION = r"\bThe (?P<action>[A-Za-z0-9_]+) action has not been implemented"

_NOT_SUPPORTED = (
    _row("action-not-implemented", NOT_IMPLEMENTED_ACTION, FailureKind.NOT_SUPPORTED, "emulator"),
    _row("not-implemented", _token("NotImplemented", "NotImplementedError"), FailureKind.NOT_SUPPORTED, "aws"),
)

_LOCKED = (_row("state-locked", r"Error acquiring the state lock", _L, "terraform"),)

_AWS_TRANSIENT = (
    _row(
        "aws-throttling",
        _token(
            "Throttling",
            "ThrottlingException",
            "ThrottledException",
            "RequestThrottled",
            "RequestThrottledException",
            "EC2ThrottledException",
            "TooManyRequestsException",
            "RequestLimitExceeded",
            "SlowDown",
            "ProvisionedThroughputExceededException",
            "BandwidthLimitExceeded",
            "PriorRequestNotComplete",
            "TransactionInProgressException",
        ),
        _T,
        "aws",
    ),
    _row(
        "aws-unavailable",
        _token(
            "ServiceUnavailable",
            "ServiceUnavailableException",
            "InternalError",
            "InternalFailure",
            "InternalServerException",
        ),
        _T,
        "aws",
    ),
    _row("aws-request-timeout", _token("RequestTimeout", "RequestTimeoutException"), _T, "aws"),
    _row("http-5xx", r"(?i:status ?code):? 50[0234]\b", _T, "aws"),
    _row("http-429", r"(?i:status ?code):? 429\b|429 Too Many Requests", _T, "aws"),
    _row("send-request-failed", r"RequestError: send request failed|request send failed", _T, "aws"),
)

# gruntwork-io/terragrunt, internal/retry/defaults.go, DefaultRetryableErrors (30 regexes).
# Go's MatchString is unanchored, so the "(?s).*" wrappers are dropped for re.search.
_TERRAGRUNT_DEFAULTS: tuple[tuple[str, str], ...] = (
    ("tg-load-state-tcp-timeout", r"Failed to load state.*tcp.*timeout"),
    ("tg-load-backend-tls-timeout", r"Failed to load backend.*TLS handshake timeout"),
    (
        "tg-metric-alarm-update-in-progress",
        r"Creating metric alarm failed.*request to update this alarm is in progress",
    ),
    ("tg-install-provider-tls-timeout", r"Error installing provider.*TLS handshake timeout"),
    ("tg-configure-backend-tls-timeout", r"Error configuring the backend.*TLS handshake timeout"),
    ("tg-install-provider-tcp-timeout", r"Error installing provider.*tcp.*timeout"),
    ("tg-install-provider-tcp-reset", r"Error installing provider.*tcp.*connection reset by peer"),
    ("tg-no-such-bucket", r"NoSuchBucket: The specified bucket does not exist"),
    ("tg-ssm-too-many-updates", r"Error creating SSM parameter: TooManyUpdates:"),
    ("tg-tfc-429", r"app.terraform.io.*: 429 Too Many Requests"),
    ("tg-ssh-closed", r"ssh_exchange_identification.*Connection closed by remote host"),
    ("tg-client-timeout-headers", r"Client\.Timeout exceeded while awaiting headers"),
    ("tg-module-download-429", r"Could not download module.*The requested URL returned error: 429"),
    ("tg-net-http-tls-timeout", r"net/http: TLS.*handshake timeout"),
    ("tg-registry-query-deadline", r"could not query provider registry.*context deadline exceeded"),
    ("tg-provider-tls-timeout", r"provider.*TLS handshake timeout"),
    ("tg-provider-tcp-timeout", r"provider.*tcp.*timeout"),
    ("tg-provider-tcp-reset", r"provider.*tcp.*connection reset by peer"),
    ("tg-provider-deadline", r"provider.*context deadline exceeded"),
    ("tg-registry-deadline", r"registry.*context deadline exceeded"),
    ("tg-resolve-provider-timeout", r"Failed to resolve provider.*timeout"),
    ("tg-resolve-provider-reset", r"Failed to resolve provider.*connection reset by peer"),
    ("tg-resolve-provider-deadline", r"Failed to resolve provider.*context deadline exceeded"),
    ("tg-registry-connect-timeout", r"could not connect to registry.*timeout"),
    ("tg-registry-connect-reset", r"could not connect to registry.*connection reset by peer"),
    ("tg-registry-connect-deadline", r"could not connect to registry.*context deadline exceeded"),
    ("tg-discovery-deadline", r"failed to request discovery document.*context deadline exceeded"),
    ("tg-query-packages-timeout", r"Failed to query available provider packages.*timeout"),
    ("tg-query-packages-reset", r"Failed to query available provider packages.*connection reset by peer"),
    ("tg-query-packages-deadline", r"Failed to query available provider packages.*context deadline exceeded"),
)

_TERRAGRUNT = tuple(_row(name, regex, _T, "terragrunt") for name, regex in _TERRAGRUNT_DEFAULTS)

_NETWORK_TRANSIENT = (
    _row("connection-reset", r"connection reset by peer", _T, "network"),
    _row("connection-refused", r"connection refused", _T, "network"),
    _row("unexpected-eof", r"unexpected EOF", _T, "network"),
    # A send that died mid-request ends `Post "https://...": EOF`.
    _row("eof-on-send", r'": EOF\b', _T, "network"),
    _row("client-timeout", r"Client\.Timeout exceeded", _T, "network"),
    _row("tls-handshake-timeout", r"TLS handshake timeout", _T, "network"),
    _row("io-timeout", r"i/o timeout", _T, "network"),
)

PATTERNS: tuple[ErrorPattern, ...] = (
    *_CREDENTIALS,
    *_PERMISSION,
    *_NOT_SUPPORTED,
    *_LOCKED,
    *_AWS_TRANSIENT,
    *_TERRAGRUNT,
    *_NETWORK_TRANSIENT,
)


def patterns_of(kind: FailureKind) -> tuple[ErrorPattern, ...]:
    return tuple(pattern for pattern in PATTERNS if pattern.kind is kind)
