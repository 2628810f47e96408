"""Classify a failed Terraform run or AWS call as transient, locked, credentials or fatal."""

from __future__ import annotations

import json
import re

import botocore.exceptions as boto_errors

from bcce_tf.errors import AwsError, CredentialsError, PermissionDeniedError
from bcce_tf.resilience.failure import Failure, FailureKind, LockInfo
from bcce_tf.resilience.lock_info import parse_lock_info
from bcce_tf.resilience.patterns import PATTERNS, PRIORITY, ErrorPattern, patterns_of
from bcce_tf.resilience.text import flatten, shorten, strip_ansi, without_gutters

__all__ = [
    "PATTERNS",
    "ErrorPattern",
    "Failure",
    "FailureKind",
    "LockInfo",
    "classify_aws_code",
    "classify_aws_error",
    "classify_terraform_output",
    "error_diagnostics",
    "strip_ansi",
]

_TRANSIENT_HTTP_STATUS = {500: "http-5xx", 502: "http-5xx", 503: "http-5xx", 504: "http-5xx", 429: "http-429"}


def _botocore_classes(*names: str) -> tuple[type[BaseException], ...]:
    # Some of these arrived in later botocore releases than the oldest one bcce accepts.
    found = (getattr(boto_errors, name, None) for name in names)
    return tuple(cls for cls in found if isinstance(cls, type))


_MISSING_CREDENTIALS = _botocore_classes(
    "NoCredentialsError",
    "PartialCredentialsError",
    "CredentialRetrievalError",
    "NoAuthTokenError",
    "TokenRetrievalError",
    "SSOError",
    "LoginError",
)
_CONNECTION_PROBLEMS = (
    *_botocore_classes("ConnectionError", "HTTPClientError"),
    ConnectionError,
    TimeoutError,
)


def classify_terraform_output(stderr: str, stdout: str = "") -> Failure:
    """How to handle a Terraform run that exited non-zero.

    Reads stderr and, when Terraform ran with `-json`, the error diagnostics on stdout. The rest
    of stdout is left alone: plan output holds user data (names, tags) that could look like an
    error code.
    """
    text = "\n".join([stderr, *error_diagnostics(stdout)])
    return classify_text(text)


def classify_text(text: str) -> Failure:
    readable = without_gutters(strip_ansi(text))
    flat = flatten(readable)
    for kind in PRIORITY:
        for pattern in patterns_of(kind):
            match = pattern.regex.search(flat)
            if match is None:
                continue
            if kind is FailureKind.LOCKED:
                lock = parse_lock_info(readable)
                if lock is not None:
                    return Failure(kind, _lock_reason(pattern, lock), lock)
                if _LOCK_REFUSED.search(flat):
                    # the holder was caught writing its Lock Info (local state), or the backend refused without it
                    return Failure(kind, f"{pattern.name}: held by a run that has not named itself yet")
                continue
            detail = _denial_text(flat, match) if kind is FailureKind.PERMISSION_DENIED else ""
            return Failure(kind, f"{pattern.name}: {_excerpt(match, readable)}", action=_action(match), detail=detail)
    return Failure(FailureKind.FATAL, f"unclassified: {_first_error_line(readable)}")


# A lock refused by its holder, as opposed to a lock that could not be reached (a network fault: transient).
_LOCK_REFUSED = re.compile(
    r"Error acquiring the state lock.{0,600}?(resource temporarily unavailable|ConditionalCheckFailed|PreconditionFailed"
    r"|lock is already held|already locked)", re.IGNORECASE,
)


def _denial_text(flat: str, match: re.Match[str]) -> str:
    """The sentence of a refusal around the matched code: from the code to the end of its message."""
    start = max(0, match.start())
    return shorten(flat[start:start + 600], 600)


