"""bcce.json validation: every problem names the file, the field and what is allowed."""

from __future__ import annotations

import json

import pytest

from bcce_tf.config import Config, find_config, load_config, parse_config
from bcce_tf.errors import ConfigError
from bcce_tf.exit_codes import ExitCode


def problem(data, tmp_path) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(data, tmp_path / "bcce.json")
    assert info.value.exit_code == ExitCode.CONFIG_INVALID
    return str(info.value)


def test_defaults_are_valid_and_enable_the_platform():
    config = Config()
    assert config.enabled_components() == (
        "security", "network", "analytics", "monitoring", "bedrock-access", "identity", "guardrails")


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"organization_id": 'x"}${file("/etc/passwd")}'}, "organization_id", "at most 20"),
        ({"organization_id": "${file(\"a\")}"}, "organization_id", "pattern"),
        ({"regions": ["mars-1"]}, "regions", "not an AWS region"),
        ({"regions": ["us-east-1", "us-east-1"]}, "regions", "must not repeat"),
        ({"auth": "saml"}, "auth", "'identity-center' or 'cognito-oidc'"),
        ({"colour": "blue"}, "colour", "unknown field"),
        ({"log_retention_days": 42}, "log_retention_days", "CloudWatch Logs accepts"),
        ({"backend": {"type": "s3", "bucket": "Bad_Bucket"}}, "backend.bucket", "pattern"),
        ({"users": 0}, "users", "greater than or equal to 1"),
        ({"components": ["everything"]}, "components", "unknown component"),
        ({"tags": {"Owner": "${var.x}"}}, "tags", "value"),
        ({"monitoring": {"alarm_email": "a\"@b.com"}}, "monitoring.alarm_email", "pattern"),
    ],
)
def test_invalid_values_name_file_field_and_rule(tmp_path, data, field, words):
    message = problem(data, tmp_path)
    assert message.startswith(f"{tmp_path / 'bcce.json'}: field '{field}'")
    assert words in message


def test_combination_that_cannot_work(tmp_path):
    assert "needs cognito.issuer_url" in problem({"auth": "cognito-oidc"}, tmp_path)


def test_names_too_long_for_buckets(tmp_path):
    message = problem({"stack_name": "a" * 20, "organization_id": "b" * 20}, tmp_path)
    assert "too long for S3 bucket names" in message


def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "bcce.json"
    path.write_text('{"regions": ["us-east-1",]}')
    with pytest.raises(ConfigError, match=r"bcce.json: not valid JSON: .* line 1 column"):
        load_config(path)


def test_missing_file_says_how_to_create_one(tmp_path):
    with pytest.raises(ConfigError, match="bcce init"):
        load_config(tmp_path / "bcce.json")


def test_top_level_must_be_an_object(tmp_path):
    assert "JSON object" in problem(["us-east-1"], tmp_path)


def test_reads_the_earlier_cli_config(tmp_path):
    legacy = {
        "version": "0.1.0", "auth": "identity-center", "regions": ["us-west-2", "eu-west-1"],
        "guardrails": False, "privatelink": True,
        "metadata": {"created": "2025-01-01", "updated": "2025-01-02"},
        "terraform_backend": {"bucket": "acme-tf-state", "region": "us-west-2", "key": "x"},
    }
    (tmp_path / ".bcce.config.json").write_text(json.dumps(legacy))
    path = find_config(None, tmp_path)
    config = load_config(path)
    assert path.name == ".bcce.config.json"
    assert (config.regions, config.guardrails, config.privatelink) == (["us-west-2", "eu-west-1"], False, True)
    assert (config.backend.type, config.backend.bucket, config.backend.region) == ("s3", "acme-tf-state", "us-west-2")


def test_bcce_json_wins_over_the_earlier_file(tmp_path):
    (tmp_path / ".bcce.config.json").write_text("{}")
    (tmp_path / "bcce.json").write_text("{}")
    assert find_config(None, tmp_path).name == "bcce.json"


def test_component_groups_and_switches():
    infra = Config(components=["infrastructure"])
    assert infra.enabled_components() == ("security", "network")
    no_pl = Config(components=["infrastructure"], privatelink=False)
    assert no_pl.enabled_components() == ("security",)
    gen3 = Config.model_validate({"provider": {"generation": 3}})
    assert "guardrails" not in gen3.enabled_components() and gen3.guardrails_unsupported()
