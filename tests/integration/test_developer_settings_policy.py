"""`bcce claude-code settings` from a stack Terraform applied on the emulator: every model id and
region it writes is allowed by the deployed policy document (tests/support/iam_eval.py), with the
guardrail the settings attach; a model the policy denies is never written; a second run leaves the
file byte-identical and keeps the keys bcce does not own.

provider 3.39 has no Bedrock guardrail resource: the guardrail ARN and version reach the
bedrock-access module through a Terraform override file, and the test adds the same two values as
the guardrails component's outputs (guardrail_arn, guardrail_version) would.
"""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run
from bcce_tf.developer import models
from tests.support.iam_eval import Request, authorizing_action, evaluate
from tests.support.stack import DEVELOPER_MODEL_PATTERNS, GUARDRAIL_ACCOUNT, deploy_guarded_bedrock_access, guardrail_arn

pytestmark = pytest.mark.integration

ACCOUNT = GUARDRAIL_ACCOUNT
GUARDRAIL_ARN = guardrail_arn()
PATTERNS = DEVELOPER_MODEL_PATTERNS


@pytest.fixture(scope="module")
def deployed(moto_server, provider_mirror, tmp_path_factory):
    return deploy_guarded_bedrock_access(moto_server, provider_mirror, tmp_path_factory.mktemp("settings"), ["us-east-1", "eu-west-1"])


def write_project(tmp_path, config, outputs):
    (tmp_path / "bcce.json").write_text(json.dumps(config.model_dump(mode="json", exclude_defaults=True)), encoding="utf-8")
    saved = {f"{config.stack_name}-{region}": {**outputs, "region": region} for region in config.regions}
    (tmp_path / "outputs.json").write_text(json.dumps(saved), encoding="utf-8")


@pytest.mark.parametrize(("region", "prefix"), [("us-east-1", "us."), ("eu-west-1", "eu.")])
def test_every_model_and_region_written_is_allowed_by_the_deployed_policy(deployed, tmp_path, monkeypatch, region, prefix):
    config, outputs = deployed
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path, config, outputs)
    target = tmp_path / "home" / ".claude" / "settings.json"
    assert run(["claude-code", "settings", "--region", region, "--from-outputs", "outputs.json", "--out", str(target)]) == 0
    env = json.loads(target.read_text())["env"]
    policy = json.loads(outputs["bedrock_access_policy_json"])
    assert env["AWS_REGION"] == region
    header = dict(line.split(": ", 1) for line in env["ANTHROPIC_CUSTOM_HEADERS"].split("\n"))
    context = {"bedrock:GuardrailIdentifier": f"{header['X-Amzn-Bedrock-GuardrailIdentifier']}:{header['X-Amzn-Bedrock-GuardrailVersion']}",
               "aws:RequestedRegion": region}
    written = {k: v for k, v in env.items() if k.startswith("ANTHROPIC_") and k.endswith("_MODEL")}
    assert set(written) == {"ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL"}
    for profile_id in written.values():
        assert profile_id.startswith(prefix)
        arn = models.profile_arn("aws", region, ACCOUNT, profile_id)
        for operation in ("bedrock:Converse", "bedrock:ConverseStream", "bedrock:InvokeModel"):
            assert evaluate(policy, Request(authorizing_action(operation), arn, context)).allowed, (operation, profile_id)
        # Without the guardrail header the same call is refused: the header is what makes it pass.
        assert not evaluate(policy, Request("bedrock:InvokeModel", arn, {"aws:RequestedRegion": region})).allowed
    # Opus is outside allowed_model_patterns: the policy denies it, so no opus id is written.
    for model in (m for m in models.CATALOGUE if m.tier == "opus"):
        arn = models.profile_arn("aws", region, ACCOUNT, f"{prefix}{model.model_id}")
        assert not evaluate(policy, Request("bedrock:InvokeModel", arn, context)).allowed
    assert "ANTHROPIC_DEFAULT_OPUS_MODEL" not in env


def test_merge_keeps_foreign_keys_backs_up_and_a_second_run_changes_nothing(deployed, tmp_path, monkeypatch, capsys):
    config, outputs = deployed
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    write_project(tmp_path, config, outputs)
    target = tmp_path / "home" / ".claude" / "settings.json"
    target.parent.mkdir(parents=True)
    original = json.dumps({"theme": "dark", "env": {"MY_VAR": "x", "AWS_REGION": "ap-south-1"}}, indent=4)
    target.write_text(original)
    assert run(["claude-code", "settings", "--from-outputs", "outputs.json"]) == 0
    first = target.read_bytes()
    merged = json.loads(first)
    assert merged["theme"] == "dark" and merged["env"]["MY_VAR"] == "x" and merged["env"]["AWS_REGION"] == "us-east-1"
    assert merged["awsAuthRefresh"] == f"aws sso login --profile {merged['env']['AWS_PROFILE']}"
    backups = list(target.parent.glob("settings.json.*.bak"))
    assert [b.read_text() for b in backups] == [original]
    capsys.readouterr()
    assert run(["claude-code", "settings", "--from-outputs", "outputs.json"]) == 0
    assert target.read_bytes() == first
    assert "up to date" in capsys.readouterr().out
    assert len(list(target.parent.glob("settings.json.*.bak"))) == 1


def test_a_broken_settings_file_is_left_alone_with_one_line(deployed, tmp_path, monkeypatch, capsys):
    config, outputs = deployed
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path, config, outputs)
    target = tmp_path / "s.json"
    target.write_text("{not json")
    assert run(["claude-code", "settings", "--from-outputs", "outputs.json", "--out", str(target)]) == 3
    assert target.read_text() == "{not json"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not valid JSON" in err[0]
