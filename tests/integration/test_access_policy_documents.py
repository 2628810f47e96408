"""The developer policy as Terraform renders it, decided request by request (tests/support/iam_eval.py).

provider 3.39 has no Bedrock guardrail resource, so the guardrail ARN and version reach the
bedrock-access module through a Terraform override file here: the module's policy logic is what is
under test, with the same inputs the guardrails component gives it under provider generation 5.
The VPC endpoint is the real one from the network component (privatelink on).
"""

from __future__ import annotations

import json
import os

import pytest

from tests.support.iam_eval import Request, authorizing_action, evaluate
from tests.support.stack import emulator_config, render_for_emulator

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"
GUARDRAIL_ARN = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:guardrail/gr0example1abc"
GUARDRAIL_VERSION = "3"
GUARDRAIL_ID = f"{GUARDRAIL_ARN}:{GUARDRAIL_VERSION}"
SONNET = "anthropic.claude-sonnet-4-20250514-v1:0"

GUARDRAIL_OVERRIDE = f"""
module "bedrock_access" {{
  enforce_guardrail = true
  guardrail_arn     = "{GUARDRAIL_ARN}"
  guardrail_version = "{GUARDRAIL_VERSION}"
}}
"""


def fm(region: str, model: str = SONNET) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model}"


def profile(region: str, prefix: str = "us", account: str = ACCOUNT, model: str = SONNET) -> str:
    return f"arn:aws:bedrock:{region}:{account}:inference-profile/{prefix}.{model}"


@pytest.fixture(scope="module")
def enforced_policy(moto_server, provider_mirror, tmp_path_factory):
    """Two regions, PrivateLink on (real endpoint), guardrail enforced: applied, policy read from the output."""
    with pytest.MonkeyPatch.context() as mp:
        # Module scope runs before the per-test environment cleanup: clean up here as well.
        for name in list(os.environ):
            if name.startswith(("AWS_", "TF_", "BCCE_")):
                mp.delenv(name)
        moto_server.reset()
        config = emulator_config(components=["bedrock-access"], privatelink=True, regions=["us-east-1", "us-west-2"])
        run = render_for_emulator(config, tmp_path_factory.mktemp("enforced"), moto_server.url, provider_mirror)
        assert run.rendered.components == ("security", "network", "bedrock-access")
        (run.directory / "guardrail_override.tf").write_text(GUARDRAIL_OVERRIDE, encoding="utf-8")
        run.init()
        run.apply()
        outputs = run.outputs()
    return json.loads(outputs["bedrock_access_policy_json"]), outputs["bedrock_runtime_endpoint_id"]


def full_context(vpce: str, region: str = "us-east-1") -> dict[str, str]:
    return {"aws:SourceVpce": vpce, "bedrock:GuardrailIdentifier": GUARDRAIL_ID, "aws:RequestedRegion": region}


def check(policy: dict, operation: str, resource: str, context: dict[str, str]) -> str:
    """The decision for an API call; Converse and ConverseStream are checked as the IAM actions AWS
    authorizes them with."""
    return evaluate(policy, Request(authorizing_action(operation), resource, context)).decision


