"""Errors of the developer side: sign-in (exit 23) and the machine checks (exit 24)."""

from __future__ import annotations

from bcce_tf.errors import BcceError
from bcce_tf.exit_codes import ExitCode


class SignInError(BcceError):
    """The identity provider was unreachable, refused the sign-in, or the identity pool rejected the token."""

    exit_code = ExitCode.SIGN_IN_FAILED


class DeveloperCheckError(BcceError):
    """`bcce claude-code doctor`: a check the developer needs failed."""

    exit_code = ExitCode.DEVELOPER_CHECK_FAILED
