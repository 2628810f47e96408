"""One retry policy for Terraform runs and AWS calls, driven by tenacity.

Transient failures back off exponentially with full jitter and stop after `max_attempts`
transient failures or `max_seconds` in all. A held state lock is polled at a short fixed interval
until `lock_timeout`. Credentials failures are raised at once; fatal ones go back to the caller.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from bcce_tf.errors import (
    AwsError,
    BcceError,
    CircuitOpenError,
    CredentialsError,
    NotSupportedError,
    RetriesExhaustedError,
    StateLockedError,
)
from bcce_tf.resilience.classify import classify_aws_error
from bcce_tf.resilience.failure import Failure, FailureKind, LockInfo
from bcce_tf.resilience.settings import NumberSetting, check_settings, resolve_settings

T = TypeVar("T")

LOCK_POLL_SECONDS = 5.0
_RETRIED = (FailureKind.TRANSIENT, FailureKind.LOCKED)
_logger = logging.getLogger("bcce.resilience")

_POLICY_SETTINGS = (
    NumberSetting("max_attempts", "BCCE_RETRY_MAX_ATTEMPTS", whole=True, minimum=1, meaning="attempts"),
    NumberSetting("max_seconds", "BCCE_RETRY_MAX_SECONDS", whole=False, minimum=0, meaning="seconds"),
    NumberSetting("initial_wait", "BCCE_RETRY_INITIAL_WAIT", whole=False, minimum=0, meaning="seconds"),
    NumberSetting("max_wait", "BCCE_RETRY_MAX_WAIT", whole=False, minimum=0, meaning="seconds"),
    NumberSetting("multiplier", None, whole=False, minimum=1, meaning="growth factor"),
    NumberSetting("lock_timeout", "BCCE_LOCK_TIMEOUT", whole=False, minimum=0, meaning="seconds"),
)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    max_seconds: float = 900
    initial_wait: float = 2
    max_wait: float = 60
    multiplier: float = 2
    jitter: bool = True
    lock_timeout: float = 300

    def __post_init__(self) -> None:
        check_settings(_POLICY_SETTINGS, self)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: object | None) -> RetryPolicy:
        """The policy from BCCE_RETRY_* / BCCE_LOCK_TIMEOUT, with flag or config values
        (None = not given) taking precedence. Invalid values raise UsageError."""
        jitter = overrides.pop("jitter", None)
        values: dict[str, object] = dict(resolve_settings(_POLICY_SETTINGS, environ, overrides))
        if jitter is not None:
            values["jitter"] = bool(jitter)
        return cls(**values)  # type: ignore[arg-type]

    def backoff_ceiling(self, transient_failures: int) -> float:
        """The longest wait after the n-th transient failure (jitter picks below it)."""
        return float(min(self.max_wait, self.initial_wait * self.multiplier ** (transient_failures - 1)))


@dataclass(frozen=True)
class RetryEvent:
    name: str
    attempt: int  # the attempt that runs after this wait: 2 is the first retry
    wait: float
    reason: str
    kind: FailureKind
    attempt_limit: int | None  # last attempt the transient budget allows; None while a lock is awaited

    def describe(self) -> str:
        if self.attempt_limit is None:
            return f"state locked; retry {self.attempt} of {self.name} in {self.wait:.1f}s: {self.reason}"
        return f"retry {self.attempt}/{self.attempt_limit} of {self.name} in {self.wait:.1f}s: {self.reason}"


def log_retry(event: RetryEvent) -> None:
    _logger.info(event.describe())


@dataclass
class _Progress:
    started: float
    attempts: int = 0
    transient_failures: int = 0
    lock_failures: int = 0
    lock_first_seen: float | None = None
    failure: Failure | None = None

    def note(self, failure: Failure | None, now: float) -> None:
        self.failure = failure
        if failure is None:
            return
        if failure.kind is FailureKind.TRANSIENT:
            self.transient_failures += 1
        elif failure.kind is FailureKind.LOCKED:
            self.lock_failures += 1
            if self.lock_first_seen is None:
                self.lock_first_seen = now

    def lock_waited(self, now: float) -> float:
        return 0.0 if self.lock_first_seen is None else now - self.lock_first_seen


class _BackoffStep:
    """What tenacity's wait strategies read from a retry state: the step of the backoff.

    The step counts transient failures only, so polling a held lock does not inflate it."""

    def __init__(self, attempt_number: int) -> None:
        self.attempt_number = attempt_number


def run_with_retry(
    operation: Callable[[int], T],
    *,
    check: Callable[[T], Failure | None],
    policy: RetryPolicy,
    name: str,
    on_retry: Callable[[RetryEvent], None] = log_retry,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run `operation(attempt)` until it succeeds, fails for good, or the budget is spent.

    `check(result)` returns None for success or the Failure the result represents. Exceptions
    are classified with classify_aws_error, except bcce's own errors (other than AwsError),
    which propagate untouched; a CircuitOpenError is never retried.

    Returns the result on success and, unchanged, on a fatal failure. Raises CredentialsError,
    RetriesExhaustedError or StateLockedError.
    """
    progress = _Progress(started=clock())
    backoff = _transient_wait(policy)

    def attempt() -> T:
        progress.attempts += 1
        try:
            result = operation(progress.attempts)
        except BaseException as exc:
            failure = _failure_of_exception(exc)
            progress.note(failure, clock())
            if (
                failure is not None
                and failure.kind is FailureKind.CREDENTIALS
                and not isinstance(exc, CredentialsError)
            ):
                raise CredentialsError(detail=failure.reason, failure=failure) from exc
            if failure is not None and failure.kind is FailureKind.NOT_SUPPORTED:
                raise _not_supported(name, failure) from exc
            raise
        failure = check(result)
        progress.note(failure, clock())
        if failure is not None and failure.kind is FailureKind.CREDENTIALS:
            raise CredentialsError(detail=failure.reason, failure=failure, last_result=result)
        if failure is not None and failure.kind is FailureKind.PERMISSION_DENIED:
            from bcce_tf.aws_errors import permission_denied

            raise permission_denied(name, "", failure.detail or failure.reason, failure=failure)
        if failure is not None and failure.kind is FailureKind.NOT_SUPPORTED:
            raise _not_supported(name, failure, last_result=result)
        return result

    def should_retry(_: tenacity.RetryCallState) -> bool:
        return progress.failure is not None and progress.failure.kind in _RETRIED

    def wait(_: tenacity.RetryCallState) -> float:
        if _current_kind(progress) is FailureKind.LOCKED:
            remaining = policy.lock_timeout - progress.lock_waited(clock())
            return max(0.0, min(LOCK_POLL_SECONDS, remaining))
        return float(backoff(_BackoffStep(progress.transient_failures)))  # type: ignore[arg-type]

    def stop(state: tenacity.RetryCallState) -> bool:
        if _current_kind(progress) is FailureKind.LOCKED:
            return progress.lock_waited(clock()) >= policy.lock_timeout
        elapsed = clock() - progress.started
        return progress.transient_failures >= policy.max_attempts or elapsed + state.upcoming_sleep > policy.max_seconds

    def announce(state: tenacity.RetryCallState) -> None:
        failure = _current(progress)
        locked = failure.kind is FailureKind.LOCKED
        on_retry(
            RetryEvent(
                name=name,
                attempt=progress.attempts + 1,
                wait=state.upcoming_sleep,
                reason=failure.reason,
                kind=failure.kind,
                attempt_limit=None if locked else progress.lock_failures + policy.max_attempts,
            )
        )

    def give_up(state: tenacity.RetryCallState) -> T:
        failure = _current(progress)
        outcome = state.outcome
        cause = outcome.exception() if outcome is not None and outcome.failed else None
        last_result = outcome.result() if outcome is not None and not outcome.failed else None
        if failure.kind is FailureKind.LOCKED:
            raise StateLockedError(
                message=_lock_message(failure.lock, progress.lock_waited(clock())),
                lock=failure.lock,
                last_result=last_result,
            ) from cause
        raise RetriesExhaustedError(
            operation=name,
            attempts=progress.attempts,
            elapsed=clock() - progress.started,
            reason=failure.reason,
            failure=failure,
            last_result=last_result,
        ) from cause

    retrying = tenacity.Retrying(
        retry=should_retry,
        wait=wait,
        stop=stop,
        sleep=lambda seconds: sleep(float(seconds)),
        before_sleep=announce,
        retry_error_callback=give_up,
    )
    return retrying(attempt)


