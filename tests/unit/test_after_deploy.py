"""What `bcce deploy` makes of the doctor results after its apply."""

from __future__ import annotations

from bcce_tf.exit_codes import ExitCode
from bcce_tf.health.after_deploy import DEPLOY_COMPONENTS, judge
from bcce_tf.health.model import Health, HealthResult


def result(name: str, status: Health, stack: str = "bcce-us-east-1") -> HealthResult:
    return HealthResult(component="security", name=name, stack=stack, status=status, evidence="e")


def test_unhealthy_exits_14_naming_each_check_and_keeping_the_apply():
    outcome = judge([result("kms-key", Health.UNHEALTHY), result("trail:t", Health.HEALTHY),
                     result("bucket-encryption:b", Health.UNHEALTHY, stack="bcce-us-west-2")])
    assert outcome.exit_code == ExitCode.UNHEALTHY == 14
    assert outcome.health is Health.UNHEALTHY
    assert "apply succeeded and is kept" in outcome.summary
    assert "2 unhealthy check(s): bcce-us-east-1 kms-key, bcce-us-west-2 bucket-encryption:b" in outcome.summary
    assert "trail:t" not in outcome.summary


def test_degraded_and_not_checked_do_not_fail_the_deploy():
    degraded = judge([result("kms-key", Health.HEALTHY), result("tagged-not-in-state", Health.DEGRADED)])
    assert degraded.exit_code == ExitCode.OK and degraded.health is Health.DEGRADED
    assert "1 degraded check(s): bcce-us-east-1 tagged-not-in-state" in degraded.summary
    assert judge([result("guardrail:g", Health.NOT_CHECKED)]).exit_code == ExitCode.OK
    assert judge([result("kms-key", Health.HEALTHY)]).summary == "deployed; doctor found the platform healthy"


def test_deploy_runs_every_live_component_but_the_charged_cost_one():
    assert "cost" not in DEPLOY_COMPONENTS
    assert {"credentials", "stacks", "security", "services", "orphans", "aws-clients"} <= set(DEPLOY_COMPONENTS)
