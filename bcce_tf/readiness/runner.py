"""Run checks concurrently, each under its own timeout, and never let one bring the run down.

A check that raises is reported "not checked" with the error; a check that outlives its timeout
is reported "not checked: timed out after Ns" and left behind (its thread ends on its own, as
every AWS call carries connect and read timeouts). Nothing here turns a problem into "passed".
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from bcce_tf.errors import BcceError, UsageError
from bcce_tf.readiness.checks.base import Check, CheckContext, Outcome, describe_error
from bcce_tf.readiness.model import CheckResult, Status
from bcce_tf.resilience.text import shorten

DEFAULT_TIMEOUT = 30.0
DEFAULT_WORKERS = 8
TIMEOUT_ENV = "BCCE_READINESS_CHECK_TIMEOUT"
POLL_SECONDS = 0.05


def check_timeout(environ: Mapping[str, str]) -> float:
    raw = environ.get(TIMEOUT_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise UsageError(f"{TIMEOUT_ENV} must be a number of seconds above 0 (at most 3600), got '{raw}'")
    return value


def _result(check: Check, outcome: Outcome, duration: float) -> CheckResult:
    remediation = outcome.remediation
    if not remediation and outcome.status in (Status.WARNING, Status.FAILED):
        remediation = check.remediation
    return CheckResult(id=check.id, title=check.title, category=check.category, status=outcome.status,
                       impact=check.impact, evidence=outcome.evidence, remediation=remediation, duration=duration)


def run_one(check: Check, ctx: CheckContext, clock: Callable[[], float] = time.monotonic) -> CheckResult:
    """Run one check; any exception becomes "not checked" with the reason."""
    started = clock()
    try:
        outcome = check(ctx)
        if not isinstance(outcome, Outcome):
            outcome = Outcome.not_checked(f"the check returned {type(outcome).__name__}, not an outcome")
    except BcceError as exc:
        outcome = Outcome.not_checked(describe_error(exc))
    except Exception as exc:  # noqa: BLE001 - a broken check must not stop the others
        outcome = Outcome.not_checked(f"the check itself failed: {shorten(f'{type(exc).__name__}: {exc}', 200)}")
    return _result(check, outcome, clock() - started)


def run_checks(
    checks: Sequence[Check],
    ctx: CheckContext,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int = DEFAULT_WORKERS,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[CheckResult, ...]:
    """Every check's result, in the order of `checks`. Each check's timeout counts from the moment
    it starts, not from when it was queued."""
    if not checks:
        return ()
    started: dict[str, float] = {}
    lock = threading.Lock()

    def guarded(check: Check) -> CheckResult:
        with lock:
            started[check.id] = clock()
        return run_one(check, ctx, clock)

    results: dict[str, CheckResult] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(checks))), thread_name_prefix="bcce-readiness")
    try:
        futures: dict[Future[CheckResult], Check] = {pool.submit(guarded, check): check for check in checks}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                check = futures[future]
                results[check.id] = future.result()
            now = clock()
            for future in list(pending):
                check = futures[future]
                with lock:
                    began = started.get(check.id)
                if began is not None and now - began >= timeout:
                    pending.discard(future)
                    future.cancel()
                    results[check.id] = _result(check, Outcome.not_checked(f"timed out after {timeout:g}s"), now - began)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return tuple(results[check.id] for check in checks)


def default_timeout() -> float:
    return check_timeout(os.environ)
