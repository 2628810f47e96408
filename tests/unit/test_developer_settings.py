"""Claude Code settings from stack outputs: model choice under a policy, guardrail header, telemetry, merge."""

from __future__ import annotations

import json

import pytest

from bcce_tf.config import Config
from bcce_tf.developer import models, settings
from bcce_tf.errors import UsageError
from tests.support.iam_eval import Request, evaluate

ACCOUNT = "123456789012"
INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


def policy(regions: list[str], patterns: list[str]) -> dict:
    """The developer policy's invoke statement, as bedrock-access writes it."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "InvokeClaudeInConfiguredRegions", "Effect": "Allow", "Action": INVOKE,
        "Resource": [f"arn:aws:bedrock:{r}::foundation-model/{p}" for r in regions for p in patterns]
        + [f"arn:aws:bedrock:{r}:{ACCOUNT}:inference-profile/*.{p}" for r in regions for p in patterns],
    }]}


def outputs(region: str = "us-east-1", patterns: tuple[str, ...] = ("anthropic.claude-*",), **extra) -> dict:
    return {"account_id": ACCOUNT, "region": region,
            "bedrock_access_policy_json": json.dumps(policy([region], list(patterns))), **extra}


CONFIG = Config(organization_id="acme", guardrails=False)


@pytest.mark.parametrize(("region", "prefix"), [("us-east-1", "us."), ("us-west-2", "us."), ("eu-west-1", "eu."),
                                                ("eu-central-1", "eu."), ("ap-southeast-2", "apac.")])
def test_every_model_written_is_the_regions_geography_and_allowed(region, prefix):
    built = settings.build(outputs(region), CONFIG, region=region, profile="dev")
    env = built.settings["env"]
    written = {k: v for k, v in env.items() if k.startswith("ANTHROPIC_") and k.endswith("MODEL")}
    assert written and set(written) <= {"ANTHROPIC_MODEL", *settings.TIER_VARIABLES.values()}
    pol = json.loads(outputs(region)["bedrock_access_policy_json"])
    for value in written.values():
        assert value.startswith((prefix, "global."))
        arn = models.profile_arn("aws", region, ACCOUNT, value)
        for action in INVOKE:
            assert evaluate(pol, Request(action, arn)).allowed, value
    assert env["AWS_REGION"] == region and env["CLAUDE_CODE_USE_BEDROCK"] == "1" and env["AWS_PROFILE"] == "dev"


def test_us_east_1_picks_the_newest_model_of_each_tier():
    env = settings.build(outputs(), CONFIG, region="us-east-1", profile="dev").settings["env"]
    assert env["ANTHROPIC_DEFAULT_OPUS_MODEL"] == "us.anthropic.claude-opus-4-5-20251101-v1:0"
    assert env["ANTHROPIC_DEFAULT_SONNET_MODEL"] == "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert env["ANTHROPIC_DEFAULT_HAIKU_MODEL"] == "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert env["ANTHROPIC_MODEL"] == env["ANTHROPIC_DEFAULT_SONNET_MODEL"]


def test_a_model_the_policy_does_not_allow_is_never_written():
    built = settings.build(outputs(patterns=("anthropic.claude-sonnet-4-2*",)), CONFIG, region="us-east-1", profile="dev")
    env = built.settings["env"]
    assert env["ANTHROPIC_MODEL"] == "us.anthropic.claude-sonnet-4-20250514-v1:0"
    assert "ANTHROPIC_DEFAULT_OPUS_MODEL" not in env and "ANTHROPIC_DEFAULT_HAIKU_MODEL" not in env
    assert any("opus" in n for n in built.notes)


def test_an_explicit_deny_wins():
    pol = policy(["us-east-1"], ["anthropic.claude-*"])
    pol["Statement"].append({"Effect": "Deny", "Action": "bedrock:*", "Resource": "arn:aws:bedrock:*:*:inference-profile/*opus*"})
    chosen = models.choose(pol, "aws", "us-east-1", ACCOUNT)
    assert "opus" not in chosen and "sonnet" in chosen


def test_no_allowed_model_is_a_clear_error():
    with pytest.raises(UsageError, match="allows none of the Claude models"):
        settings.build(outputs(region="us-east-1") | {"bedrock_access_policy_json": json.dumps(policy(["eu-west-1"], ["anthropic.claude-*"]))},
                       CONFIG, region="us-east-1", profile="dev")


def test_missing_policy_output_names_the_output():
    with pytest.raises(UsageError, match="bedrock_access_policy_json"):
        settings.build({"account_id": ACCOUNT, "region": "us-east-1"}, CONFIG, region="us-east-1", profile="dev")


def test_guardrail_header_and_identity_center_refresh():
    arn = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:guardrail/gr0example1abc"
    built = settings.build(outputs(guardrail_arn=arn, guardrail_version="3"), Config(organization_id="acme"), region="us-east-1", profile="dev")
    assert built.settings["env"]["ANTHROPIC_CUSTOM_HEADERS"] == (
        f"X-Amzn-Bedrock-GuardrailIdentifier: {arn}\nX-Amzn-Bedrock-GuardrailVersion: 3")
    assert built.settings["awsAuthRefresh"] == "aws sso login --profile dev"


def test_guardrails_on_without_guardrail_output_writes_no_header_and_says_so():
    built = settings.build(outputs(), Config(organization_id="acme"), region="us-east-1", profile="dev")
    assert "ANTHROPIC_CUSTOM_HEADERS" not in built.settings["env"]
    assert any("guardrail" in n for n in built.notes)


def test_cognito_track_has_no_refresh_command():
    config = Config(organization_id="acme", auth="cognito-oidc", cognito={"issuer_url": "https://idp.example.com", "client_id": "c"})
    assert "awsAuthRefresh" not in settings.build(outputs(), config, region="us-east-1", profile="dev").settings


def test_telemetry_only_with_an_otlp_endpoint():
    assert not any(k.startswith(("OTEL_", "CLAUDE_CODE_ENABLE")) for k in settings.build(outputs(), CONFIG, region="us-east-1", profile="dev").settings["env"])
    env = settings.build(outputs(telemetry_otlp_endpoint="https://otel.example.com:4317"), CONFIG, region="us-east-1",
                         profile="dev", team="payments").settings["env"]
    assert env["CLAUDE_CODE_ENABLE_TELEMETRY"] == "1"
    assert env["OTEL_METRICS_EXPORTER"] == env["OTEL_LOGS_EXPORTER"] == "otlp"
    assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "grpc"
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "https://otel.example.com:4317"
    assert env["OTEL_RESOURCE_ATTRIBUTES"] == "organization=acme,team=payments"
    http = settings.build(outputs(telemetry_otlp_endpoint="https://otel.example.com:4318"), CONFIG, region="us-east-1", profile="dev")
    assert http.settings["env"]["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"


@pytest.mark.parametrize(("option", "value"), [("team", "a,b"), ("profile", "x y")])
def test_bad_team_or_profile_names_the_option(option, value):
    kwargs = {"profile": "dev", option: value}
    with pytest.raises(UsageError, match=f"--{'aws-profile' if option == 'profile' else option}"):
        settings.build(outputs(), CONFIG, region="us-east-1", **kwargs)


def test_merge_keeps_foreign_keys_drops_stale_owned_ones_and_is_stable():
    existing = {"theme": "dark", "env": {"FOO": "1", "OTEL_LOGS_EXPORTER": "otlp", "AWS_REGION": "eu-west-1"},
                "awsAuthRefresh": "old", "permissions": {"deny": ["Read(.env)"]}}
    owned = settings.build(outputs(), CONFIG, region="us-east-1", profile="dev").settings
    merged = settings.merge(existing, owned)
    assert merged["theme"] == "dark" and merged["permissions"] == {"deny": ["Read(.env)"]}
    assert merged["env"]["FOO"] == "1" and merged["env"]["AWS_REGION"] == "us-east-1"
    assert "OTEL_LOGS_EXPORTER" not in merged["env"]
    assert list(merged)[:2] == ["theme", "env"]
    assert json.dumps(settings.merge(merged, owned)) == json.dumps(merged)


def test_managed_paths_per_os():
    assert str(settings.settings_path("managed", "linux", None, None)) == "/etc/claude-code/managed-settings.json"
    assert str(settings.settings_path("managed", "macos", None, None)) == "/Library/Application Support/ClaudeCode/managed-settings.json"
    assert str(settings.settings_path("managed", "windows", None, None)) == r"C:\ProgramData\ClaudeCode\managed-settings.json"
    with pytest.raises(UsageError, match="--os must be one of linux, macos, windows"):
        settings.settings_path("managed", "bsd", None, None)
