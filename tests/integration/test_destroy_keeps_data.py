"""Destroy on the emulator: the data buckets, log group and their KMS key are kept by default and
listed; --delete-data empties the buckets and deletes everything, the key last."""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run
from tests.support.fault_proxy import FaultProxy

pytestmark = pytest.mark.integration

CONFIG = {"organization_id": "acme", "regions": ["us-east-1"], "components": ["security"],
          "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7}}


def live_keys(emulator):
    kms = emulator.client("kms")
    return [k["KeyId"] for k in kms.list_keys()["Keys"]
            if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
            and kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyManager"] == "CUSTOMER"]


def test_destroy_keeps_data_then_delete_data_removes_it_key_last(tmp_path, monkeypatch, provider_mirror, emulator, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    monkeypatch.setenv("BCCE_PUBLISH_METRICS", "0")
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    url = ["--endpoint-url", emulator.url]
    assert run([*url, "apply", "--auto-approve", "--force"]) == 0
    s3 = emulator.client("s3")
    buckets = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    assert len(buckets) == 2
    for name in buckets:
        # The buckets admit TLS only; the emulator speaks plain HTTP, so the policy steps aside meanwhile.
        policy = s3.get_bucket_policy(Bucket=name)["Policy"]
        s3.delete_bucket_policy(Bucket=name)
        for i in range(3):
            s3.put_object(Bucket=name, Key=f"k{i}", Body=b"x" * 10)
        s3.delete_object(Bucket=name, Key="k0")  # a delete marker on a versioned bucket
        s3.put_bucket_policy(Bucket=name, Policy=policy)
    capsys.readouterr()

    assert run([*url, "destroy", "--auto-approve"]) == 0
    out = capsys.readouterr().out
    assert sorted(b["Name"] for b in s3.list_buckets()["Buckets"]) == buckets
    assert len(live_keys(emulator)) == 1, "the key the kept data is encrypted with stays"
    assert emulator.client("logs").describe_log_groups(logGroupNamePrefix="/bcce/")["logGroups"]
    assert emulator.client("cloudtrail").describe_trails()["trailList"] == []
    assert "3 object versions" in out and "module.security.aws_kms_key.stack" in out, out
    retained = json.loads((tmp_path / ".bcce/stacks/bcce-us-east-1/bcce-retained.json").read_text())
    assert {"aws_s3_bucket", "aws_kms_key", "aws_cloudwatch_log_group"} <= {r["type"] for r in retained["retained"]}

    assert run([*url, "destroy", "--auto-approve"]) == 0, "a second destroy has nothing more to do"
    assert "nothing to destroy besides the retained resources" in capsys.readouterr().out

    with FaultProxy(emulator.url) as proxy:
        assert run(["--endpoint-url", proxy.url, "destroy", "--auto-approve", "--delete-data"]) == 0
        seen = list(proxy.seen)
    assert s3.list_buckets()["Buckets"] == []
    assert live_keys(emulator) == []
    labels = [e.label for e in seen]
    bucket_deletes = [i for i, label in enumerate(labels) if label.startswith("s3:DELETE /") and "?" not in label
                      and label.count("/") == 1]
    key_deletion = [i for i, label in enumerate(labels) if label == "kms:ScheduleKeyDeletion"]
    assert bucket_deletes and key_deletion, labels
    assert max(bucket_deletes) < min(key_deletion), "the key is scheduled for deletion only after every bucket is gone"
    capsys.readouterr()
    assert run([*url, "destroy", "--auto-approve", "--delete-data"]) == 0
    assert "nothing to destroy" in capsys.readouterr().out
