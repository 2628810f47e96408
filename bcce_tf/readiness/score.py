"""The readiness score: pure functions of a list of check results.

Each check carries a weight by its impact: critical 10, high 5, medium 3, low 1. A check earns
its full weight when it passed, half of it on a warning, nothing when it failed, and nothing when
it could not be checked; every check counts in the denominator, so what bcce could not verify
lowers the score instead of being taken on trust:

    score = floor(100 * sum(weight * credit) / sum(weight))
    credit: passed 1, warning 0.5, failed 0, not checked 0

The result is rounded down, so 100 means that every check passed. No checks at all scores 0.
An account is ready when the score reaches the threshold (`min_score`) AND no critical check
failed: a critical failure blocks whatever the score.
"""

from __future__ import annotations

from collections.abc import Iterable

from bcce_tf.readiness.model import CheckResult, Impact, Status

WEIGHTS: dict[Impact, int] = {Impact.CRITICAL: 10, Impact.HIGH: 5, Impact.MEDIUM: 3, Impact.LOW: 1}
# Credit in halves, so the arithmetic stays in whole numbers.
HALF_CREDITS: dict[Status, int] = {Status.PASSED: 2, Status.WARNING: 1, Status.FAILED: 0, Status.NOT_CHECKED: 0}


def score(results: Iterable[CheckResult]) -> int:
    """0-100, rounded down; see the module docstring for the formula."""
    earned = 0
    possible = 0
    for result in results:
        weight = WEIGHTS[result.impact]
        earned += weight * HALF_CREDITS[result.status]
        possible += weight * 2
    if possible == 0:
        return 0
    return (100 * earned) // possible


def critical_failures(results: Iterable[CheckResult]) -> tuple[CheckResult, ...]:
    return tuple(r for r in results if r.impact is Impact.CRITICAL and r.status is Status.FAILED)


def is_ready(results: Iterable[CheckResult], min_score: int) -> bool:
    items = tuple(results)
    return not critical_failures(items) and score(items) >= min_score


def blocking_reasons(results: Iterable[CheckResult], min_score: int) -> list[str]:
    """Why the gate would refuse, one sentence each; empty when ready."""
    items = tuple(results)
    reasons = [f"critical check failed: {r.id} ({r.evidence})" for r in critical_failures(items)]
    value = score(items)
    if value < min_score:
        reasons.append(f"score {value} is below the minimum {min_score}")
    return reasons
