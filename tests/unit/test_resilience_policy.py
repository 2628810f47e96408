from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from bcce_tf.errors import (
    AwsError,
    CircuitOpenError,
    CredentialsError,
    RetriesExhaustedError,
    StateLockedError,
    TerraformError,
    UsageError,
)
from bcce_tf.exit_codes import ExitCode
from bcce_tf.resilience.failure import Failure, FailureKind, LockInfo
from bcce_tf.resilience.policy import RetryEvent, RetryPolicy, run_with_retry

TRANSIENT = Failure(FailureKind.TRANSIENT, "aws-throttling: ThrottlingException: Rate exceeded")
FATAL = Failure(FailureKind.FATAL, "unclassified: Error: Unsupported argument")
CREDENTIALS = Failure(FailureKind.CREDENTIALS, "expired-token: ExpiredToken: token expired")
LOCK = LockInfo(
    id="8f2b6c1e",
    who="alice@build-07",
    created="2026-03-02 09:14:27 +0000 UTC",
    operation="OperationTypeApply",
    path="bucket/bcce/terraform.tfstate",
)
LOCKED = Failure(FailureKind.LOCKED, "state-locked: held by alice@build-07", LOCK)


@dataclass
class FakeTime:
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Script:
    """An operation that returns the scripted outcomes in order, each attempt taking `duration`."""

    time: FakeTime
    outcomes: list[Failure | None | BaseException]
    duration: float = 0.0
    calls: list[int] = field(default_factory=list)

    def __call__(self, attempt: int) -> tuple[int, Failure | None]:
        self.calls.append(attempt)
        self.time.now += self.duration
        outcome = self.outcomes[min(len(self.outcomes), attempt) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return attempt, outcome


def check(result: tuple[int, Failure | None]) -> Failure | None:
    return result[1]


def run(script: Script, policy: RetryPolicy, events: list[RetryEvent] | None = None) -> tuple[int, Failure | None]:
    recorded = events if events is not None else []
    return run_with_retry(
        script,
        check=check,
        policy=policy,
        name="terraform-apply",
        on_retry=recorded.append,
        sleep=script.time.sleep,
        clock=script.time.clock,
    )


NO_JITTER = RetryPolicy(jitter=False)


def test_transient_failures_are_retried_with_exponential_backoff_until_success() -> None:
    fake = FakeTime()
    script = Script(fake, [TRANSIENT, TRANSIENT, None])
    events: list[RetryEvent] = []

    result = run(script, NO_JITTER, events)

    assert result == (3, None)
    assert script.calls == [1, 2, 3]
    assert fake.sleeps == [2.0, 4.0]
    assert [e.describe() for e in events] == [
        "retry 2/5 of terraform-apply in 2.0s: aws-throttling: ThrottlingException: Rate exceeded",
        "retry 3/5 of terraform-apply in 4.0s: aws-throttling: ThrottlingException: Rate exceeded",
    ]


def test_backoff_is_capped_by_max_wait() -> None:
    fake = FakeTime()
    policy = RetryPolicy(max_attempts=6, initial_wait=3, multiplier=3, max_wait=20, jitter=False)

    with pytest.raises(RetriesExhaustedError):
        run(Script(fake, [TRANSIENT]), policy)

    assert fake.sleeps == [3.0, 9.0, 20.0, 20.0, 20.0]


def test_jittered_waits_stay_within_the_backoff_ceiling() -> None:
    policy = RetryPolicy(max_attempts=5, initial_wait=2, multiplier=2, max_wait=10)
    first_waits = []
    for _ in range(60):
        fake = FakeTime()
        with pytest.raises(RetriesExhaustedError):
            run(Script(fake, [TRANSIENT]), policy)
        ceilings = [2.0, 4.0, 8.0, 10.0]
        assert len(fake.sleeps) == 4
        assert all(0 <= wait <= ceiling for wait, ceiling in zip(fake.sleeps, ceilings, strict=True))
        first_waits.append(fake.sleeps[0])

    # Full jitter spreads the waits over the whole window, not just at its top.
    assert min(first_waits) < 1.0 < max(first_waits)


def test_exhausted_retries_raise_with_attempts_elapsed_and_reason() -> None:
    fake = FakeTime()
    script = Script(fake, [TRANSIENT], duration=1.0)

    with pytest.raises(RetriesExhaustedError) as caught:
        run(script, NO_JITTER)

    error = caught.value
    assert script.calls == [1, 2, 3, 4, 5]
    assert error.fields["attempts"] == 5
    assert error.fields["elapsed"] == pytest.approx(5 * 1.0 + 2 + 4 + 8 + 16)
    assert error.fields["last_result"] == (5, TRANSIENT)
    assert error.exit_code is ExitCode.RETRIES_EXHAUSTED
    assert str(error) == (
        "terraform-apply still failing after 5 attempts over 35s; "
        "last reason: aws-throttling: ThrottlingException: Rate exceeded"
    )


def test_total_time_is_capped_by_max_seconds() -> None:
    fake = FakeTime()
    start = fake.now
    script = Script(fake, [TRANSIENT], duration=100.0)

    with pytest.raises(RetriesExhaustedError) as caught:
        run(script, RetryPolicy(max_attempts=10, max_seconds=250, jitter=False))

    # 100 + 2 + 100 + 4 + 100 = 306: a third wait of 8s would start after the budget.
    assert script.calls == [1, 2, 3]
    assert fake.sleeps == [2.0, 4.0]
    assert fake.now - start == 306
    assert caught.value.fields["attempts"] == 3


def test_no_wait_is_started_that_would_end_past_max_seconds() -> None:
    fake = FakeTime()
    script = Script(fake, [TRANSIENT])

    with pytest.raises(RetriesExhaustedError):
        run(script, RetryPolicy(max_attempts=10, max_seconds=7, jitter=False))

    assert fake.sleeps == [2.0, 4.0]


def test_held_lock_is_polled_until_lock_timeout_then_names_the_holder() -> None:
    fake = FakeTime()
    script = Script(fake, [LOCKED])
    events: list[RetryEvent] = []

    with pytest.raises(StateLockedError) as caught:
        run(script, RetryPolicy(lock_timeout=12, jitter=False), events)

    assert fake.sleeps == [5.0, 5.0, 2.0]
    assert script.calls == [1, 2, 3, 4]
    assert str(caught.value) == (
        "state is locked by alice@build-07 (lock id 8f2b6c1e, operation OperationTypeApply, "
        "since 2026-03-02 09:14:27 +0000 UTC); waited 12s. If that run is dead: terraform force-unlock 8f2b6c1e"
    )
    assert caught.value.exit_code is ExitCode.STATE_LOCKED
    assert all(e.kind is FailureKind.LOCKED and e.attempt_limit is None for e in events)
    assert (
        events[0].describe() == "state locked; retry 2 of terraform-apply in 5.0s: state-locked: held by alice@build-07"
    )


def test_lock_waits_do_not_spend_the_transient_attempt_budget() -> None:
    fake = FakeTime()
    script = Script(fake, [LOCKED] * 8 + [TRANSIENT, None])
    events: list[RetryEvent] = []

    result = run(script, RetryPolicy(max_attempts=2, lock_timeout=300, jitter=False), events)

    assert result == (10, None)
    assert fake.sleeps == [5.0] * 8 + [2.0]
    assert events[-1].describe().startswith("retry 10/10 of terraform-apply in 2.0s")


def test_zero_lock_timeout_fails_at_once() -> None:
    fake = FakeTime()

    with pytest.raises(StateLockedError, match="waited 0s"):
        run(Script(fake, [LOCKED]), RetryPolicy(lock_timeout=0))

    assert fake.sleeps == []


def test_credentials_failure_is_raised_at_once() -> None:
    fake = FakeTime()
    script = Script(fake, [CREDENTIALS, None])

    with pytest.raises(CredentialsError) as caught:
        run(script, NO_JITTER)

    assert script.calls == [1]
    assert fake.sleeps == []
    assert caught.value.exit_code is ExitCode.CREDENTIALS
    assert "expired-token: ExpiredToken" in str(caught.value)


def test_credentials_exception_is_raised_at_once_with_its_cause() -> None:
    fake = FakeTime()
    rejected = ClientError({"Error": {"Code": "InvalidClientTokenId", "Message": "bad token"}}, "GetCallerIdentity")
    script = Script(fake, [rejected, None])

    with pytest.raises(CredentialsError) as caught:
        run(script, NO_JITTER)

    assert script.calls == [1]
    assert caught.value.__cause__ is rejected


def test_fatal_result_is_returned_unchanged_without_retry() -> None:
    fake = FakeTime()
    script = Script(fake, [FATAL, None])

    result = run(script, NO_JITTER)

    assert result == (1, FATAL)
    assert script.calls == [1]
    assert fake.sleeps == []


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        CircuitOpenError(name="aws:sts:us-east-1", opened_at="t", failures=5, retry_at="t"),
        TerraformError(command="apply", exit_code_tf=1, reason="x"),
        AwsError(service="kms", operation="CreateKey", code="ValidationException", detail="bad"),
        KeyboardInterrupt(),
    ],
    ids=type,
)
def test_errors_that_are_not_transient_propagate_unretried(error: BaseException) -> None:
    fake = FakeTime()
    script = Script(fake, [error, None])

    with pytest.raises(type(error)) as caught:
        run(script, NO_JITTER)

    assert caught.value is error
    assert script.calls == [1]


