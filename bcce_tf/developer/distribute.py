"""Where `bcce claude-code distribute` puts the packages and how long their download URLs last.

The archives go under a private prefix of the stack's Athena results bucket (a stack bucket that
is KMS-encrypted with the stack key, private behind the public access block, TLS-only, without
storage-class transitions; the lake bucket moves objects to Glacier and the audit bucket is
CloudTrail's), each object encrypted with SSE-KMS under the stack key. A presigned GET URL (SigV4)
lasts at most 7 days (604800 s), and never longer than the credentials that sign it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bcce_tf.errors import UsageError

MAX_EXPIRES = 604800  # SigV4 presigned URLs: at most 7 days
PREFIX = "claude-code/packages"
BUCKET_OUTPUT = "athena_results_bucket"
KEY_OUTPUT = "kms_key_arn"
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class Target:
    bucket: str
    kms_key_arn: str
    prefix: str


def target(outputs: Mapping[str, Any], key: str, bucket: str | None = None) -> Target:
    """The bucket, KMS key and prefix of one stack's packages."""
    if bucket is not None and not BUCKET_RE.fullmatch(bucket):
        raise UsageError(f"--bucket '{bucket}' is not an S3 bucket name (3-63 lowercase letters, digits, . and -)")
    found = bucket or outputs.get(BUCKET_OUTPUT)
    if not found:
        raise UsageError(f"stack {key} has no output '{BUCKET_OUTPUT}': apply the analytics component, or name a stack bucket with --bucket")
    kms = outputs.get(KEY_OUTPUT)
    if not kms or not str(kms).startswith("arn:"):
        raise UsageError(f"stack {key} has no output '{KEY_OUTPUT}': apply the security component first (the packages are encrypted with its key)")
    return Target(str(found), str(kms), f"{PREFIX}/{key}")


def check_expires(seconds: int) -> int:
    if not 1 <= seconds <= MAX_EXPIRES:
        raise UsageError(f"--expires-in must be from 1 to {MAX_EXPIRES} seconds (7 days, the most a SigV4 URL lasts), not {seconds}")
    return seconds


def expiry(now: datetime, seconds: int, credentials_expire: datetime | None) -> tuple[datetime, str | None]:
    """When the URLs stop working, and a note when the signing credentials end sooner than asked."""
    asked = now + timedelta(seconds=seconds)
    if not isinstance(credentials_expire, datetime) or credentials_expire.tzinfo is None:
        credentials_expire = None
    if credentials_expire is not None and credentials_expire < asked:
        credentials_expire = credentials_expire.astimezone(timezone.utc)
        return credentials_expire, (f"the signing credentials expire at {credentials_expire:%Y-%m-%dT%H:%M:%SZ}: the URLs stop working "
                                    f"then, before the {seconds} s asked; sign with longer-lived credentials for a longer URL")
    return asked, None
