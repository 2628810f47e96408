"""The gate's verdict on an account without an audit trail: pure scoring of the results a fresh
emulated account gives (as measured against `bcce local up`), with the impacts the checks carry."""

from __future__ import annotations

from bcce_tf.config import Config
from bcce_tf.readiness.checks import build_checks
from bcce_tf.readiness.checks.base import CheckContext
from bcce_tf.readiness.model import CheckResult, Impact, Status
from bcce_tf.readiness.score import blocking_reasons, is_ready, score

# The demo config's checks on a fresh emulated account: what failed there, what could not be checked.
FRESH_ACCOUNT = {
    "security.root-mfa": Status.FAILED,
    "security.cloudtrail.us-east-1": Status.FAILED,
    "security.config-recorder.us-east-1": Status.FAILED,
    "permissions.simulation": Status.NOT_CHECKED,
    "configuration.combinations": Status.WARNING,
    "cost.budget": Status.FAILED,
}


CATEGORY = {"security": "security", "permissions": "permissions", "region": "region", "capacity": "capacity",
            "configuration": "configuration", "cost": "cost"}


class NoAws:
    def call(self, *args: object, **kwargs: object) -> object:
        raise AssertionError("building the list of checks calls no AWS API")


def impacts() -> dict[str, Impact]:
    ctx = CheckContext(config=Config(), regions=("us-east-1",), clients=NoAws())  # type: ignore[arg-type]
    return {check.id: check.impact for check in build_checks(ctx)}


def results(statuses: dict[str, Status]) -> list[CheckResult]:
    assert set(statuses) <= set(impacts())
    return [CheckResult(id=id_, title=id_, category=CATEGORY[id_.split(".")[0]], status=statuses.get(id_, Status.PASSED),
                        impact=impact, evidence=f"{id_} seen") for id_, impact in impacts().items()]


def test_a_logging_trail_is_a_critical_check_in_every_region():
    ctx = CheckContext(config=Config(regions=["us-east-1", "eu-west-1"]), regions=("us-east-1", "eu-west-1"),
                       clients=NoAws())  # type: ignore[arg-type]
    found = {c.id: c.impact for c in build_checks(ctx)}
    assert found["security.cloudtrail.us-east-1"] is Impact.CRITICAL
    assert found["security.cloudtrail.eu-west-1"] is Impact.CRITICAL
    assert found["security.config-recorder.us-east-1"] is Impact.MEDIUM
    assert found["security.root-mfa"] is Impact.HIGH


def test_an_account_without_a_trail_is_refused_although_its_score_clears_the_minimum():
    fresh = results(FRESH_ACCOUNT)
    assert score(fresh) >= 70, "the score alone would let it through"
    assert not is_ready(fresh, 70)
    assert blocking_reasons(fresh, 70) == [
        "critical check failed: security.cloudtrail.us-east-1 (security.cloudtrail.us-east-1 seen)"]
    assert not is_ready(fresh, 0), "whatever the threshold"


def test_with_the_trail_and_the_recorder_the_same_account_passes_with_root_mfa_still_failed():
    prepared = {k: v for k, v in FRESH_ACCOUNT.items()
                if k not in ("security.cloudtrail.us-east-1", "security.config-recorder.us-east-1")}
    ready = results(prepared)
    assert is_ready(ready, 70)
    assert blocking_reasons(ready, 70) == []
    assert score(ready) > score(results(FRESH_ACCOUNT))
    assert not is_ready(ready, 100), "root MFA, the budget and the unanswered simulation keep it below 100"


def test_a_trail_that_stopped_logging_blocks_like_no_trail():
    stopped = results({"security.cloudtrail.us-east-1": Status.FAILED})
    assert not is_ready(stopped, 0)
    not_checked = results({"security.cloudtrail.us-east-1": Status.NOT_CHECKED})
    assert is_ready(not_checked, 0), "a check that could not run lowers the score; only a failure blocks outright"
    assert score(not_checked) < 100
