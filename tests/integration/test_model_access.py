"""Readiness checks that every allowed Claude model is usable by the account in every configured
region (bedrock:GetFoundationModelAvailability), against the emulator's Bedrock model catalogue."""

from __future__ import annotations

import botocore.session
import pytest

from bcce_tf.config import Config
from bcce_tf.emulator.bedrock import ANTHROPIC_MODELS, OPERATIONS, set_availability
from bcce_tf.readiness import assess
from bcce_tf.readiness.clients import readiness_clients
from bcce_tf.readiness.model import Status

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"
SONNET = "anthropic.claude-sonnet-4-20250514-v1:0"
OPUS = "anthropic.claude-opus-4-1-20250805-v1:0"


def model_access(emulator, **config):  # noqa: ANN001, ANN003, ANN201
    report = assess(Config.model_validate({"regions": ["us-east-1", "eu-west-1"], **config}),
                    readiness_clients(endpoint_url=emulator.url), environ={})
    return {r.id: r for r in report.results if r.id.startswith("region.model-access.")}


@pytest.mark.parametrize("operation", OPERATIONS["bedrock"])
def test_the_added_operations_exist_in_botocores_model(operation):
    assert operation in botocore.session.get_session().get_service_model("bedrock").operation_names


def test_the_emulator_answers_with_the_documented_members(emulator):
    bedrock = emulator.client("bedrock", "eu-west-1")
    summaries = bedrock.list_foundation_models(byProvider="Anthropic")["modelSummaries"]
    assert [s["modelId"] for s in summaries] == [m for m, _ in ANTHROPIC_MODELS]
    output = botocore.session.get_session().get_service_model("bedrock").operation_model("GetFoundationModelAvailability").output_shape
    answer = bedrock.get_foundation_model_availability(modelId=SONNET)
    assert set(answer) - {"ResponseMetadata"} == set(output.members)
    with pytest.raises(bedrock.exceptions.ResourceNotFoundException):
        bedrock.get_foundation_model_availability(modelId="meta.llama3-70b-instruct-v1:0")


def test_every_allowed_model_available_passes(emulator):
    results = model_access(emulator)
    assert {k: r.status for k, r in results.items()} == {
        "region.model-access.us-east-1": Status.PASSED, "region.model-access.eu-west-1": Status.PASSED}


def test_a_model_whose_agreement_is_not_accepted_is_named_with_the_fix(emulator):
    set_availability(ACCOUNT, "eu-west-1", SONNET, agreement="NOT_AVAILABLE", authorization="NOT_AUTHORIZED")
    results = model_access(emulator)
    assert results["region.model-access.us-east-1"].status is Status.PASSED, "only that region is affected"
    blocked = results["region.model-access.eu-west-1"]
    assert blocked.status is Status.WARNING, "the other models stay usable"
    assert f"{SONNET}: agreement NOT_AVAILABLE, authorizationStatus NOT_AUTHORIZED" in blocked.evidence
    assert "1 of 6 allowed model(s) not usable in eu-west-1" in blocked.evidence
    assert "create-foundation-model-agreement" in blocked.remediation
    assert "aws-marketplace:Subscribe" in blocked.remediation


def test_a_model_not_offered_in_the_region_points_at_cross_region_profiles(emulator):
    set_availability(ACCOUNT, "us-east-1", OPUS, region="NOT_AVAILABLE")
    blocked = model_access(emulator, allowed_model_patterns=["anthropic.claude-opus-*"])["region.model-access.us-east-1"]
    assert blocked.status is Status.FAILED, "no allowed model is usable there"
    assert f"{OPUS}: regionAvailability NOT_AVAILABLE" in blocked.evidence
    assert "cross-region inference profile" in blocked.remediation


def test_a_region_without_allowed_models_is_not_checked(emulator):
    results = model_access(emulator, allowed_model_patterns=["anthropic.claude-instant-*"])
    assert all(r.status is Status.NOT_CHECKED for r in results.values())