def error_diagnostics(stdout: str) -> list[str]:
    """The error diagnostics of Terraform's `-json` output, as "Error: summary\\n\\ndetail"."""
    found: list[str] = []
    for line in stdout.splitlines():
        message = _json_object(line)
        if message is None or message.get("@level") != "error":
            continue
        diagnostic = message.get("diagnostic")
        if isinstance(diagnostic, dict):
            found.append(f"Error: {diagnostic.get('summary', '')}\n\n{diagnostic.get('detail', '')}")
        elif isinstance(summary := message.get("@message"), str):
            found.append(summary)
    return found


def classify_aws_error(exc: BaseException) -> Failure:
    """How to handle an exception raised by boto3/botocore (or bcce's own AwsError)."""
    if isinstance(exc, boto_errors.ClientError):
        from bcce_tf.aws_errors import answer_of

        answer = answer_of(exc.response)
        return classify_aws_code(answer.code, message=answer.message, status=answer.status)
    if isinstance(exc, CredentialsError):
        return Failure(FailureKind.CREDENTIALS, f"credentials: {shorten(str(exc))}")
    if isinstance(exc, PermissionDeniedError):
        return Failure(FailureKind.PERMISSION_DENIED, f"permission-denied: {shorten(str(exc))}",
                       action=str(exc.fields.get("action", "")), detail=str(exc.fields.get("detail", "")))
    if isinstance(exc, AwsError):
        return classify_aws_code(str(exc.fields.get("code", "")), message=str(exc.fields.get("detail", "")))
    described = shorten(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, _MISSING_CREDENTIALS):
        return Failure(FailureKind.CREDENTIALS, f"missing-credentials: {described}")
    if isinstance(exc, _CONNECTION_PROBLEMS):
        return Failure(FailureKind.TRANSIENT, f"connection: {described}")
    return Failure(FailureKind.FATAL, f"unclassified: {described}")


def classify_aws_code(code: str, *, message: str = "", status: int | None = None) -> Failure:
    """Classify an AWS error by its code, then by its HTTP status."""
    described = shorten(f"{code}: {message}" if message else code)
    for kind in (FailureKind.CREDENTIALS, FailureKind.PERMISSION_DENIED, FailureKind.NOT_SUPPORTED, FailureKind.TRANSIENT):
        for pattern in patterns_of(kind):
            # An unimplemented action is named in the message; every other kind by its code.
            subject = f"{code}: {message}" if kind is FailureKind.NOT_SUPPORTED else code
            if code and (match := pattern.regex.search(subject)):
                detail = f"{code}: {message}" if kind is FailureKind.PERMISSION_DENIED else ""
                return Failure(kind, f"{pattern.name}: {described}", action=_action(match), detail=detail)
    if status in _TRANSIENT_HTTP_STATUS:
        return Failure(FailureKind.TRANSIENT, f"{_TRANSIENT_HTTP_STATUS[status]}: HTTP {status} {described}")
    return Failure(FailureKind.FATAL, f"unclassified: {described}")


def _action(match: re.Match[str]) -> str:
    return (match.groupdict().get("action") or "") if match.re.groupindex else ""


def _json_object(line: str) -> dict[str, object] | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _excerpt(match: re.Match[str], readable: str) -> str:
    """The matched text; a lone error code is followed to the end of its line for context."""
    matched = match.group(0)
    if re.fullmatch(r"\w+", matched):
        for line in readable.splitlines():
            at = line.find(matched)
            if at >= 0:
                return shorten(line[at:], 120)
    return shorten(matched, 120)


def _lock_reason(pattern: ErrorPattern, lock: LockInfo) -> str:
    return (
        f"{pattern.name}: held by {lock.who or 'unknown'} (lock id {lock.id}, operation {lock.operation or 'unknown'})"
    )


def _first_error_line(readable: str) -> str:
    lines = [line.strip() for line in readable.splitlines() if line.strip()]
    chosen = next((line for line in lines if line.startswith("Error")), lines[0] if lines else "(no error output)")
    return shorten(chosen, 160)