@pytest.mark.parametrize("operation", ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:Converse", "bedrock:ConverseStream"])
@pytest.mark.parametrize("region", ["us-east-1", "us-west-2"])
def test_claude_in_a_configured_region_with_guardrail_through_the_endpoint_is_allowed(enforced_policy, operation, region):
    policy, vpce = enforced_policy
    assert check(policy, operation, fm(region), full_context(vpce, region)) == "allow"
    assert check(policy, operation, profile(region), full_context(vpce, region)) == "allow"
    assert check(policy, operation, profile(region, prefix="global"), full_context(vpce, region)) == "allow"


def test_the_policy_names_only_iam_actions_for_the_converse_api(enforced_policy):
    policy, _ = enforced_policy
    actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert not actions & {"bedrock:Converse", "bedrock:ConverseStream"}


def test_cross_region_profile_reaches_its_destination_models_only_through_the_profile(enforced_policy):
    policy, vpce = enforced_policy
    through_profile = {**full_context(vpce), "bedrock:InferenceProfileArn": profile("us-east-1")}
    assert check(policy, "bedrock:InvokeModel", fm("us-east-2"), through_profile) == "allow"
    assert check(policy, "bedrock:InvokeModel", fm(""), {**full_context(vpce), "bedrock:InferenceProfileArn": profile("us-east-1", "global")}) == "allow"
    assert check(policy, "bedrock:InvokeModel", fm("us-east-2"), full_context(vpce)) == "implicit-deny"
    foreign_profile = {**full_context(vpce), "bedrock:InferenceProfileArn": profile("us-east-1", account="999999999999")}
    assert check(policy, "bedrock:InvokeModel", fm("us-east-2"), foreign_profile) == "implicit-deny"


@pytest.mark.parametrize("model", ["meta.llama3-70b-instruct-v1:0", "amazon.titan-text-premier-v1:0", "mistral.mistral-large-2407-v1:0"])
def test_another_vendors_model_is_denied(enforced_policy, model):
    policy, vpce = enforced_policy
    assert check(policy, "bedrock:InvokeModel", fm("us-east-1", model), full_context(vpce)) == "implicit-deny"
    assert check(policy, "bedrock:InvokeModel", profile("us-east-1", model=model), full_context(vpce)) == "implicit-deny"


def test_a_region_outside_the_configuration_is_denied(enforced_policy):
    policy, vpce = enforced_policy
    assert check(policy, "bedrock:InvokeModel", fm("eu-west-1"), full_context(vpce, "eu-west-1")) == "implicit-deny"
    assert check(policy, "bedrock:InvokeModel", profile("eu-west-1", "eu"), full_context(vpce, "eu-west-1")) == "implicit-deny"
    assert check(policy, "bedrock:ListFoundationModels", "*", full_context(vpce, "eu-west-1")) == "implicit-deny"


def test_another_accounts_inference_profile_is_denied(enforced_policy):
    policy, vpce = enforced_policy
    assert check(policy, "bedrock:InvokeModel", profile("us-east-1", account="999999999999"), full_context(vpce)) == "implicit-deny"


def test_without_the_guardrail_or_with_another_one_it_is_denied(enforced_policy):
    policy, vpce = enforced_policy
    no_guardrail = {"aws:SourceVpce": vpce, "aws:RequestedRegion": "us-east-1"}
    assert check(policy, "bedrock:InvokeModel", fm("us-east-1"), no_guardrail) == "implicit-deny"
    assert check(policy, "bedrock:Converse", profile("us-east-1"), no_guardrail) == "implicit-deny"
    other_version = {**no_guardrail, "bedrock:GuardrailIdentifier": f"{GUARDRAIL_ARN}:1"}
    assert check(policy, "bedrock:InvokeModel", fm("us-east-1"), other_version) == "implicit-deny"
    assert check(policy, "bedrock:ApplyGuardrail", GUARDRAIL_ARN, {}) == "allow"
    assert check(policy, "bedrock:ApplyGuardrail", GUARDRAIL_ARN.replace("gr0example1abc", "other"), {}) == "implicit-deny"


def test_with_privatelink_a_request_not_through_the_endpoint_is_denied(enforced_policy):
    policy, vpce = enforced_policy
    assert vpce.startswith("vpce-")
    no_endpoint = {"bedrock:GuardrailIdentifier": GUARDRAIL_ID, "aws:RequestedRegion": "us-east-1"}
    assert check(policy, "bedrock:InvokeModel", fm("us-east-1"), no_endpoint) == "implicit-deny"
    other_endpoint = {**no_endpoint, "aws:SourceVpce": "vpce-0123456789abcdef0"}
    assert check(policy, "bedrock:InvokeModelWithResponseStream", profile("us-east-1"), other_endpoint) == "implicit-deny"


def test_discovery_is_allowed_and_nothing_else(enforced_policy):
    policy, vpce = enforced_policy
    assert check(policy, "bedrock:ListFoundationModels", "*", {"aws:RequestedRegion": "us-west-2"}) == "allow"
    assert check(policy, "bedrock:ListInferenceProfiles", "*", {"aws:RequestedRegion": "us-east-1"}) == "allow"
    assert check(policy, "bedrock:GetFoundationModel", fm("us-east-1"), {}) == "allow"
    assert check(policy, "bedrock:GetInferenceProfile", profile("us-west-2"), {}) == "allow"
    for action, resource in [
        ("bedrock:CreateModelCustomizationJob", "*"),
        ("bedrock:DeleteGuardrail", GUARDRAIL_ARN),
        ("bedrock:PutModelInvocationLoggingConfiguration", "*"),
        ("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/anyone"),
        ("s3:GetObject", "arn:aws:s3:::any-bucket/any-key"),
    ]:
        assert check(policy, action, resource, full_context(vpce)) == "implicit-deny", action
    # No statement grants a restrictable action on "*".
    for statement in policy["Statement"]:
        if statement["Resource"] == "*" or statement["Resource"] == ["*"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert sorted(actions) == ["bedrock:ListFoundationModels", "bedrock:ListInferenceProfiles"]


def test_plain_policy_from_the_plan_allows_claude_without_extra_conditions(emulator, provider_mirror, tmp_path):
    """No guardrail (generation 3), no PrivateLink: the policy read from `terraform show -json` of a plan."""
    config = emulator_config(components=["bedrock-access"], privatelink=False)
    run = render_for_emulator(config, tmp_path, emulator.url, provider_mirror)
    run.init()
    plan = run.show_plan_json()
    policy = json.loads(plan["planned_values"]["outputs"]["bedrock_access_policy_json"]["value"])
    region_only = {"aws:RequestedRegion": "us-east-1"}
    assert check(policy, "bedrock:InvokeModel", fm("us-east-1"), region_only) == "allow"
    assert check(policy, "bedrock:InvokeModel", fm("us-west-2"), region_only) == "implicit-deny"
    assert check(policy, "bedrock:InvokeModel", fm("us-east-1", "cohere.command-r-v1:0"), region_only) == "implicit-deny"
    assert not any("Condition" in st and "bedrock:GuardrailIdentifier" in json.dumps(st["Condition"]) for st in policy["Statement"])
    assert "aws:SourceVpce" not in json.dumps(policy)