def _not_supported(name: str, failure: Failure, last_result: object = None) -> NotSupportedError:
    return NotSupportedError(
        operation=name, action=failure.action or "an action", reason=failure.reason, failure=failure, last_result=last_result,
    )


def _transient_wait(policy: RetryPolicy) -> Callable[[tenacity.RetryCallState], float]:
    if policy.jitter:
        return tenacity.wait_random_exponential(
            multiplier=policy.initial_wait, exp_base=policy.multiplier, max=policy.max_wait
        )
    return tenacity.wait_exponential(multiplier=policy.initial_wait, exp_base=policy.multiplier, max=policy.max_wait)


def _failure_of_exception(exc: BaseException) -> Failure | None:
    """How to handle an exception from the operation; None when it must propagate as it is."""
    if not isinstance(exc, Exception) or isinstance(exc, CircuitOpenError):
        return None
    if isinstance(exc, BcceError) and not isinstance(exc, AwsError):
        return None
    return classify_aws_error(exc)


def _current(progress: _Progress) -> Failure:
    assert progress.failure is not None, "retry hooks run only after a failed attempt"
    return progress.failure


def _current_kind(progress: _Progress) -> FailureKind | None:
    return progress.failure.kind if progress.failure is not None else None


def _lock_message(lock: LockInfo | None, waited: float) -> str:
    if lock is None:
        return f"state is locked; waited {waited:.0f}s"
    return (
        f"state is locked by {lock.who or 'unknown'} (lock id {lock.id}, operation {lock.operation or 'unknown'}, "
        f"since {lock.created or 'unknown'}); waited {waited:.0f}s. "
        f"If that run is dead: terraform force-unlock {lock.id}"
    )
