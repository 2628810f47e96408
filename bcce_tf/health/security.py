"""Security controls of a deployed stack, read live: the stack key, its buckets and its trail."""

from __future__ import annotations

from bcce_tf.errors import AwsError
from bcce_tf.health.aws_answers import REAPPLY, error_code, gone, is_missing
from bcce_tf.health.inventory import Inventory, Resource, declared_sse_algorithm
from bcce_tf.readiness.checks.base import CheckContext, Outcome


def stack_key(inventory: Inventory) -> Resource | None:
    keys = inventory.of("aws_kms_key")
    return next((k for k in keys if k.address.endswith("aws_kms_key.stack")), keys[0] if keys else None)


def kms_key(ctx: CheckContext, inventory: Inventory, key: Resource) -> Outcome:
    key_id = key.get("key_id") or key.get("arn")
    try:
        meta = ctx.call("kms", inventory.region, "describe_key", KeyId=key_id)["KeyMetadata"]
    except AwsError as exc:
        return gone(exc, f"key {key_id}", "the key is gone: restore it from backups of the state, "
                    "or cancel its deletion (kms cancel-key-deletion) if it is pending deletion")
    state = meta.get("KeyState", "?")
    if state != "Enabled" or not meta.get("Enabled", False):
        fix = (f"aws kms cancel-key-deletion --key-id {key_id} && aws kms enable-key --key-id {key_id}"
               if state == "PendingDeletion" else f"aws kms enable-key --key-id {key_id}")
        return Outcome.failed(f"key {key_id} is {state}: nothing encrypted with it can be read or written", fix)
    rotating = ctx.call("kms", inventory.region, "get_key_rotation_status", KeyId=key_id).get("KeyRotationEnabled")
    if not rotating:
        return Outcome.failed(f"key {key_id} is enabled but automatic rotation is off",
                              f"aws kms enable-key-rotation --key-id {key_id} (or {REAPPLY})")
    return Outcome.passed(f"key {key_id} is enabled and rotates")


def bucket_encryption(ctx: CheckContext, inventory: Inventory, bucket: str, key: Resource | None) -> Outcome:
    try:
        answer = ctx.call("s3", inventory.region, "get_bucket_encryption", Bucket=bucket)
    except AwsError as exc:
        if error_code(exc) == "ServerSideEncryptionConfigurationNotFoundError":
            return Outcome.failed(f"bucket {bucket} has no default encryption", REAPPLY)
        return gone(exc, f"bucket {bucket}")
    rules = answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
    algorithm, used = default.get("SSEAlgorithm", "none"), default.get("KMSMasterKeyID", "")
    if algorithm == "AES256" and declared_sse_algorithm(inventory, bucket) == "AES256":
        # the access-log bucket: S3 server access logging delivers only to SSE-S3 targets
        return Outcome.passed(f"bucket {bucket}: default encryption AES256 (SSE-S3), as declared")
    if algorithm not in ("aws:kms", "aws:kms:dsse"):
        return Outcome.failed(f"bucket {bucket} encrypts with {algorithm}, not the stack's KMS key", REAPPLY)
    if key is not None:
        wanted = {str(key.get("key_id") or ""), str(key.get("arn") or "")} - {""}
        if used and used not in wanted and not any(used.endswith(w) for w in wanted):
            return Outcome.failed(f"bucket {bucket} encrypts with key {used}, not the stack key {key.get('key_id')}", REAPPLY)
        if not used:
            return Outcome.failed(f"bucket {bucket} encrypts with the AWS-managed aws/s3 key, not the stack key", REAPPLY)
    return Outcome.passed(f"bucket {bucket}: default encryption {algorithm} with {used or 'the default key'}")


def bucket_versioning(ctx: CheckContext, inventory: Inventory, bucket: str) -> Outcome:
    try:
        status = ctx.call("s3", inventory.region, "get_bucket_versioning", Bucket=bucket).get("Status", "never enabled")
    except AwsError as exc:
        return gone(exc, f"bucket {bucket}")
    if status != "Enabled":
        return Outcome.failed(f"bucket {bucket} versioning is {status}: overwritten or deleted objects cannot be recovered", REAPPLY)
    return Outcome.passed(f"bucket {bucket}: versioning Enabled")


PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def bucket_public_access(ctx: CheckContext, inventory: Inventory, bucket: str) -> Outcome:
    try:
        answer = ctx.call("s3", inventory.region, "get_public_access_block", Bucket=bucket)
    except AwsError as exc:
        if error_code(exc) == "NoSuchPublicAccessBlockConfiguration":
            return Outcome.failed(f"bucket {bucket} has no public access block", REAPPLY)
        return gone(exc, f"bucket {bucket}")
    settings = answer.get("PublicAccessBlockConfiguration", {})
    off = [flag for flag in PUBLIC_ACCESS_FLAGS if not settings.get(flag)]
    if off:
        return Outcome.failed(f"bucket {bucket} public access block has {', '.join(off)} off", REAPPLY)
    return Outcome.passed(f"bucket {bucket}: all four public access block settings on")


def trail(ctx: CheckContext, inventory: Inventory, name: str) -> Outcome:
    try:
        status = ctx.call("cloudtrail", inventory.region, "get_trail_status", Name=name)
    except AwsError as exc:
        if is_missing(exc, "TrailNotFoundException"):
            return Outcome.failed(f"trail {name} no longer exists", REAPPLY)
        raise
    if not status.get("IsLogging"):
        return Outcome.failed(f"trail {name} is not logging: API activity is no longer recorded",
                              f"aws cloudtrail start-logging --name {name}")
    found = ctx.call("cloudtrail", inventory.region, "describe_trails", trailNameList=[name]).get("trailList", [])
    if not found or not found[0].get("LogFileValidationEnabled"):
        return Outcome.failed(f"trail {name} is logging but log file validation is off", REAPPLY)
    return Outcome.passed(f"trail {name} is logging, log file validation on")
