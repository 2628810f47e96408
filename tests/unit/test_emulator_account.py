"""The pure parts of `bcce local up --ready`: names, the bucket policy, the lines printed."""

from __future__ import annotations

from bcce_tf.emulator.account import (
    ROOT_MFA_NOT_DONE,
    Step,
    bucket_name,
    bucket_policy,
    config_role_arn,
    report_lines,
)


def test_names_follow_the_account():
    assert bucket_name("123456789012") == "account-audit-123456789012"
    assert config_role_arn("123456789012") == \
        "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    assert config_role_arn("123456789012", "aws-cn").startswith("arn:aws-cn:iam::123456789012:role/")


def test_bucket_policy_lets_cloudtrail_and_config_deliver_to_their_prefix_only():
    policy = bucket_policy("b", "111122223333", "aws-us-gov")
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert set(by_sid) == {"CloudTrailAclCheck", "CloudTrailWrite", "ConfigAclCheck", "ConfigWrite"}
    assert by_sid["CloudTrailWrite"]["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert by_sid["ConfigWrite"]["Principal"] == {"Service": "config.amazonaws.com"}
    for sid in ("CloudTrailWrite", "ConfigWrite"):
        statement = by_sid[sid]
        assert statement["Action"] == "s3:PutObject"
        assert statement["Resource"] == "arn:aws-us-gov:s3:::b/AWSLogs/111122223333/*"
        assert statement["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == "111122223333"
    assert by_sid["ConfigAclCheck"]["Resource"] == "arn:aws-us-gov:s3:::b"


def test_report_counts_changes_and_names_what_is_not_made_ready():
    lines = report_lines([Step("trail t", True), Step("trail t logging", False), Step("recorder r", True)])
    assert lines == ["made: trail t", "already: trail t logging", "made: recorder r",
                     "account ready: 2 change(s), 1 already in place", ROOT_MFA_NOT_DONE]
    assert "security.root-mfa stays failed" in ROOT_MFA_NOT_DONE


def test_a_second_run_reports_no_change():
    assert report_lines([Step("x", False)])[1] == "account ready: 0 change(s), 1 already in place"
