"""Which resources a destroy keeps, from a real destroy plan of the security component."""

from __future__ import annotations

import json
from pathlib import Path

from bcce_tf import retention

FIXTURE = Path(__file__).parent.parent / "fixtures" / "plan-destroy-security.json"


def resources():
    return retention.managed_resources(json.loads(FIXTURE.read_text()))


def test_data_and_what_it_needs_are_kept_the_rest_destroyed():
    split = retention.split(resources())
    assert split.destroyed == [
        "module.security.aws_cloudtrail.audit",
        "module.security.aws_iam_role.trail_to_logs",
        "module.security.aws_iam_role_policy.trail_to_logs",
    ]
    assert split.retained["module.security.aws_kms_key.stack"] == "encrypts retained data"
    assert split.retained["module.security.module.audit_bucket.aws_s3_bucket.this"] == "holds data"
    assert split.retained["module.security.aws_cloudwatch_log_group.audit"] == "holds data"
    assert split.retained["module.security.aws_kms_alias.stack"].startswith("protects ")
    assert split.retained["module.security.module.audit_bucket.aws_s3_bucket_policy.this"].startswith("protects ")


def test_no_destroyed_resource_is_a_dependency_of_a_kept_one():
    found = resources()
    split = retention.split(found)
    for address in split.retained:
        deps = {d for d in found[address].depends_on if not d.startswith(("data.", "module.security.data."))}
        deps = {d for d in deps if ".data." not in d}
        assert not deps & set(split.destroyed), address


def test_delete_data_destroys_keys_last():
    rest, keys = retention.delete_data_phases(resources())
    assert keys == ["module.security.aws_kms_key.stack"]
    assert "module.security.module.audit_bucket.aws_s3_bucket.this" in rest and not set(keys) & set(rest)


def test_buckets_and_hints():
    found = resources()
    names = retention.buckets(found)
    assert sorted(names.values()) == ["bcce-acme-123456789012-us-east-1-logs", "bcce-acme-123456789012-us-east-1-trail"] or all(names.values())
    key = found["module.security.aws_kms_key.stack"]
    assert "schedule-key-deletion --key-id " + key.values["key_id"] in retention.delete_hint(key)


def test_an_empty_state_keeps_nothing():
    split = retention.split(retention.managed_resources({"format_version": "1.0"}))
    assert split.retained == {} and split.destroyed == []
