"""Resilient execution: failure classification, one retry policy, persistent circuit breakers."""

from bcce_tf.resilience.breaker import (
    BreakerRecord,
    BreakerSettings,
    BreakerState,
    BreakerStore,
    CircuitBreaker,
    DynamoDBBreakerStore,
    FileBreakerStore,
    breaker_name,
    default_state_path,
    list_breakers,
    reset_all,
    reset_breaker,
)
from bcce_tf.resilience.classify import (
    PATTERNS,
    ErrorPattern,
    Failure,
    FailureKind,
    LockInfo,
    classify_aws_error,
    classify_terraform_output,
    strip_ansi,
)
from bcce_tf.resilience.policy import RetryEvent, RetryPolicy, run_with_retry

__all__ = [
    "PATTERNS",
    "BreakerRecord",
    "BreakerSettings",
    "BreakerState",
    "BreakerStore",
    "CircuitBreaker",
    "DynamoDBBreakerStore",
    "ErrorPattern",
    "Failure",
    "FailureKind",
    "FileBreakerStore",
    "LockInfo",
    "RetryEvent",
    "RetryPolicy",
    "breaker_name",
    "classify_aws_error",
    "classify_terraform_output",
    "default_state_path",
    "list_breakers",
    "reset_all",
    "reset_breaker",
    "run_with_retry",
    "strip_ansi",
]
