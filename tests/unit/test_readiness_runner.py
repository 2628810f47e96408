"""The runner: concurrency, per-check timeouts, and errors that become "not checked", never "passed"."""

from __future__ import annotations

import threading
import time

import pytest

from bcce_tf.config import Config
from bcce_tf.errors import AwsError, CredentialsError, RetriesExhaustedError, UsageError
from bcce_tf.readiness.checks.base import Check, CheckContext, Outcome
from bcce_tf.readiness.model import Category, Impact, Status
from bcce_tf.readiness.runner import check_timeout, run_checks, run_one


class NoAws:
    def call(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise AssertionError("no AWS call expected")


def ctx() -> CheckContext:
    return CheckContext(config=Config(), regions=("us-east-1",), clients=NoAws())  # type: ignore[arg-type]


def check(id_: str, fn, impact: Impact = Impact.HIGH, remediation: str = "do the thing") -> Check:  # noqa: ANN001
    return Check(id_, f"title {id_}", Category.SECURITY, impact, fn, remediation=remediation)


def test_results_come_back_in_check_order_with_their_metadata():
    checks = [check(f"c{i}", lambda c, i=i: (time.sleep(0.05 * (3 - i)), Outcome.passed(f"seen {i}"))[1]) for i in range(3)]
    results = run_checks(checks, ctx(), timeout=5)
    assert [r.id for r in results] == ["c0", "c1", "c2"]
    assert [r.evidence for r in results] == ["seen 0", "seen 1", "seen 2"]
    assert all(r.status is Status.PASSED and r.remediation == "" and r.impact is Impact.HIGH for r in results)


def test_checks_run_concurrently():
    barrier = threading.Barrier(4, timeout=5)

    def meet(_: CheckContext) -> Outcome:
        barrier.wait()  # deadlocks (and breaks after 5 s) unless all four run at once
        return Outcome.passed("met")

    started = time.monotonic()
    results = run_checks([check(f"c{i}", meet) for i in range(4)], ctx(), timeout=10, workers=4)
    assert all(r.status is Status.PASSED for r in results)
    assert time.monotonic() - started < 4


def test_a_check_that_outlives_its_timeout_is_not_checked():
    release = threading.Event()

    def hang(_: CheckContext) -> Outcome:
        release.wait(10)
        return Outcome.passed("too late")

    started = time.monotonic()
    try:
        results = run_checks([check("slow", hang), check("fast", lambda c: Outcome.passed("quick"))], ctx(), timeout=0.3)
    finally:
        release.set()
    assert time.monotonic() - started < 3
    slow, fast = results
    assert (slow.status, slow.evidence) == (Status.NOT_CHECKED, "timed out after 0.3s")
    assert fast.status is Status.PASSED


def test_the_timeout_counts_from_the_start_of_each_check_not_from_the_queue():
    checks = [check(f"c{i}", lambda c: (time.sleep(0.2), Outcome.passed("done"))[1]) for i in range(3)]
    # One worker: the third check starts after 0.4 s and ends after 0.6 s, past 0.5 s from the
    # queue but only 0.2 s after its own start.
    results = run_checks(checks, ctx(), timeout=0.5, workers=1)
    assert [r.status for r in results] == [Status.PASSED] * 3


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ValueError("boom"), "the check itself failed: ValueError: boom"),
        (KeyError("Quota"), "the check itself failed: KeyError: 'Quota'"),
        (AwsError(service="ec2", operation="describe_vpcs", code="InternalError", detail="try later", status=500),
         "ec2:describe_vpcs failed: InternalError: try later (HTTP 500)"),
        (CredentialsError(detail="AccessDenied: User is not authorized"), "not allowed: AWS credentials rejected or missing: AccessDenied: User is not authorized"),
        (RetriesExhaustedError(operation="aws:bedrock:us-east-1", attempts=2, elapsed=1.0,
                               reason="http-5xx: HTTP 500 500: <!doctype html><html><title>500 Internal Server Error</title>"),
         "no answer after 2 attempt(s): http-5xx: HTTP 500 500 an HTML error page (500 Internal Server Error)"),
    ],
)
def test_an_exception_in_a_check_is_not_checked_with_the_reason(error, expected):
    def explode(_: CheckContext) -> Outcome:
        raise error

    result = run_one(check("x", explode), ctx())
    assert result.status is Status.NOT_CHECKED
    assert result.evidence == expected
    assert result.remediation == ""


def test_a_check_returning_something_else_is_not_checked():
    result = run_one(check("x", lambda c: True), ctx())
    assert result.status is Status.NOT_CHECKED
    assert "returned bool" in result.evidence


def test_failed_and_warning_results_carry_the_default_remediation_unless_their_own():
    results = run_checks([
        check("f", lambda c: Outcome.failed("bad")),
        check("w", lambda c: Outcome.warning("meh", "specific fix")),
        check("n", lambda c: Outcome.not_checked("no answer")),
    ], ctx())
    assert [r.remediation for r in results] == ["do the thing", "specific fix", ""]


def test_no_checks_no_results():
    assert run_checks([], ctx()) == ()


def test_check_timeout_from_the_environment():
    assert check_timeout({}) == 30.0
    assert check_timeout({"BCCE_READINESS_CHECK_TIMEOUT": "2.5"}) == 2.5
    for bad in ("0", "-1", "soon", "99999"):
        with pytest.raises(UsageError, match="BCCE_READINESS_CHECK_TIMEOUT"):
            check_timeout({"BCCE_READINESS_CHECK_TIMEOUT": bad})
