"""Drift from a plan document: what changed outside Terraform and the plan would undo, masked."""

from __future__ import annotations

from bcce_tf import drift
from bcce_tf.executor import NOT_RUN

BUCKET = "module.security.aws_s3_bucket.audit"


def plan(**extra):
    doc = {
        "resource_drift": [
            {"address": BUCKET, "mode": "managed", "type": "aws_s3_bucket", "change": {
                "actions": ["update"],
                "before": {"tags": {"a": "1"}, "versioning": [{"enabled": True}], "policy": None, "lifecycle_rule": [1],
                           "password": "old"},
                "after": {"tags": {"a": "2"}, "versioning": [{"enabled": False}], "policy": {}, "lifecycle_rule": [2],
                          "password": "new"},
                "before_sensitive": {"password": True, "versioning": [{}]}, "after_sensitive": {"password": True}}},
            {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "change": {
                "actions": ["update"], "before": {"inline_policy": []}, "after": {"inline_policy": [{"name": "x"}]}}},
            {"address": "aws_sns_topic.t", "mode": "managed", "type": "aws_sns_topic", "change": {"actions": ["delete"], "before": {}, "after": None}},
        ],
        "resource_changes": [
            {"address": BUCKET, "change": {"actions": ["update"]}},
            {"address": "aws_iam_role.r", "change": {"actions": ["no-op"]}},
            {"address": "aws_sns_topic.t", "change": {"actions": ["create"]}},
        ],
    }
    doc.update(extra)
    return doc


def test_only_drift_the_plan_undoes_is_reported_with_its_attributes():
    found = {item.address: item for item in drift.drifted(plan())}
    assert set(found) == {BUCKET, "aws_sns_topic.t"}, "a difference the plan leaves alone is no drift"
    assert found["aws_sns_topic.t"].action == "delete"
    attributes = {a.name: a for a in found[BUCKET].attributes}
    assert set(attributes) == {"tags", "versioning", "lifecycle_rule", "password"}, "null and {} are the same"
    assert attributes["tags"].before == {"a": "1"} and attributes["tags"].after == {"a": "2"}
    assert attributes["versioning"].after == [{"enabled": False}], "an empty sensitivity mark masks nothing"
    assert attributes["password"].before == attributes["password"].after == drift.MASK


def test_relevant_attributes_narrow_the_report():
    doc = plan(relevant_attributes=[{"resource": BUCKET, "attribute": ["versioning", 0, "enabled"]},
                                    {"resource": BUCKET, "attribute": ["tags"]}])
    bucket = next(item for item in drift.drifted(doc) if item.address == BUCKET)
    assert [a.name for a in bucket.attributes] == ["tags", "versioning"]


def test_exit_code_28_only_when_no_target_is_deployed():
    assert drift.exit_code([28, 28]) == 28
    assert drift.exit_code([28, 0]) == 0
    assert drift.exit_code([28, 2, 0]) == 2
    assert drift.exit_code([2, 27]) == 27
    assert drift.exit_code([28, NOT_RUN, 130]) == 130


def test_deployed_looks_into_child_modules():
    assert not drift.deployed({})
    assert not drift.deployed({"values": {"root_module": {"resources": [{"mode": "data"}]}}})
    assert drift.deployed({"values": {"root_module": {"child_modules": [{"resources": [{"mode": "managed"}]}]}}})


def test_text_report_per_target():
    records = [
        {"target": "111111111111/us-east-1", "deployed": True, "drifted": []},
        {"target": "222222222222/us-east-1", "deployed": True,
         "drifted": [item.to_dict() for item in drift.drifted(plan())]},
        {"target": "333333333333/us-east-1", "deployed": False, "drifted": []},
        {"target": "444444444444/us-east-1", "error": "AccessDenied"},
    ]
    lines = drift.render_text(records).splitlines()
    assert lines[0] == "111111111111/us-east-1: in sync"
    assert lines[1] == "222222222222/us-east-1: 2 resource(s) changed outside Terraform"
    assert '      tags: {"a": "1"} -> {"a": "2"}' in lines
    assert '      password: "(sensitive)" -> "(sensitive)"' in lines
    assert "  - aws_sns_topic.t (deleted)" in lines
    assert "333333333333/us-east-1: nothing deployed" in lines
    assert lines[-1] == "444444444444/us-east-1: not checked (AccessDenied)"
