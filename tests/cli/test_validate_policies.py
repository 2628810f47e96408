"""`bcce validate` names a misspelt action or condition key in a root on disk, file and line."""

from __future__ import annotations

import json

from bcce_tf.__main__ import run
from bcce_tf.config import Config
from bcce_tf.exit_codes import ExitCode
from bcce_tf.render import RenderOptions, StackTarget, render_stack


def rendered_root(tmp_path):  # noqa: ANN001, ANN201
    config = Config.model_validate({"components": ["security", "network", "bedrock-access"]})
    return render_stack(config, StackTarget("bcce", "us-east-1"), tmp_path, RenderOptions()).directory


def test_a_rendered_root_is_valid(tmp_path, capsys):
    root = rendered_root(tmp_path)
    assert run(["validate", str(root)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "iam-policies:" in out and "0 finding(s)" in out
    assert "provider-schema: " in out and "hashicorp/aws 6.25.0 block(s)" in out


def test_a_misspelt_argument_is_named_with_file_and_line(tmp_path, capsys):
    root = rendered_root(tmp_path)
    module = root / "modules" / "network" / "main.tf"
    text = module.read_text()
    module.write_text(text.replace("vpc_endpoint_type =", "vpc_endpont_type =", 1))
    line = text[:text.index("vpc_endpoint_type =")].count("\n") + 1
    assert run(["validate", str(root)]) == ExitCode.CONFIG_INVALID
    err = capsys.readouterr().err
    assert f"modules/network/main.tf:{line}: aws_vpc_endpoint.s3: unknown argument 'vpc_endpont_type' " \
           "(did you mean 'vpc_endpoint_type'?)" in err


def test_without_the_schema_the_check_says_not_checked(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BCCE_SCHEMA_DIR", str(tmp_path / "empty-cache"))
    root = rendered_root(tmp_path)
    assert run(["validate", str(root)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "provider-schema: not checked (hashicorp/aws 6.25.0 schema unavailable: no provider schema" in out


def test_misspelt_action_and_condition_key_are_named_with_file_and_line(tmp_path, capsys):
    root = rendered_root(tmp_path)
    module = root / "modules" / "bedrock-access" / "main.tf"
    text = module.read_text()
    text = text.replace('"bedrock:GetFoundationModel"', '"bedrock:GetFoundationModle"')
    text = text.replace('"aws:RequestedRegion"', '"aws:RequestedRegoin"')
    module.write_text(text)
    assert run(["validate", str(root)]) == ExitCode.CONFIG_INVALID
    err = capsys.readouterr().err
    line = next(i for i, l in enumerate(text.splitlines(), 1) if 'data "aws_iam_policy_document" "bedrock"' in l)
    assert f"modules/bedrock-access/main.tf:{line}: data.aws_iam_policy_document.bedrock: statement DescribeClaudeModels: " \
           "action 'bedrock:GetFoundationModle' does not exist in service 'bedrock'" in err
    assert "condition key 'aws:RequestedRegoin' (StringEquals) does not exist" in err
    assert "validate: 2 finding(s)" in err


def test_a_json_policy_in_a_heredoc_is_checked(tmp_path, capsys):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Typo", "Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b/*"}]}, indent=2)
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  name   = "p"\n  policy = <<EOT\n' + policy + '\nEOT\n}\n')
    assert run(["validate", str(tmp_path)]) == ExitCode.CONFIG_INVALID
    assert "main.tf:1: aws_iam_policy.p.policy: statement Typo: action 's3:GetObjekt' does not exist" in capsys.readouterr().err


def test_not_a_root_is_bad_usage(tmp_path, capsys):
    assert run(["validate", str(tmp_path / "missing")]) == ExitCode.USAGE
    assert "is not a folder" in capsys.readouterr().err
    assert run(["validate", str(tmp_path)]) == ExitCode.USAGE
    assert "holds no .tf files" in capsys.readouterr().err


def test_a_file_the_parser_rejects_is_a_finding(tmp_path, capsys):
    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = \n')
    assert run(["validate", str(tmp_path)]) == ExitCode.CONFIG_INVALID
    assert "broken.tf: not valid HCL" in capsys.readouterr().err
