"""`bcce report merge`: rows from each kind of result, one Markdown comment, one JUnit file."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bcce_tf import report_merge
from bcce_tf.errors import UsageError

FAN_OUT = {"exit_code": 27, "targets": [
    {"target": "111111111111/us-east-1", "result": "changes", "exit_code": 2, "readiness_score": 90, "duration_seconds": 12.0,
     "summaries": [{"add": 3, "change": 1, "destroy": 0}, {"add": 1, "change": 0, "destroy": 2}]},
    {"target": "333333333333/us-east-1", "result": "failed", "exit_code": 27, "duration_seconds": 0.4,
     "error": "target account 333333333333: profile 'p' failed"},
]}
DRIFT_ONE = {"targets": [{"target": "222222222222/us-east-1", "deployed": True,
                          "drifted": [{"address": "aws_s3_bucket.audit", "action": "update", "attributes": []}]}]}
SUMMARY = {"add": 0, "change": 0, "destroy": 0, "has_changes": False, "readiness_score": 100, "stack": "bcce", "region": "eu-west-1"}


def merged():
    return report_merge.merge([("run-a", FAN_OUT), ("drift-b", DRIFT_ONE), ("444444444444-eu-west-1", [SUMMARY])])


def test_rows_from_every_kind_of_input():
    rows = {r.target: r for r in merged()}
    assert list(rows) == ["111111111111/us-east-1", "222222222222/us-east-1", "333333333333/us-east-1", "444444444444-eu-west-1"]
    assert (rows["111111111111/us-east-1"].add, rows["111111111111/us-east-1"].change, rows["111111111111/us-east-1"].destroy) == (4, 1, 2)
    assert rows["222222222222/us-east-1"].result == "drift" and rows["222222222222/us-east-1"].drifted == ["aws_s3_bucket.audit"]
    assert rows["444444444444-eu-west-1"].result == "ok" and rows["444444444444-eu-west-1"].readiness_score == 100


def test_markdown_has_a_row_per_target_and_the_reasons():
    text = report_merge.to_markdown(merged())
    assert text.startswith("## ❌ bcce: 4 targets")
    assert "1 ok · 1 with changes · 1 drifted · 1 failed" in text
    assert "| 📝 | `111111111111/us-east-1` | changes | 4 | 1 | 2 | 90/100 | 2 |" in text
    assert "- `333333333333/us-east-1`: target account 333333333333: profile 'p' failed" in text
    assert "- `222222222222/us-east-1`: `aws_s3_bucket.audit` changed outside Terraform" in text


def test_junit_fails_the_failed_and_drifted_targets_only():
    suite = ET.fromstring(report_merge.to_junit(merged())).find("testsuite")
    assert suite.get("tests") == "4" and suite.get("failures") == "2"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert cases["333333333333/us-east-1"].find("failure").get("type") == "failed"
    assert cases["222222222222/us-east-1"].find("failure").get("type") == "drift"
    assert cases["111111111111/us-east-1"].find("failure") is None


@pytest.mark.parametrize("inputs, words", [
    ([("x", {"something": 1})], "x: not a bcce result"),
    ([("x", {"targets": [{"result": "ok"}]})], "x: each entry of 'targets' needs a 'target'"),
    ([("a", FAN_OUT), ("b", FAN_OUT)], "target 111111111111/us-east-1 is in both a and b"),
])
def test_bad_inputs_name_the_file(inputs, words):
    with pytest.raises(UsageError, match=words):
        report_merge.merge(inputs)
