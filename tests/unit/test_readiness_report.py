"""Report formats, from hand-built reports: text, JSON, Markdown, JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from bcce_tf.readiness.model import CheckResult, Report
from bcce_tf.readiness.report import FORMATS, render, to_json, to_junit, to_markdown, to_text, verdict_line


def sample() -> Report:
    results = (
        CheckResult("security.credentials", "AWS credentials are valid", "security", "passed", "critical",
                    "account 111122223333 as arn:aws:sts::111122223333:assumed-role/deployer/ci", duration=0.25),
        CheckResult("security.cloudtrail.us-east-1", "CloudTrail is logging in us-east-1", "security", "failed", "high",
                    "no CloudTrail trail covers us-east-1", "create a trail | and start it <now>"),
        CheckResult("permissions.simulation", "Caller may do what the deployment needs", "permissions", "not_checked",
                    "high", "IAM policy simulation did not answer: HTTP 500"),
        CheckResult("configuration.combinations", "Settings work together", "configuration", "warning", "medium",
                    "monitoring without monitoring.alarm_email", "set monitoring.alarm_email"),
    )
    return Report(results=results, min_score=70, regions=("us-east-1",), components=("security",),
                  facts={"account_id": "111122223333"})


def test_text_lists_every_check_with_its_mark_evidence_and_fix():
    text = to_text(sample())
    assert "[PASS] AWS credentials are valid (security.credentials, critical)" in text
    assert "[FAIL] CloudTrail is logging in us-east-1" in text
    assert "fix: create a trail | and start it <now>" in text
    assert "[SKIP] Caller may do what the deployment needs" in text
    assert "IAM policy simulation did not answer: HTTP 500" in text
    assert "[WARN] Settings work together" in text
    assert text.index("Security:") < text.index("Permissions:") < text.index("Configuration:")
    assert text.rstrip().endswith(verdict_line(sample()))


def test_verdict_line_names_the_reasons():
    # critical 10 + high 5 + high 5 + medium 3 = 23; earned 10 + 1.5 = 11.5 -> 50
    assert verdict_line(sample()) == "Readiness score: 50/100 (minimum 70): BLOCKED - score 50 is below the minimum 70"


def test_json_round_trips():
    report = sample()
    data = json.loads(to_json(report))
    assert data["score"] == 50 and data["status"] == "blocked" and data["min_score"] == 70
    assert data["counts"] == {"passed": 1, "warning": 1, "failed": 1, "not_checked": 1}
    assert data["checks"][1]["remediation"] == "create a trail | and start it <now>"
    assert data["blocked_because"] == ["score 50 is below the minimum 70"]
    assert Report.from_dict(data) == report


def test_markdown_is_a_table_fit_for_a_pull_request_comment():
    md = to_markdown(sample())
    lines = md.splitlines()
    assert lines[0] == "## ❌ bcce readiness: 50/100 (blocked)"
    assert "| | Check | Impact | Evidence |" in lines
    rows = [line for line in lines if line.startswith("| ") and "`" in line]
    assert len(rows) == 4
    # every row has exactly the four cells: pipes inside text are escaped
    for row in rows:
        assert row.replace("\\|", "").count("|") == 5
    assert "create a trail \\| and start it &lt;now&gt;" in md
    assert "- **Blocked:** score 50 is below the minimum 70" in md
    assert "<details><summary>What to fix</summary>" in md
    assert "`111122223333`" in md


def test_markdown_of_a_ready_report_says_so():
    report = Report(results=(CheckResult("a", "A", "cost", "passed", "low", "fine"),), min_score=70)
    md = to_markdown(report)
    assert md.startswith("## ✅ bcce readiness: 100/100 (ready)")
    assert "Blocked" not in md and "What to fix" not in md


def test_junit_has_one_testcase_per_check():
    xml = to_junit(sample())
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(xml.split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == [r.id for r in sample().results]
    failure = cases["security.cloudtrail.us-east-1"].find("failure")
    assert failure is not None and failure.get("message") == "no CloudTrail trail covers us-east-1"
    assert "fix: create a trail | and start it <now>" in (failure.text or "")
    skipped = cases["permissions.simulation"].find("skipped")
    assert skipped is not None and skipped.get("message") == "IAM policy simulation did not answer: HTTP 500"
    assert cases["security.credentials"].find("failure") is None
    assert cases["security.credentials"].get("time") == "0.250"
    assert cases["configuration.combinations"].find("failure") is None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {"score": "50", "min_score": "70", "status": "blocked"}


def test_render_knows_the_four_formats():
    assert FORMATS == ("text", "json", "markdown", "junit")
    for fmt in FORMATS:
        assert render(sample(), fmt)
    with pytest.raises(ValueError, match="unknown report format"):
        render(sample(), "html")