def test_transient_exceptions_are_retried() -> None:
    fake = FakeTime()
    throttled = AwsError(service="kms", operation="CreateKey", code="ThrottlingException", detail="Rate exceeded")
    script = Script(fake, [EndpointConnectionError(endpoint_url="http://127.0.0.1:4566/"), throttled, None])

    assert run(script, NO_JITTER) == (3, None)
    assert fake.sleeps == [2.0, 4.0]


def test_exhausted_exception_retries_keep_the_last_exception_as_cause() -> None:
    fake = FakeTime()
    down = EndpointConnectionError(endpoint_url="http://127.0.0.1:4566/")

    with pytest.raises(RetriesExhaustedError) as caught:
        run(Script(fake, [down]), RetryPolicy(max_attempts=3, jitter=False))

    assert caught.value.__cause__ is down
    assert caught.value.fields["reason"].startswith("connection: EndpointConnectionError")


def test_policy_from_env_reads_variables_and_overrides_win() -> None:
    environ = {
        "BCCE_RETRY_MAX_ATTEMPTS": "7",
        "BCCE_RETRY_MAX_SECONDS": "120",
        "BCCE_RETRY_INITIAL_WAIT": "0.5",
        "BCCE_RETRY_MAX_WAIT": "30",
        "BCCE_LOCK_TIMEOUT": "45",
    }

    policy = RetryPolicy.from_env(environ, max_attempts=3, lock_timeout=None, jitter=False)

    assert policy == RetryPolicy(
        max_attempts=3, max_seconds=120, initial_wait=0.5, max_wait=30, lock_timeout=45, jitter=False
    )
    assert RetryPolicy.from_env({}) == RetryPolicy()


