"""Small helpers the live checks share: an AWS error's code, and "that resource is gone"."""

from __future__ import annotations

from bcce_tf.errors import AwsError


def error_code(exc: BaseException) -> str:
    return str(exc.fields.get("code", "")) if isinstance(exc, AwsError) else ""


def is_missing(exc: BaseException, *codes: str) -> bool:
    """The answer says the resource does not exist (or the named configuration is absent)."""
    code = error_code(exc)
    return bool(code) and (code in codes or code.endswith(("NotFound", "NotFoundException", "NotFoundError"))
                           or code.startswith("NoSuch") or code == "ResourceNotFoundException")
