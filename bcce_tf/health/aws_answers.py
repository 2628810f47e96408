"""Small helpers the live checks share: an AWS error's code, and "that resource is gone"."""

from __future__ import annotations

from bcce_tf.errors import AwsError
from bcce_tf.readiness.checks.base import Outcome

REAPPLY = "run 'bcce apply' to restore what Terraform declared, then find who changed it (CloudTrail)"


def error_code(exc: BaseException) -> str:
    return str(exc.fields.get("code", "")) if isinstance(exc, AwsError) else ""


def is_missing(exc: BaseException, *codes: str) -> bool:
    """The answer says the resource does not exist (or the named configuration is absent)."""
    code = error_code(exc)
    return bool(code) and (code in codes or code.endswith(("NotFound", "NotFoundException", "NotFoundError"))
                           or code.startswith("NoSuch") or code == "ResourceNotFoundException")


def gone(exc: AwsError, what: str, fix: str = REAPPLY) -> Outcome:
    """The outcome of a check whose resource AWS no longer knows; any other error propagates."""
    if is_missing(exc):
        return Outcome.failed(f"{what} no longer exists", fix)
    raise exc
