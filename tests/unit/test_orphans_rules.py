"""Orphans, the pure parts: tagged resources no state knows, and how to get rid of them."""

from __future__ import annotations

from bcce_tf.health.inventory import from_show_json
from bcce_tf.health.orphans import Orphan, delete_hint, find_orphans, stack_tag_filters

TAGS = [{"Key": "ManagedBy", "Value": "bcce"}, {"Key": "Stack", "Value": "bcce"}]


def tagged(*arns: str) -> list[dict]:
    return [{"ResourceARN": arn, "Tags": TAGS} for arn in arns]


def test_only_tagged_resources_missing_from_every_state_are_orphans():
    known = ["arn:aws:s3:::kept", "arn:aws:logs:us-east-1:1:log-group:/bcce/audit:*"]
    found = find_orphans(tagged("arn:aws:s3:::kept", "arn:aws:logs:us-east-1:1:log-group:/bcce/audit",
                                "arn:aws:s3:::lost", "arn:aws:kms:us-east-1:1:key/abc", "arn:aws:s3:::lost"), known)
    assert [o.arn for o in found] == ["arn:aws:kms:us-east-1:1:key/abc", "arn:aws:s3:::lost"]
    assert found[1].tags == {"ManagedBy": "bcce", "Stack": "bcce"}
    assert find_orphans([], known) == []


def test_delete_hints_name_the_resource():
    assert delete_hint(Orphan("arn:aws:s3:::lost", {})) == "aws s3 rb s3://lost (after emptying it)"
    assert delete_hint(Orphan("arn:aws:kms:us-east-1:1:key/abc", {})) == "aws kms schedule-key-deletion --key-id abc"
    assert delete_hint(Orphan("arn:aws:logs:us-east-1:1:log-group:/bcce/x", {})) == "aws logs delete-log-group --log-group-name /bcce/x"
    assert "in the sns console or CLI" in delete_hint(Orphan("arn:aws:sns:us-east-1:1:topic", {}))


def test_the_filters_are_the_tags_every_resource_gets():
    assert stack_tag_filters("bcce", "acme") == [{"Key": "ManagedBy", "Values": ["bcce"]}, {"Key": "Stack", "Values": ["bcce"]},
                                                 {"Key": "Organization", "Values": ["acme"]}]


def test_the_inventory_keeps_the_arn_of_every_managed_resource():
    shown = {"values": {"root_module": {"child_modules": [{"resources": [
        {"mode": "managed", "type": "aws_iam_role", "address": "module.s.aws_iam_role.r", "values": {"arn": "arn:aws:iam::1:role/r"}},
        {"mode": "managed", "type": "aws_s3_bucket", "address": "module.s.aws_s3_bucket.b",
         "values": {"arn": "arn:aws:s3:::b", "bucket": "b", "policy": "secret"}},
        {"mode": "data", "type": "aws_caller_identity", "address": "data.aws_caller_identity.me", "values": {"arn": "arn:aws:sts::1:user/me"}},
    ]}]}}}
    inventory = from_show_json("bcce-us-east-1", "us-east-1", shown)
    assert inventory.arns == ("arn:aws:iam::1:role/r", "arn:aws:s3:::b")
    assert [r.type for r in inventory.resources] == ["aws_s3_bucket"]
