"""The security component applied for real: KMS key, buckets, log group; idempotent; clean destroy."""

from __future__ import annotations

import json

import pytest

from tests.support.stack import emulator_config, render_for_emulator

pytestmark = pytest.mark.integration


def test_security_component_applies_converges_and_destroys(emulator, provider_mirror, tmp_path):
    config = emulator_config(components=["security"], organization_id="acme")
    run = render_for_emulator(config, tmp_path, emulator.url, provider_mirror)
    run.init()
    run.apply()

    outputs = run.outputs()
    kms = emulator.client("kms")
    key = kms.describe_key(KeyId=outputs["kms_key_arn"])["KeyMetadata"]
    assert key["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True
    s3 = emulator.client("s3")
    bucket = outputs["audit_bucket"]
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    assert "aws:SecureTransport" in s3.get_bucket_policy(Bucket=bucket)["Policy"]
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    assert tags == {"ManagedBy": "bcce", "Organization": "acme", "Project": "bcce", "Stack": "bcce"}
    groups = emulator.client("logs").describe_log_groups(logGroupNamePrefix="/bcce/")["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in groups] == [("/bcce/bcce-acme/audit", 365)]

    cloudtrail = emulator.client("cloudtrail")
    [trail] = cloudtrail.describe_trails()["trailList"]
    assert trail["TrailARN"] == outputs["trail_arn"]
    assert (trail["S3BucketName"], trail["S3KeyPrefix"]) == (bucket, "cloudtrail")
    assert trail["LogFileValidationEnabled"] is True
    assert trail["KmsKeyId"] == outputs["kms_key_arn"]
    assert trail["IsMultiRegionTrail"] is False
    assert trail["CloudWatchLogsLogGroupArn"].startswith(groups[0]["arn"].removesuffix(":*"))
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    trail_statements = [st for st in policy["Statement"] if st.get("Principal") == {"Service": "cloudtrail.amazonaws.com"}]
    assert {st["Sid"] for st in trail_statements} == {"CloudTrailAclCheck", "CloudTrailWrite"}
    for statement in trail_statements:
        source = statement["Condition"]["StringEquals"]["aws:SourceArn"]
        assert (source if isinstance(source, list) else [source]) == [outputs["trail_arn"]]
    key_policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    sids = {st["Sid"] for st in key_policy["Statement"]}
    assert {"CloudTrailEncryptsThisTrail", "AlarmsPublishToEncryptedTopics", "BudgetsPublishToEncryptedTopics", "AccountPrincipalsThroughStackServices"} <= sids

    assert run.plan_exit_code() == 0, "a second plan must show no changes"

    run.destroy()
    assert emulator.client("s3").list_buckets()["Buckets"] == []
    assert cloudtrail.describe_trails()["trailList"] == []
    assert emulator.client("iam").list_roles()["Roles"] == []
    assert emulator.client("logs").describe_log_groups(logGroupNamePrefix="/bcce/")["logGroups"] == []
    states = {k["KeyId"]: kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] for k in kms.list_keys()["Keys"]}
    assert set(states.values()) <= {"PendingDeletion"}
