"""`bcce doctor --component orphans` on the emulator, with real Terraform through the fault proxy:
a KMS CreateKey whose response is lost (forwarded, then the connection reset) makes the retried
apply create a second key; the first carries the stack's tags but is in no state, and doctor names
it with the command that deletes it. A resource with only some of the stack's tags is not named."""

from __future__ import annotations

import json

import pytest

from bcce_tf.__main__ import run
from tests.support.fault_proxy import FaultProxy

pytestmark = pytest.mark.integration

CONFIG = {"organization_id": "acme", "regions": ["us-east-1"], "components": ["security"],
          "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True}}


def orphan_results(url: str, capsys) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = run(["--endpoint-url", url, "doctor", "--component", "orphans", "--json"])
    return code, json.loads(capsys.readouterr().out)["health"]["checks"]


def test_doctor_names_the_key_a_lost_create_response_left_behind(tmp_path, monkeypatch, provider_mirror, emulator, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    for name, value in {"BCCE_PUBLISH_METRICS": "0", "BCCE_RETRY_INITIAL_WAIT": "0.2", "BCCE_RETRY_MAX_WAIT": "0.5"}.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "bcce.json").write_text(json.dumps(CONFIG))
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket="someone-elses")  # Stack=bcce but not ManagedBy=bcce: not the stack's
    s3.put_bucket_tagging(Bucket="someone-elses", Tagging={"TagSet": [{"Key": "Stack", "Value": "bcce"}]})

    with FaultProxy(emulator.url) as proxy:
        proxy.add_rule("kms:CreateKey", "reset-after-forward", times=1)
        assert run(["--endpoint-url", proxy.url, "apply", "--auto-approve", "--force"]) == 0
        assert proxy.count("kms:CreateKey") == 2, "the retried apply created the key again"

    kms = emulator.client("kms")
    state = json.loads((tmp_path / ".bcce/stacks/bcce-us-east-1/terraform.tfstate").read_text())
    managed = {i["attributes"]["arn"] for r in state["resources"] if r["type"] == "aws_kms_key" for i in r["instances"]}
    [orphan] = [k["KeyArn"] for k in kms.list_keys()["Keys"] if k["KeyArn"] not in managed]

    code, [result] = orphan_results(emulator.url, capsys)
    assert code == 0 and result["status"] == "degraded", result
    assert "1 resource(s) tagged by this stack are in no state" in result["evidence"]
    assert f"{orphan} (aws kms schedule-key-deletion --key-id {orphan.rsplit('/', 1)[1]})" in result["evidence"]
    assert "someone-elses" not in result["evidence"]
    assert "terraform import" in result["fix"]
