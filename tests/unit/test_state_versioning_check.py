"""The readiness check that the S3 state bucket keeps earlier versions (stubbed answers, no I/O)."""

from __future__ import annotations

from typing import Any

import pytest

from bcce_tf.config import Config
from bcce_tf.errors import AwsError
from bcce_tf.readiness.checks import build_checks
from bcce_tf.readiness.checks.base import CheckContext
from bcce_tf.readiness.checks.configuration import state_versioning
from bcce_tf.readiness.model import Status

S3 = {"type": "s3", "bucket": "acme-state", "lock_table": "acme-locks", "region": "eu-west-1"}


class Answers:
    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[tuple[str, str, str, dict]] = []

    def call(self, service: str, region: str, operation: str, **params: Any) -> Any:
        self.calls.append((service, region, operation, params))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def ctx(answer: Any, backend: dict | None = None) -> CheckContext:
    return CheckContext(config=Config(backend=backend or S3), regions=("us-east-1",), clients=Answers(answer))  # type: ignore[arg-type]


def test_only_an_s3_backend_gets_the_check():
    assert "configuration.state-versioning" in [c.id for c in build_checks(ctx({}))]
    assert "configuration.state-versioning" not in [c.id for c in build_checks(ctx({}, {"type": "local"}))]


def test_enabled_versioning_passes_and_the_bucket_is_asked_in_the_backend_region():
    context = ctx({"Status": "Enabled", "MFADelete": "Disabled"})
    assert state_versioning(context).status is Status.PASSED
    assert context.clients.calls == [("s3", "eu-west-1", "get_bucket_versioning", {"Bucket": "acme-state"})]


@pytest.mark.parametrize(("answer", "seen"), [({}, "versioning never enabled"), ({"Status": "Suspended"}, "versioning Suspended")])
def test_versioning_off_warns_with_the_fix(answer, seen):
    outcome = state_versioning(ctx(answer))
    assert outcome.status is Status.WARNING
    assert seen in outcome.evidence and "cannot be recovered" in outcome.evidence
    assert "put-bucket-versioning --bucket acme-state --versioning-configuration Status=Enabled" in outcome.remediation


def test_a_missing_bucket_warns_and_other_errors_are_left_to_the_runner():
    missing = AwsError(service="s3", operation="GetBucketVersioning", code="NoSuchBucket", detail="The specified bucket does not exist")
    outcome = state_versioning(ctx(missing))
    assert outcome.status is Status.WARNING and "bcce state bootstrap" in outcome.remediation
    with pytest.raises(AwsError):
        state_versioning(ctx(AwsError(service="s3", operation="GetBucketVersioning", code="AccessDenied", detail="no")))
