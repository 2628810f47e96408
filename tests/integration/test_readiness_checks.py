"""Each readiness check against the emulator over real HTTP: a ready account, and accounts that
are not ready in one way each. Where moto cannot represent an answer (root MFA on, a root caller)
the account is prepared in moto's backend, in process, the way AWS would hold it."""

from __future__ import annotations

import json

import pytest

from bcce_tf.config import Config
from bcce_tf.readiness import assess
from bcce_tf.readiness.clients import readiness_clients
from bcce_tf.readiness.model import CheckResult, Report, Status
from bcce_tf.readiness.score import score

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
# What the emulator cannot answer: these checks must come back "not checked", never "passed".
EMULATOR_GAPS = {"permissions.simulation"}
# Weights per impact, written out here on purpose (not imported) to check the formula independently.
WEIGHT = {"critical": 10, "high": 5, "medium": 3, "low": 1}


def cost_module_present() -> bool:
    try:
        from bcce_tf.cost import estimate  # noqa: F401
    except ImportError:
        return False
    return True


def ready_config(**overrides) -> Config:  # noqa: ANN003
    data = {"monitoring": {"alarm_email": "platform@example.com", "monthly_budget_usd": 1_000_000}, **overrides}
    return Config.model_validate(data)


def run(emulator, config: Config, **kwargs) -> Report:  # noqa: ANN001, ANN003
    return assess(config, readiness_clients(endpoint_url=emulator.url), environ={}, **kwargs)


def by_id(report: Report) -> dict[str, CheckResult]:
    return {r.id: r for r in report.results}


def set_root_mfa(enabled: bool) -> None:
    from moto.iam.models import iam_backends

    # No API turns on MFA for the root user: set what GetAccountSummary reports.
    iam_backends[ACCOUNT]["aws"].account_summary._account_mfa_enabled = 1 if enabled else 0


def start_trail(emulator, region: str = "us-east-1", *, logging: bool = True, multi_region: bool = True) -> None:  # noqa: ANN001
    emulator.client("s3", region).create_bucket(Bucket="audit-trail-bucket")
    trail = emulator.client("cloudtrail", region)
    trail.create_trail(Name="org-trail", S3BucketName="audit-trail-bucket", IsMultiRegionTrail=multi_region)
    if logging:
        trail.start_logging(Name="org-trail")


def start_recorder(emulator, region: str = "us-east-1", *, recording: bool = True) -> None:  # noqa: ANN001
    config = emulator.client("config", region)
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config-recorder",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    emulator.client("s3", region).create_bucket(Bucket="config-bucket")
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"})
    if recording:
        config.start_configuration_recorder(ConfigurationRecorderName="default")


