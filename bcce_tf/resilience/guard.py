"""One retry policy and one persistent breaker around an operation: the way bcce runs anything
that talks to AWS, directly or through Terraform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bcce_tf.errors import RetriesExhaustedError
from bcce_tf.resilience.breaker import BreakerSettings, BreakerStore, CircuitBreaker, FileBreakerStore, breaker_name
from bcce_tf.resilience.failure import Failure
from bcce_tf.resilience.policy import RetryEvent, RetryPolicy, log_retry, run_with_retry

T = TypeVar("T")
TransitionCallback = Callable[[str, str, str], None]


@dataclass
class Resilience:
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    breakers: BreakerSettings = field(default_factory=BreakerSettings)
    store: BreakerStore | None = None
    on_retry: Callable[[RetryEvent], None] = log_retry
    on_transition: TransitionCallback | None = None
    attempts: dict[str, int] = field(default_factory=dict)

    def breaker(self, kind: str, *parts: str) -> CircuitBreaker:
        if self.store is None:
            self.store = FileBreakerStore()
        return CircuitBreaker.from_settings(
            breaker_name(kind, *parts), self.store, self.breakers, on_transition=self.on_transition
        )

    def check_open(self, kind: str, *parts: str) -> None:
        """Fail fast with CircuitOpenError when the breaker of (kind, parts) would refuse a call now."""
        self.breaker(kind, *parts).check()

    def run(self, kind: str, parts: tuple[str, ...], operation: Callable[[int], T],
            check: Callable[[T], Failure | None]) -> T:
        """Admit through the breaker, retry transient failures, and count only a give-up as a
        breaker failure: a bad config or rejected credentials say nothing about AWS's health."""
        breaker = self.breaker(kind, *parts)
        name = breaker.name

        def counted(attempt: int) -> T:
            self.attempts[name] = attempt
            return operation(attempt)

        breaker.admit()
        try:
            result = run_with_retry(counted, check=check, policy=self.policy, name=name, on_retry=self.on_retry)
        except RetriesExhaustedError as exc:
            breaker.record_failure(str(exc))
            raise
        except BaseException:
            breaker.release()
            raise
        if check(result) is None:
            breaker.record_success()
        else:
            breaker.release()
        return result
