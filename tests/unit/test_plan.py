"""Plan JSON parsing against a saved `terraform show -json` document and hand-built edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bcce_tf.plan import action_of, parse_event, summarize

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_saved_destroy_plan():
    summary = summarize(json.loads((FIXTURES / "plan-destroy-security.json").read_text()))
    assert (summary.add, summary.change, summary.destroy) == (0, 0, 12)
    assert summary.terraform_version.startswith("1.")
    assert "module.security.aws_kms_key.stack" in summary.addresses("delete")
    assert summary.has_changes


def doc(*changes, outputs=None):
    return {
        "format_version": "1.2",
        "terraform_version": "1.15.5",
        "resource_changes": [
            {"address": a, "mode": m, "type": "aws_x", "change": {"actions": acts, "before": {"password": "hunter2"}}}
            for a, m, acts in changes
        ],
        "output_changes": outputs or {},
    }


def test_counts_replace_as_add_and_destroy_and_skips_noop_and_data():
    summary = summarize(doc(
        ("aws_x.new", "managed", ["create"]),
        ("aws_x.changed", "managed", ["update"]),
        ("aws_x.swapped", "managed", ["delete", "create"]),
        ("aws_x.same", "managed", ["no-op"]),
        ("data.aws_x.read", "data", ["read"]),
        outputs={"a": {"actions": ["update"]}, "b": {"actions": ["no-op"]}},
    ))
    assert (summary.add, summary.change, summary.destroy, summary.replace) == (2, 1, 1, 1)
    assert [c.address for c in summary.changes] == ["aws_x.changed", "aws_x.new", "aws_x.swapped"]
    assert summary.output_changes == ["a"]


def test_summary_never_carries_values():
    summary = summarize(doc(("aws_x.db", "managed", ["create"])))
    assert "hunter2" not in json.dumps(summary.to_dict())


def test_empty_plan_has_no_changes():
    summary = summarize(doc())
    assert not summary.has_changes and summary.to_dict()["has_changes"] is False


@pytest.mark.parametrize("bad", [{}, [], {"resource_changes": []}, "text"])
def test_rejects_documents_that_are_not_plans(bad):
    with pytest.raises(ValueError):
        summarize(bad)


def test_action_of_rejects_unknown_lists():
    assert action_of(["create", "delete"]) == "replace"
    with pytest.raises(ValueError):
        action_of(["explode"])


def test_parse_event_reads_apply_hooks_and_ignores_noise():
    line = json.dumps({"@level": "info", "@message": "aws_kms_key.k: Creation complete", "type": "apply_complete",
                       "hook": {"resource": {"addr": "aws_kms_key.k"}, "action": "create"}})
    event = parse_event(line)
    assert event is not None and (event.type, event.address, event.action) == ("apply_complete", "aws_kms_key.k", "create")
    summary = parse_event(json.dumps({"type": "change_summary", "changes": {"add": 3, "change": 1, "remove": 2}}))
    assert summary is not None and summary.total == 6
    assert parse_event("plain text") is None
    assert parse_event("{not json") is None
    assert parse_event("[1, 2]") is None