def assume_deployer_role(emulator, monkeypatch) -> str:  # noqa: ANN001
    emulator.client("iam").create_role(RoleName="bcce-deployer", AssumeRolePolicyDocument=TRUST)
    creds = emulator.client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/bcce-deployer",
                                               RoleSessionName="readiness")["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/bcce-deployer/readiness"


@pytest.fixture()
def ready_account(emulator, monkeypatch):  # noqa: ANN001, ANN201
    """An account as ready as the emulator can hold it: a role session, a logging trail, a
    recording Config recorder, MFA on the root user."""
    arn = assume_deployer_role(emulator, monkeypatch)
    start_trail(emulator)
    start_recorder(emulator)
    set_root_mfa(True)
    return arn


def test_ready_account_passes_every_check_the_emulator_can_answer(emulator, ready_account):
    report = run(emulator, ready_config())
    results = by_id(report)
    gaps = set(EMULATOR_GAPS) | (set() if cost_module_present() else {"cost.budget"})
    not_passed = {r.id: (r.status, r.evidence) for r in report.results if r.status is not Status.PASSED}
    assert set(not_passed) == gaps, not_passed
    for check_id in gaps:
        assert results[check_id].status is Status.NOT_CHECKED, "a check that cannot run is never passed"
        assert results[check_id].evidence
    assert "did not answer" in results["permissions.simulation"].evidence
    assert results["region.model-access.us-east-1"].evidence.startswith("all 6 allowed Claude model(s) are available")
    # the role session is a role: it passes, and the account is known
    assert results["security.not-root"].evidence == f"calling as assumed-role {ready_account}"
    assert report.facts == {"account_id": ACCOUNT, "caller_arn": ready_account}
    assert results["security.cloudtrail.us-east-1"].evidence == "trail org-trail is logging (multi-region)"
    assert results["security.config-recorder.us-east-1"].evidence == "recorder default is recording"
    assert results["security.root-mfa"].evidence == "AccountMFAEnabled = 1"

    # The live score is the formula over these results...
    possible = sum(WEIGHT[r.impact.value] for r in report.results)
    earned = sum(WEIGHT[r.impact.value] for r in report.results if r.status is Status.PASSED)
    assert report.score == 100 * earned // possible
    assert report.score < 100, "checks the emulator cannot answer keep it below 100"
    assert report.ready
    # ... and the same account with those checks answered scores 100.
    answered = [CheckResult.from_dict({**r.to_dict(), "status": "passed"}) for r in report.results]
    assert score(answered) == 100


def test_default_emulator_identity_is_a_user_not_root(emulator):
    results = by_id(run(emulator, ready_config()))
    assert results["security.credentials"].status is Status.PASSED
    assert results["security.not-root"].status is Status.PASSED
    assert "user/moto" in results["security.not-root"].evidence


def test_root_credentials_fail_a_critical_check_and_block(emulator, monkeypatch):
    from moto.sts.models import STSBackend

    # AWS answers GetCallerIdentity for the root user with the account's root ARN.
    monkeypatch.setattr(STSBackend, "get_caller_identity",
                        lambda self, access_key_id, region: (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT))
    report = run(emulator, ready_config(), min_score=0)
    results = by_id(report)
    assert results["security.not-root"].status is Status.FAILED
    assert results["security.not-root"].evidence == f"calling as the root user (arn:aws:iam::{ACCOUNT}:root)"
    assert results["permissions.simulation"].status is Status.NOT_CHECKED
    assert not report.ready, "a critical failure blocks even with min_score 0"
    assert report.blocked_because()[0].startswith("critical check failed: security.not-root")


def test_missing_credentials_fail_and_nothing_else_passes_on_trust(emulator, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    report = run(emulator, ready_config())
    results = by_id(report)
    assert results["security.credentials"].status is Status.FAILED
    assert "credentials" in results["security.credentials"].evidence.lower()
    aws_checks = [r for r in report.results if not r.id.startswith(("security.encryption", "security.audit-logging",
                                                                   "security.network-isolation", "configuration.", "cost."))]
    assert all(r.status is not Status.PASSED for r in aws_checks), [(r.id, r.status) for r in aws_checks]
    assert not report.ready


def test_no_trail_and_no_recorder_fail(emulator):
    results = by_id(run(emulator, ready_config()))
    assert results["security.cloudtrail.us-east-1"].status is Status.FAILED
    assert results["security.cloudtrail.us-east-1"].evidence == "no CloudTrail trail covers us-east-1"
    assert results["security.config-recorder.us-east-1"].status is Status.FAILED
    assert results["security.root-mfa"].status is Status.FAILED
    assert results["security.root-mfa"].evidence == "AccountMFAEnabled = 0: the root user has no MFA device"


def test_a_trail_that_does_not_log_and_a_recorder_that_does_not_record_fail(emulator):
    start_trail(emulator, logging=False)
    start_recorder(emulator, recording=False)
    results = by_id(run(emulator, ready_config()))
    assert results["security.cloudtrail.us-east-1"].status is Status.FAILED
    assert "not logging" in results["security.cloudtrail.us-east-1"].evidence
    assert results["security.config-recorder.us-east-1"].status is Status.FAILED
    assert "not recording" in results["security.config-recorder.us-east-1"].evidence


def test_a_single_region_trail_covers_its_home_region_only(emulator):
    start_trail(emulator, multi_region=False)
    config = ready_config(regions=["us-east-1", "us-west-2"])
    results = by_id(run(emulator, config))
    assert results["security.cloudtrail.us-east-1"].status is Status.PASSED
    assert results["security.cloudtrail.us-west-2"].status is Status.FAILED


def test_exhausted_vpc_quota_fails_capacity(emulator):
    ec2 = emulator.client("ec2")
    quota = emulator.client("service-quotas").get_service_quota(ServiceCode="vpc", QuotaCode="L-F678F1CE")["Quota"]["Value"]
    in_use = len(ec2.describe_vpcs()["Vpcs"])
    for i in range(int(quota) - in_use):
        ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")
    results = by_id(run(emulator, ready_config()))
    vpcs = results["capacity.vpcs.us-east-1"]
    assert vpcs.status is Status.FAILED
    assert vpcs.evidence == f"{int(quota)} in use + 1 planned = {int(quota) + 1} exceeds VPCs per Region (L-F678F1CE) = {quota:g}"
    assert "quota increase" in vpcs.remediation
    assert results["capacity.interface-endpoints.us-east-1"].status is Status.PASSED


def test_capacity_counts_existing_gateway_endpoints(emulator):
    ec2 = emulator.client("ec2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway")
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sts", VpcEndpointType="Interface")
    results = by_id(run(emulator, ready_config()))
    assert results["capacity.gateway-endpoints.us-east-1"].evidence.startswith("1 in use + 1 planned = 2 of ")


def test_no_network_no_capacity_checks(emulator):
    report = run(emulator, ready_config(components=["security"]))
    assert not [r for r in report.results if r.category.value == "capacity"]


def test_a_region_without_bedrock_fails_and_blocks(emulator):
    report = run(emulator, ready_config(regions=["us-east-1", "ap-east-1"]), min_score=0)
    results = by_id(report)
    assert results["region.exists.ap-east-1"].status is Status.PASSED
    services = results["region.services.ap-east-1"]
    assert services.status is Status.FAILED
    assert services.evidence == "ap-east-1 does not offer: bedrock"
    assert results["region.services.us-east-1"].status is Status.PASSED
    assert "bedrock" in results["region.services.us-east-1"].evidence
    assert "sso-admin" in results["region.services.us-east-1"].evidence
    assert not report.ready


def test_a_made_up_region_is_refused_before_any_check_runs():
    """A region name no AWS partition has is bad input in the config, not a readiness finding."""
    import pydantic

    with pytest.raises(pydantic.ValidationError, match="'xx-nowhere-1' is not an AWS region name"):
        ready_config(regions=["us-east-1", "xx-nowhere-1"])


def test_guardrails_on_provider_generation_3_fails_the_check(emulator):
    results = by_id(run(emulator, ready_config(provider={"generation": 3})))
    guard = results["configuration.guardrails-provider"]
    assert guard.status is Status.FAILED and guard.impact.value == "high"
    assert "guardrails need hashicorp/aws 5.x (provider.generation 5)" in guard.evidence


def test_only_the_chosen_regions_are_checked(emulator):
    report = run(emulator, ready_config(regions=["us-east-1", "us-west-2"]), regions=["us-west-2"])
    assert report.regions == ("us-west-2",)
    assert not [r.id for r in report.results if r.id.endswith("us-east-1")]
