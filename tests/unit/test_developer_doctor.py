"""The checks of `bcce claude-code doctor`, fed what they read: precedence of the settings files,
the guardrail header, the claude command, credentials and the live model call."""

from __future__ import annotations

from bcce_tf.developer import doctor
from bcce_tf.developer.doctor import FAIL, NOT_CHECKED, OK, SettingsFile

GOOD_ENV = {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": "eu-west-1", "AWS_PROFILE": "dev",
            "ANTHROPIC_MODEL": "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"}


def test_managed_beats_local_beats_project_beats_user():
    files = [
        SettingsFile("user", "~/.claude/settings.json", {"env": {**GOOD_ENV, "AWS_REGION": "us-east-1"}, "awsAuthRefresh": "user"}),
        SettingsFile("project", ".claude/settings.json", {"env": {"AWS_REGION": "eu-central-1", "AWS_PROFILE": "proj"}}),
        SettingsFile("local", ".claude/settings.local.json", {"env": {"AWS_PROFILE": "mine"}}),
        SettingsFile("managed", "/etc/claude-code/managed-settings.json", {"env": {"AWS_REGION": "eu-west-1"}}),
    ]
    eff = doctor.effective(files)
    assert eff.env["AWS_REGION"] == "eu-west-1" and eff.origin["AWS_REGION"] == "managed"
    assert eff.env["AWS_PROFILE"] == "mine" and eff.origin["AWS_PROFILE"] == "local"
    assert eff.origin["ANTHROPIC_MODEL"] == "user" and eff.top["awsAuthRefresh"] == "user"
    check, _ = doctor.check_settings(files)
    assert check.status == OK and "AWS_REGION from managed" in check.detail and "AWS_PROFILE from local" in check.detail


def test_settings_failures_name_the_file_or_the_missing_keys():
    broken = SettingsFile("user", "/h/.claude/settings.json", {}, problem="is not valid JSON (line 1: Expecting value)")
    assert doctor.check_settings([broken])[0] == doctor.Check("settings", FAIL, "/h/.claude/settings.json: is not valid JSON (line 1: Expecting value)")
    missing = doctor.check_settings([SettingsFile("user", "u", {"env": {"AWS_REGION": "eu-west-1"}})])[0]
    assert missing.status == FAIL and "env lacks CLAUDE_CODE_USE_BEDROCK, AWS_PROFILE, ANTHROPIC_MODEL" in missing.detail
    assert doctor.check_settings([SettingsFile("user", "u", None)])[0].status == FAIL
    off = doctor.check_settings([SettingsFile("user", "u", {"env": {**GOOD_ENV, "CLAUDE_CODE_USE_BEDROCK": "0"}})])[0]
    assert off.status == FAIL and "not 1" in off.detail


def test_claude_on_path_or_not():
    assert doctor.check_claude(lambda name: None, lambda p: None).status == FAIL
    found = doctor.check_claude(lambda name: "/usr/bin/claude", lambda p: "2.0.14 (Claude Code)")
    assert found == doctor.Check("claude", OK, "/usr/bin/claude (2.0.14 (Claude Code))")


def test_credentials_check_reports_the_reason():
    def refuse(profile):
        raise RuntimeError("The config profile (dev) could not be found")

    assert doctor.check_credentials("dev", refuse).detail == "profile dev: The config profile (dev) could not be found"
    assert doctor.check_credentials("dev", lambda p: "arn:aws:sts::1:assumed-role/r/s").status == OK
    assert doctor.check_credentials(None, refuse).status == NOT_CHECKED


def test_live_model_call_carries_the_guardrail_and_reports_latency():
    env = {**GOOD_ENV, "ANTHROPIC_CUSTOM_HEADERS": "X-Amzn-Bedrock-GuardrailIdentifier: arn:aws:bedrock:eu-west-1:1:guardrail/abc\nX-Amzn-Bedrock-GuardrailVersion: 3"}
    calls = []
    ticks = iter([10.0, 10.25])
    check = doctor.check_model(env, True, lambda profile, region, **params: calls.append((profile, region, params)), clock=lambda: next(ticks))
    assert check.status == OK and check.detail.endswith("(guardrail on): answered in 250 ms")
    profile, region, params = calls[0]
    assert (profile, region) == ("dev", "eu-west-1")
    assert params["guardrailConfig"] == {"guardrailIdentifier": "arn:aws:bedrock:eu-west-1:1:guardrail/abc", "guardrailVersion": "3"}
    assert params["inferenceConfig"] == {"maxTokens": 1} and params["modelId"] == GOOD_ENV["ANTHROPIC_MODEL"]
    assert doctor.check_model(env, False, None).status == NOT_CHECKED

    def denied(*a, **k):
        raise RuntimeError("AccessDeniedException: not allowed")

    assert doctor.check_model(GOOD_ENV, True, denied).detail.endswith("AccessDeniedException: not allowed")
