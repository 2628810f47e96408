"""`bcce state bootstrap`: the S3 bucket and DynamoDB table behind the S3 backend."""

from __future__ import annotations

from dataclasses import dataclass

from bcce_tf.aws import AwsClients
from bcce_tf.errors import AwsError, UsageError


@dataclass(frozen=True)
class BootstrapResult:
    bucket: str
    table: str | None
    created: tuple[str, ...]


def bootstrap(clients: AwsClients, *, bucket: str, table: str | None, region: str, kms_key_id: str | None = None) -> BootstrapResult:
    """Create (or bring in line) the state bucket and lock table. Safe to run again."""
    created: list[str] = []
    try:
        clients.call("s3", region, "head_bucket", Bucket=bucket)
    except AwsError as exc:
        if exc.fields.get("code") not in ("404", "NoSuchBucket", "NotFound"):
            if exc.fields.get("code") in ("403", "AccessDenied"):
                raise UsageError(f"state bucket '{bucket}' exists but belongs to someone else or is not readable") from None
            raise
        params: dict = {"Bucket": bucket}
        if region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        clients.call("s3", region, "create_bucket", **params)
        created.append(f"s3://{bucket}")
    rule: dict = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}
    if kms_key_id:
        rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = kms_key_id
    clients.call("s3", region, "put_bucket_encryption", Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    clients.call("s3", region, "put_bucket_versioning", Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    clients.call("s3", region, "put_public_access_block", Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    if table:
        try:
            clients.call("dynamodb", region, "describe_table", TableName=table)
        except AwsError as exc:
            if exc.fields.get("code") != "ResourceNotFoundException":
                raise
            clients.call("dynamodb", region, "create_table", TableName=table, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
                         SSESpecification={"Enabled": True})
            created.append(f"dynamodb table {table}")
    return BootstrapResult(bucket=bucket, table=table, created=tuple(created))
