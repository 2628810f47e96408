"""What a failed run or call was, as the retry layer needs to know it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FailureKind(StrEnum):
    TRANSIENT = "transient"  # worth trying again after a pause
    LOCKED = "locked"  # another run holds the Terraform state lock
    CREDENTIALS = "credentials"  # never retried: the same credentials fail the same way
    PERMISSION_DENIED = "permission-denied"  # never retried: valid credentials, an action their policy lacks
    NOT_SUPPORTED = "not-supported"  # never retried: the endpoint does not implement the action
    FATAL = "fatal"  # the caller reports it as it is


@dataclass(frozen=True)
class LockInfo:
    """The holder of a Terraform state lock, from the "Lock Info:" block."""

    id: str
    who: str = ""
    created: str = ""
    operation: str = ""
    path: str = ""


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    reason: str  # "<pattern name>: <matched text>", short enough for one log line
    lock: LockInfo | None = None
    action: str = ""  # NOT_SUPPORTED: the action the endpoint lacks, when its answer names it
    detail: str = ""  # PERMISSION_DENIED: AWS's refusal on one line (it names the action and resource)
