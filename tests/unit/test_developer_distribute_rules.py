"""The pure parts of `bcce claude-code distribute`: the bucket and prefix, the expiry rules."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bcce_tf.developer import distribute
from bcce_tf.errors import UsageError

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
OUTPUTS = {"athena_results_bucket": "bcce-acme-123456789012-us-east-1-athena",
           "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/0123"}


def test_the_packages_go_under_a_prefix_of_the_athena_bucket_with_the_stack_key():
    assert distribute.target(OUTPUTS, "bcce-us-east-1") == distribute.Target(
        OUTPUTS["athena_results_bucket"], OUTPUTS["kms_key_arn"], "claude-code/packages/bcce-us-east-1")
    assert distribute.target(OUTPUTS, "k", bucket="other-bucket").bucket == "other-bucket"


@pytest.mark.parametrize(("outputs", "bucket", "needle"), [
    ({"kms_key_arn": "arn:aws:kms:x"}, None, "no output 'athena_results_bucket'"),
    ({"athena_results_bucket": "b-b-b"}, None, "no output 'kms_key_arn'"),
    (OUTPUTS, "Bad_Bucket", "--bucket 'Bad_Bucket' is not an S3 bucket name"),
])
def test_what_is_missing_is_named(outputs, bucket, needle):
    with pytest.raises(UsageError, match=needle):
        distribute.target(outputs, "k", bucket)


@pytest.mark.parametrize("seconds", [0, -1, 604801])
def test_expires_in_is_at_most_seven_days(seconds):
    with pytest.raises(UsageError, match="--expires-in must be from 1 to 604800 seconds"):
        distribute.check_expires(seconds)


def test_the_url_ends_with_the_signing_credentials_when_they_end_sooner():
    assert distribute.expiry(NOW, 604800, None) == (NOW + timedelta(days=7), None)
    assert distribute.expiry(NOW, 3600, NOW + timedelta(hours=2)) == (NOW + timedelta(hours=1), None)
    ends, note = distribute.expiry(NOW, 604800, NOW + timedelta(hours=1))
    assert ends == NOW + timedelta(hours=1) and "expire at 2026-12-04T13:00:00Z" in note
