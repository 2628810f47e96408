"""`bcce claude-code profile`: the AWS profile written into the AWS config file from the stack outputs."""

from __future__ import annotations

import json
import stat

from bcce_tf.__main__ import run
from bcce_tf.config import Config
from bcce_tf.exit_codes import ExitCode

OUTPUTS = {"account_id": "123456789012", "identity_user_pool_id": "us-east-1_AbC123",
           "identity_user_pool_client_id": "3n4b5urk1ft4fl3mg5e62hlh4s",
           "identity_pool_id": "us-east-1:01234567-89ab-cdef-0123-456789abcdef"}


def project(tmp_path, monkeypatch, config: Config) -> None:
    (tmp_path / "bcce.json").write_text(json.dumps(config.model_dump(mode="json", exclude_defaults=True)), encoding="utf-8")
    (tmp_path / "outputs.json").write_text(json.dumps({f"{config.stack_name}-us-east-1": OUTPUTS}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)


def test_identity_center_profile_is_written_once_and_then_left_alone(tmp_path, monkeypatch, capsys):
    project(tmp_path, monkeypatch, Config(organization_id="acme", regions=["us-east-1"]))
    target = tmp_path / "aws-config"
    target.write_text("[default]\nregion = us-east-2\n", encoding="utf-8")
    args = ["claude-code", "profile", "--aws-profile", "claude", "--from-outputs", "outputs.json",
            "--sso-start-url", "https://d-1234567890.awsapps.com/start", "--config-file", str(target)]
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "profile claude written (previous file kept as" in out and "aws sso login --profile claude" in out
    text = target.read_text(encoding="utf-8")
    assert text.startswith("[default]\nregion = us-east-2\n\n[sso-session claude]\n")
    assert "[profile claude]\nsso_session = claude\nsso_account_id = 123456789012\nsso_role_name = ClaudeCodeBedrock\nregion = us-east-1\n" in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert run(args) == 0
    assert "profile claude up to date" in capsys.readouterr().out
    assert target.read_text(encoding="utf-8") == text


def test_identity_center_without_a_start_url_is_one_line(tmp_path, monkeypatch, capsys):
    project(tmp_path, monkeypatch, Config(organization_id="acme", regions=["us-east-1"]))
    code = run(["claude-code", "profile", "--from-outputs", "outputs.json", "--config-file", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE and err.count("\n") == 1
    assert "--sso-start-url is required with auth identity-center" in err
    assert not (tmp_path / "c").exists()


def test_cognito_profile_has_the_credential_process(tmp_path, monkeypatch, capsys):
    config = Config(organization_id="acme", regions=["us-east-1"], auth="cognito-oidc",
                    cognito={"issuer_url": "https://idp.example.com", "client_id": "c"})
    project(tmp_path, monkeypatch, config)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws" / "config"))
    assert run(["claude-code", "profile", "--aws-profile", "claude", "--from-outputs", "outputs.json"]) == 0
    text = (tmp_path / "aws" / "config").read_text(encoding="utf-8")
    assert text == (
        "[profile claude]\n"
        "credential_process = bcce credentials --profile claude --region us-east-1 "
        "--issuer-url https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123 --client-id 3n4b5urk1ft4fl3mg5e62hlh4s "
        "--identity-pool-id us-east-1:01234567-89ab-cdef-0123-456789abcdef --redirect-uri http://localhost:8400/callback\n"
        "region = us-east-1\n"
    )
    assert run(["claude-code", "profile", "--from-outputs", "outputs.json", "--sso-start-url", "https://x.awsapps.com/start"]) == ExitCode.USAGE
    assert "--sso-start-url: only with auth identity-center" in capsys.readouterr().err
