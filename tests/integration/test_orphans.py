"""`bcce doctor --component orphans` on the emulator: after a real apply every tagged resource is in
the state; a resource with the stack's tags that the state does not know (made outside the state,
as a create whose answer was lost leaves it) is named, with how to delete it."""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run

pytestmark = pytest.mark.integration

CONFIG = {"organization_id": "acme", "regions": ["us-east-1"], "components": ["security"],
          "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True}}


def orphan_results(url: str, capsys) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = run(["--endpoint-url", url, "doctor", "--component", "orphans", "--json"])
    return code, json.loads(capsys.readouterr().out)["health"]["checks"]


def test_doctor_names_a_tagged_resource_the_state_does_not_know(tmp_path, monkeypatch, provider_mirror, emulator, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    monkeypatch.setenv("BCCE_PUBLISH_METRICS", "0")
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    url = emulator.url
    assert run(["--endpoint-url", url, "apply", "--auto-approve", "--force"]) == 0

    code, [result] = orphan_results(url, capsys)
    assert code == 0 and result["status"] == "healthy", result
    assert "every one is in a state" in result["evidence"]

    s3 = emulator.client("s3")
    s3.create_bucket(Bucket="bcce-acme-lost-create")
    s3.put_bucket_tagging(Bucket="bcce-acme-lost-create", Tagging={"TagSet": [
        {"Key": "ManagedBy", "Value": "bcce"}, {"Key": "Stack", "Value": "bcce"}, {"Key": "Organization", "Value": "acme"}]})
    s3.create_bucket(Bucket="someone-elses")  # untagged: not the stack's
    s3.put_bucket_tagging(Bucket="someone-elses", Tagging={"TagSet": [{"Key": "Stack", "Value": "bcce"}]})

    code, [result] = orphan_results(url, capsys)
    assert code == 0 and result["status"] == "degraded", result
    assert "1 resource(s) tagged by this stack are in no state" in result["evidence"]
    assert "arn:aws:s3:::bcce-acme-lost-create (aws s3 rb s3://bcce-acme-lost-create" in result["evidence"]
    assert "someone-elses" not in result["evidence"]
    assert "terraform import" in result["fix"]
