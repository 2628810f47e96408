"""Checks with a stubbed AWS (no I/O): config-only checks, and the decisions checks make on the
answers AWS gives, including answers the emulator cannot give (AccessDenied, denied actions)."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from bcce_tf.config import Config
from bcce_tf.errors import AwsError, CredentialsError
from bcce_tf.readiness.checks import build_checks, capacity, configuration, cost, permissions, regions, security
from bcce_tf.readiness.checks.base import CheckContext, Identity
from bcce_tf.readiness.model import Status


class StubAws:
    """Answers AWS calls from a table: (service, operation) -> answer, exception or function."""

    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, str, dict[str, Any]]] = []

    def call(self, service: str, region: str, operation: str, **params: Any) -> Any:
        self.calls.append((service, region, operation, params))
        answer = self.answers[(service, operation)]
        if isinstance(answer, Exception):
            raise answer
        return answer(params) if callable(answer) else answer


def context(config: Config | None = None, answers: dict | None = None, regions_: tuple[str, ...] = ("us-east-1",)) -> CheckContext:
    return CheckContext(config=config or Config(), regions=regions_, clients=StubAws(answers or {}))  # type: ignore[arg-type]


def caller(arn: str) -> dict:
    return {("sts", "get_caller_identity"): {"Account": "111122223333", "Arn": arn, "UserId": "AID"}}


# ---------------------------------------------------------------- identity


@pytest.mark.parametrize(
    ("arn", "root", "kind", "partition"),
    [
        ("arn:aws:iam::111122223333:root", True, "root", "aws"),
        ("arn:aws-us-gov:iam::111122223333:root", True, "root", "aws-us-gov"),
        ("arn:aws:sts::111122223333:assumed-role/deployer/ci-run", False, "assumed-role", "aws"),
        ("arn:aws:iam::111122223333:user/alice", False, "user", "aws"),
        ("arn:aws:iam::111122223333:role/rootless", False, "role", "aws"),
        ("arn:aws:sts::111122223333:assumed-role/root/session", False, "assumed-role", "aws"),
    ],
)
def test_identity_kinds(arn, root, kind, partition):
    identity = Identity(account="111122223333", arn=arn, user_id="x")
    assert (identity.is_root, identity.kind, identity.partition) == (root, kind, partition)


def test_an_assumed_role_is_not_root_and_passes():
    outcome = security.not_root(context(answers=caller("arn:aws:sts::111122223333:assumed-role/root-admin/ci")))
    assert outcome.status is Status.PASSED
    assert "assumed-role" in outcome.evidence


def test_root_fails():
    outcome = security.not_root(context(answers=caller("arn:aws:iam::111122223333:root")))
    assert outcome.status is Status.FAILED


def test_rejected_credentials_fail_the_credentials_check_and_leave_root_unchecked():
    ctx = context(answers={("sts", "get_caller_identity"): CredentialsError(detail="InvalidClientTokenId: bad")})
    assert security.credentials_valid(ctx).status is Status.FAILED
    outcome = security.not_root(ctx)
    assert outcome.status is Status.NOT_CHECKED
    assert "caller identity unknown" in outcome.evidence
    assert len(ctx.clients.calls) == 1, "the identity is asked once per run"


# ---------------------------------------------------------------- config-only checks


def test_encryption_audit_and_isolation_follow_the_config():
    ctx = context(Config(monitoring={"alarm_email": "ops@example.com"}))
    assert security.encryption_requested(ctx).status is Status.PASSED
    assert security.audit_logging_requested(ctx).status is Status.PASSED
    assert security.network_isolation_requested(ctx).status is Status.PASSED
    short = context(Config(log_retention_days=30))
    assert security.audit_logging_requested(short).status is Status.WARNING
    public = context(Config(privatelink=False))
    assert security.network_isolation_requested(public).status is Status.WARNING


def test_guardrails_with_provider_generation_3_fail():
    outcome = configuration.guardrails_provider(context(Config(provider={"generation": 3})))
    assert outcome.status is Status.FAILED
    assert "guardrails need hashicorp/aws 5.x (provider.generation 5)" in outcome.evidence
    assert configuration.guardrails_provider(context(Config())).status is Status.PASSED
    off = Config(provider={"generation": 3}, guardrails=False)
    assert configuration.guardrails_provider(context(off)).status is Status.PASSED
    narrowed = Config(provider={"generation": 3}, components=["infrastructure"])
    assert configuration.guardrails_provider(context(narrowed)).status is Status.PASSED


def test_names_use_the_account_and_catch_long_role_names():
    ctx = context(Config(stack_name="bcce", organization_id="acme"), caller("arn:aws:iam::111122223333:user/a"))
    outcome = configuration.names_valid(ctx)
    assert outcome.status is Status.PASSED
    assert "bcce-acme-111122223333-us-east-1-athena" in outcome.evidence
    # The config's own validation keeps names short; a config that slipped past it (built in
    # code, not loaded) is still caught here.
    long = Config(regions=["ap-southeast-5"]).model_copy(update={"stack_name": "s" * 20, "organization_id": "o" * 20})
    outcome = configuration.names_valid(context(long, caller("arn:aws:iam::111122223333:user/a"), ("ap-southeast-5",)))
    assert outcome.status is Status.FAILED
    prefix = "s" * 20 + "-" + "o" * 20
    assert f"bucket '{prefix}-111122223333-ap-southeast-5-lake': 74 characters (3-63 allowed)" in outcome.evidence
    assert f"{prefix}-cognito-ap-southeast-5" not in outcome.evidence, "64 characters: a valid role name"


def test_names_fall_back_to_the_worst_case_account_without_credentials():
    ctx = context(answers={("sts", "get_caller_identity"): CredentialsError(detail="no credentials")})
    outcome = configuration.names_valid(ctx)
    assert outcome.status is Status.PASSED
    assert "worst-case account id" in outcome.evidence


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("bcce-acme-111122223333-us-east-1-lake", None),
        ("ab", "3-63"),
        ("a" * 64, "3-63"),
        ("Upper-case", "lowercase"),
        ("a..b", "adjacent"),
        ("192.168.1.1", "IP address"),
        ("xn--bucket", "reserves"),
        ("bucket-s3alias", "reserves"),
    ],
)
def test_bucket_rules(name, problem):
    found = configuration.bucket_problem(name)
    assert (found is None) if problem is None else (problem in found)


def test_combinations_warn_about_settings_that_clash():
    config = Config(cloudtrail_multi_region=True, regions=["us-east-1", "eu-west-1"],
                    backend={"type": "s3", "bucket": "state-bucket"}, monitoring={"alarm_email": "ops@example.com"})
    outcome = configuration.combinations(context(config))
    assert outcome.status is Status.WARNING
    assert "multi-region trail per region" in outcome.evidence and "lock table" in outcome.evidence
    quiet = Config(monitoring={"alarm_email": "ops@example.com"})
    assert configuration.combinations(context(quiet)).status is Status.PASSED


def test_invocation_logging_is_reported_where_generation_3_cannot_configure_it():
    three = configuration.invocation_logging(context(Config(provider={"generation": 3})))
    assert three.status is Status.WARNING and "NOT CONFIGURED" in three.evidence
    assert "provider.generation to 5" in three.remediation
    five = configuration.invocation_logging(context(Config(provider={"generation": 5}, analytics={"log_prompts": True})))
    assert five.status is Status.PASSED and "analytics.log_prompts" in five.evidence
    assert "metadata only" in configuration.invocation_logging(context(Config(provider={"generation": 5}))).evidence
    without = configuration.invocation_logging(context(Config(provider={"generation": 3}, analytics_model="none")))
    assert without.status is Status.PASSED


def test_combinations_fail_when_nothing_is_enabled():
    config = Config(components=["guardrails"], guardrails=False)
    assert config.enabled_components() == ()
    assert configuration.combinations(context(config)).status is Status.FAILED


# ---------------------------------------------------------------- permissions


def simulation(decisions: dict[str, str]) -> dict:
    def answer(params: dict) -> dict:
        return {"EvaluationResults": [{"EvalActionName": a, "EvalDecision": decisions.get(a, "allowed")}
                                      for a in params["ActionNames"]], "IsTruncated": False}

    return answer


def test_simulation_passes_when_every_action_is_allowed_for_the_role_behind_the_session():
    answers = {**caller("arn:aws:sts::111122223333:assumed-role/deployer/ci"),
               ("iam", "get_role"): {"Role": {"Arn": "arn:aws:iam::111122223333:role/platform/deployer"}},
               ("iam", "simulate_principal_policy"): simulation({})}
    ctx = context(Config(components=["infrastructure"]), answers)
    outcome = permissions.simulate(ctx)
    assert outcome.status is Status.PASSED
    assert "arn:aws:iam::111122223333:role/platform/deployer" in outcome.evidence
    simulated = [c for c in ctx.clients.calls if c[2] == "simulate_principal_policy"]
    actions = simulated[0][3]["ActionNames"]
    assert "ec2:CreateVpcEndpoint" in actions and "kms:CreateKey" in actions
    assert not any(a.startswith("glue:") for a in actions), "analytics is not selected"


def test_simulation_fails_on_denied_actions():
    answers = {**caller("arn:aws:iam::111122223333:user/alice"),
               ("iam", "simulate_principal_policy"): simulation({"kms:CreateKey": "implicitDeny",
                                                                 "s3:CreateBucket": "explicitDeny"})}
    outcome = permissions.simulate(context(Config(components=["security"]), answers))
    assert outcome.status is Status.FAILED
    assert "2 of" in outcome.evidence and "kms:CreateKey" in outcome.evidence and "s3:CreateBucket" in outcome.evidence


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (CredentialsError(detail="AccessDenied: not authorized to perform iam:SimulatePrincipalPolicy"), "not allowed to simulate"),
        (AwsError(service="iam", operation="simulate_principal_policy", code="500", detail="Internal", status=500),
         "IAM policy simulation did not answer"),
        (RuntimeError("Unable to parse response, invalid XML received"), "IAM policy simulation did not answer"),
    ],
)
def test_simulation_that_cannot_run_is_not_checked(error, expected):
    answers = {**caller("arn:aws:iam::111122223333:user/alice"), ("iam", "simulate_principal_policy"): error}
    outcome = permissions.simulate(context(answers=answers))
    assert outcome.status is Status.NOT_CHECKED
    assert expected in outcome.evidence


@pytest.mark.parametrize("arn", ["arn:aws:iam::111122223333:root", "arn:aws:sts::111122223333:federated-user/bob"])
def test_root_and_federated_callers_are_not_simulated(arn):
    outcome = permissions.simulate(context(answers=caller(arn)))
    assert outcome.status is Status.NOT_CHECKED


# ---------------------------------------------------------------- regions, capacity, cost


def test_ssm_names_and_lookup_regions():
    assert regions.lookup_region("eu-west-1") == "us-east-1"
    assert regions.lookup_region("us-gov-east-1") == "us-gov-west-1"
    assert regions.lookup_region("cn-northwest-1") == "cn-north-1"
    wanted = regions.required_services(Config().enabled_components())
    assert "bedrock" in wanted and "budgets" not in wanted


def test_a_region_missing_a_service_fails_with_its_name():
    prefix = "/aws/service/global-infrastructure/regions/eu-west-1"

    def parameters(params: dict) -> dict:
        known = {prefix, f"{prefix}/services/kms", f"{prefix}/services/s3", f"{prefix}/services/logs",
                 f"{prefix}/services/iam", f"{prefix}/services/sts"}
        return {"Parameters": [{"Name": n} for n in params["Names"] if n in known]}

    ctx = context(Config(components=["security"]), {("ssm", "get_parameters"): parameters}, ("eu-west-1",))
    assert regions.region_exists(ctx, "eu-west-1").status is Status.PASSED
    outcome = regions.region_services(ctx, "eu-west-1")
    assert outcome.status is Status.FAILED
    assert outcome.evidence == "eu-west-1 does not offer: bedrock, cloudtrail"
    assert {c[1] for c in ctx.clients.calls} == {"us-east-1"}


def test_bedrock_models_match_the_allowed_patterns():
    models = {"modelSummaries": [{"modelId": "anthropic.claude-sonnet-4-5-v1:0"}, {"modelId": "anthropic.claude-v2"}]}
    ctx = context(Config(allowed_model_patterns=["anthropic.claude-sonnet-*"]), {("bedrock", "list_foundation_models"): models})
    outcome = regions.bedrock_models(ctx, "us-east-1")
    assert outcome.status is Status.PASSED and "anthropic.claude-sonnet-4-5-v1:0" in outcome.evidence
    none = context(Config(allowed_model_patterns=["anthropic.claude-opus-*"]), {("bedrock", "list_foundation_models"): models})
    assert regions.bedrock_models(none, "us-east-1").status is Status.FAILED


def test_planned_capacity_follows_the_components():
    assert capacity.planned(Config(components=["security"]), ("security",)) == []
    needs = {need.key: count for need, count in capacity.planned(Config(), ("security", "network"))}
    assert needs == {"vpcs": 1, "gateway-endpoints": 1, "security-groups": 2, "interface-endpoints": 5}
    private_off = {need.key: count for need, count in capacity.planned(Config(privatelink=False), ("security", "network"))}
    assert private_off == {"vpcs": 1, "gateway-endpoints": 1, "security-groups": 1}


def test_quota_falls_back_to_the_aws_default_and_judges_usage():
    answers = {
        ("service-quotas", "get_service_quota"): AwsError(service="service-quotas", operation="get_service_quota",
                                                          code="NoSuchResourceException", detail="none"),
        ("service-quotas", "get_aws_default_service_quota"): {"Quota": {"Value": 5.0}},
        ("ec2", "describe_vpcs"): {"Vpcs": [{}, {}, {}, {}]},
    }
    ctx = context(answers=answers)
    outcome = capacity.quota_check(ctx, "us-east-1", capacity.VPCS, 1)
    assert outcome.status is Status.WARNING  # 5 of 5: fits, at the limit
    answers[("ec2", "describe_vpcs")] = {"Vpcs": [{}] * 5}
    outcome = capacity.quota_check(context(answers=answers), "us-east-1", capacity.VPCS, 1)
    assert outcome.status is Status.FAILED
    assert outcome.evidence == "5 in use + 1 planned = 6 exceeds VPCs per Region (L-F678F1CE) = 5"


def test_cost_against_the_budget(monkeypatch):
    fake = types.ModuleType("bcce_tf.cost")
    totals = {"value": 500.0}
    fake.estimate = lambda config: types.SimpleNamespace(total=totals["value"])  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bcce_tf.cost", fake)
    ctx = context(Config(monitoring={"monthly_budget_usd": 1000}))
    assert cost.within_budget(ctx).status is Status.PASSED
    totals["value"] = 1100.0
    assert cost.within_budget(ctx).status is Status.WARNING
    totals["value"] = 1500.0
    outcome = cost.within_budget(ctx)
    assert outcome.status is Status.FAILED and "50% over" in outcome.evidence


def test_cost_without_an_estimate_is_not_checked(monkeypatch):
    monkeypatch.setitem(sys.modules, "bcce_tf.cost", None)  # import fails
    assert cost.within_budget(context()).status is Status.NOT_CHECKED


def test_checks_per_region_carry_the_region_in_their_id():
    ids = [c.id for c in build_checks(context(Config(regions=["us-east-1", "eu-west-1"]), regions_=("us-east-1", "eu-west-1")))]
    assert len(ids) == len(set(ids))
    for region in ("us-east-1", "eu-west-1"):
        for prefix in ("security.cloudtrail", "security.config-recorder", "region.exists", "region.services",
                       "region.bedrock-models", "capacity.vpcs"):
            assert f"{prefix}.{region}" in ids
    assert ids.count("security.credentials") == 1


def test_cost_with_the_real_estimate_names_what_it_left_out():
    outcome = cost.within_budget(context(Config(monitoring={"monthly_budget_usd": 10})))
    assert outcome.status is Status.FAILED
    assert outcome.evidence.startswith("estimated $")
    assert "over)" in outcome.evidence
    generous = cost.within_budget(context(Config(monitoring={"monthly_budget_usd": 10_000_000})))
    assert generous.status is Status.PASSED
