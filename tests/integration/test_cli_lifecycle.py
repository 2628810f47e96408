"""The whole CLI cycle against the emulator, offline: S3 backend with DynamoDB lock, plan file,
apply, a second plan with nothing to do, outputs, destroy leaving nothing behind."""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode

pytestmark = pytest.mark.integration


@pytest.fixture()
def project(tmp_path, monkeypatch, provider_mirror):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    return tmp_path


def config(**extra):
    data = {
        "organization_id": "acme", "regions": ["us-east-1"], "components": ["security"],
        "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
        "backend": {"type": "s3", "bucket": "acme-bcce-state", "lock_table": "acme-bcce-locks"},
    }
    data.update(extra)
    return data


def test_s3_backend_plan_apply_output_destroy(project, emulator, capsys):
    (project / "bcce.json").write_text(json.dumps(config()))
    url = ["--endpoint-url", emulator.url]

    assert run([*url, "state", "bootstrap"]) == 0
    s3 = emulator.client("s3")
    assert s3.get_bucket_versioning(Bucket="acme-bcce-state")["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket="acme-bcce-state")["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert run([*url, "state", "bootstrap"]) == 0, "bootstrap must be idempotent"
    capsys.readouterr()

    assert run([*url, "plan", "--force", "--json", "--detailed-exitcode"]) == ExitCode.CHANGES_PRESENT
    summary = json.loads(capsys.readouterr().out)[0]
    assert summary["add"] >= 10 and summary["destroy"] == 0
    assert "module.security.aws_kms_key.stack" in [c["address"] for c in summary["changes"]]
    saved = json.loads((project / ".bcce/stacks/bcce-us-east-1/bcce-plan-summary.json").read_text())
    assert saved["add"] == summary["add"]

    assert run([*url, "apply", "--force"]) == 0
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="acme-bcce-state").get("Contents", [])]
    assert keys == ["bcce/bcce/us-east-1/terraform.tfstate"]
    assert not (project / ".bcce/stacks/bcce-us-east-1/terraform.tfstate").exists()
    assert emulator.client("dynamodb").describe_table(TableName="acme-bcce-locks")["Table"]["TableStatus"] == "ACTIVE"

    assert run([*url, "apply", "--force"]) == ExitCode.USAGE, "the saved plan was used up"
    capsys.readouterr()
    assert run([*url, "plan", "--force", "--detailed-exitcode"]) == 0, "second plan must show no changes"

    capsys.readouterr()
    assert run([*url, "output", "--json"]) == 0
    outputs = json.loads(capsys.readouterr().out)["bcce-us-east-1"]
    assert outputs["audit_bucket"] == "bcce-acme-123456789012-us-east-1-trail"

    assert run([*url, "destroy", "--auto-approve", "--delete-data"]) == 0
    names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert names == {"acme-bcce-state"}, "only the state bucket may remain"
    assert emulator.client("logs").describe_log_groups(logGroupNamePrefix="/bcce/")["logGroups"] == []


def test_local_state_and_detailed_exitcode(project, emulator, capsys):
    data = config()
    del data["backend"]
    (project / "bcce.json").write_text(json.dumps(data))
    url = ["--endpoint-url", emulator.url]
    assert run([*url, "apply", "--auto-approve", "--force"]) == 0
    assert (project / ".bcce/stacks/bcce-us-east-1/terraform.tfstate").exists()
    assert run([*url, "plan", "--force", "--detailed-exitcode"]) == 0
    # A change made outside Terraform shows up as a change to make.
    emulator.client("logs").put_retention_policy(logGroupName="/bcce/bcce-acme/audit", retentionInDays=1)
    assert run([*url, "plan", "--force", "--detailed-exitcode"]) == ExitCode.CHANGES_PRESENT
    assert run([*url, "destroy", "--auto-approve", "--delete-data"]) == 0