@pytest.mark.parametrize(
    ("environ", "overrides", "message"),
    [
        (
            {"BCCE_RETRY_MAX_ATTEMPTS": "0"},
            {},
            "BCCE_RETRY_MAX_ATTEMPTS='0' is not valid: expected a whole number of attempts, at least 1",
        ),
        ({"BCCE_RETRY_MAX_ATTEMPTS": "2.5"}, {}, "BCCE_RETRY_MAX_ATTEMPTS='2.5' is not valid"),
        (
            {"BCCE_RETRY_MAX_SECONDS": "soon"},
            {},
            "BCCE_RETRY_MAX_SECONDS='soon' is not valid: expected a number of seconds, at least 0",
        ),
        ({"BCCE_LOCK_TIMEOUT": "-1"}, {}, "BCCE_LOCK_TIMEOUT='-1' is not valid"),
        ({"BCCE_RETRY_MAX_WAIT": "nan"}, {}, "BCCE_RETRY_MAX_WAIT='nan' is not valid"),
        ({"BCCE_RETRY_MAX_ATTEMPTS": "abc"}, {"max_attempts": "x"}, "max_attempts='x' is not valid"),
    ],
)
def test_invalid_settings_raise_usage_error_naming_the_source(
    environ: dict[str, str], overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        RetryPolicy.from_env(environ, **overrides)

    assert str(caught.value).startswith(message)
    assert caught.value.exit_code is ExitCode.USAGE


def test_unknown_override_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="max_tries"):
        RetryPolicy.from_env({}, max_tries=3)


def test_policy_built_directly_is_validated() -> None:
    with pytest.raises(UsageError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
