"""The readiness score: weights by impact, credit by status, rounding down, critical failures block."""

from __future__ import annotations

import pytest

from bcce_tf.readiness.model import CheckResult, Impact, Report, Status
from bcce_tf.readiness.score import HALF_CREDITS, WEIGHTS, blocking_reasons, critical_failures, is_ready, score


def result(id_: str, status: str, impact: str = "high") -> CheckResult:
    return CheckResult(id=id_, title=id_, category="security", status=status, impact=impact, evidence=f"{id_} seen")


def test_weights_and_credits_are_the_documented_ones():
    assert WEIGHTS == {Impact.CRITICAL: 10, Impact.HIGH: 5, Impact.MEDIUM: 3, Impact.LOW: 1}
    assert HALF_CREDITS == {Status.PASSED: 2, Status.WARNING: 1, Status.FAILED: 0, Status.NOT_CHECKED: 0}


def test_every_check_passed_scores_100():
    results = [result(f"c{i}", "passed", impact) for i, impact in enumerate(("critical", "high", "medium", "low"))]
    assert score(results) == 100
    assert is_ready(results, 100)


def test_no_checks_scores_0():
    assert score([]) == 0
    assert not is_ready([], 1)
    assert is_ready([], 0)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        # critical 10 + high 5 + medium 3 + low 1 = 19 possible
        (("passed", "passed", "passed", "warning"), (10 + 5 + 3 + 0.5) * 100 // 19),  # 97.3 -> 97
        (("passed", "failed", "passed", "passed"), (10 + 0 + 3 + 1) * 100 // 19),  # 73.6 -> 73
        (("passed", "not_checked", "passed", "passed"), (10 + 0 + 3 + 1) * 100 // 19),
        (("warning", "warning", "warning", "warning"), 50),
        (("failed", "failed", "failed", "failed"), 0),
        (("not_checked", "passed", "passed", "passed"), (5 + 3 + 1) * 100 // 19),  # 47.3 -> 47
    ],
)
def test_formula(statuses, expected):
    impacts = ("critical", "high", "medium", "low")
    results = [result(f"c{i}", s, impact) for i, (s, impact) in enumerate(zip(statuses, impacts, strict=True))]
    assert score(results) == int(expected)


def test_a_single_low_warning_keeps_the_score_below_100():
    results = [result(f"c{i}", "passed", "critical") for i in range(30)] + [result("w", "warning", "low")]
    assert score(results) == 99


def test_not_checked_costs_as_much_as_failed_but_does_not_block():
    failed = [result("a", "passed", "critical"), result("b", "failed", "high")]
    unknown = [result("a", "passed", "critical"), result("b", "not_checked", "high")]
    assert score(failed) == score(unknown) == 66
    assert not critical_failures(unknown)


def test_a_critical_failure_blocks_whatever_the_score():
    results = [result(f"ok{i}", "passed", "critical") for i in range(50)] + [result("root", "failed", "critical")]
    assert score(results) == 98
    assert not is_ready(results, 0)
    reasons = blocking_reasons(results, 0)
    assert reasons == ["critical check failed: root (root seen)"]


def test_below_the_threshold_is_blocked_with_the_reason():
    results = [result("a", "passed", "high"), result("b", "failed", "high")]
    assert not is_ready(results, 51)
    assert blocking_reasons(results, 51) == ["score 50 is below the minimum 51"]
    assert is_ready(results, 50)
    assert blocking_reasons(results, 50) == []


def test_report_uses_the_score_functions():
    report = Report(results=(result("a", "passed", "critical"), result("b", "failed", "critical")), min_score=10)
    assert report.score == 50
    assert report.status == "blocked"
    assert report.ids(Status.FAILED) == ["b"]
    assert report.counts() == {"passed": 1, "warning": 0, "failed": 1, "not_checked": 0}


def test_report_rejects_duplicate_ids_and_bad_thresholds():
    with pytest.raises(ValueError, match="unique"):
        Report(results=(result("a", "passed"), result("a", "failed")), min_score=10)
    with pytest.raises(ValueError, match="min_score"):
        Report(results=(), min_score=101)


@pytest.mark.parametrize("bad", ["", "a,b", "has space"])
def test_check_ids_fit_a_comma_separated_list(bad):
    with pytest.raises(ValueError):
        result(bad, "passed")
