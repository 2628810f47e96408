"""Several accounts on the emulator: moto keeps accounts apart by the credentials AssumeRole
returns, so each target's Terraform (a child process of its own) works in its own account."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode

pytestmark = pytest.mark.integration

ACCOUNTS = ("111111111111", "222222222222")


@pytest.fixture()
def project(tmp_path, monkeypatch, provider_mirror):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    return tmp_path


def write_config(project, *, accounts=ACCOUNTS, role="bcce-deploy", regions=("us-east-1",)):
    data = {
        "organization_id": "acme", "regions": list(regions), "components": ["security"],
        "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
        "targets": [{"account_id": a, "role_arn": f"arn:aws:iam::{a}:role/{role}"} for a in accounts],
    }
    (project / "bcce.json").write_text(json.dumps(data))


def account_client(emulator, account, service, region="us-east-1"):
    """A client in `account`, with the credentials AssumeRole gives there (as bcce's child has)."""
    import boto3

    creds = emulator.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/check",
                                               RoleSessionName="check")["Credentials"]
    return boto3.client(service, region_name=region, endpoint_url=emulator.url, aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def test_two_accounts_plan_in_parallel_with_a_table(project, emulator, capsys):
    write_config(project)
    url = ["--endpoint-url", emulator.url]
    assert run([*url, "--parallelism", "2", "plan", "--force", "--json", "--detailed-exitcode"]) == ExitCode.CHANGES_PRESENT
    report = json.loads(capsys.readouterr().out)
    assert report["parallelism"] == 2 and report["exit_code"] == 2
    rows = {row["target"]: row for row in report["targets"]}
    assert set(rows) == {f"{a}/us-east-1" for a in ACCOUNTS}
    for account in ACCOUNTS:
        row = rows[f"{account}/us-east-1"]
        assert row["result"] == "changes" and row["exit_code"] == 2 and row["changed"] >= 10
        summary = row["summaries"][0]
        assert "module.security.aws_kms_key.stack" in [c["address"] for c in summary["changes"]]
        # Its own root, its own plan file, its own log.
        assert (project / f".bcce/stacks/bcce-{account}-us-east-1/bcce.tfplan").exists()
        log = Path(row["log"])
        assert log.parent == project / ".bcce" / "runs" / log.parent.name
        assert f"target {account}/us-east-1: assumed arn:aws:iam::{account}:role/bcce-deploy" in log.read_text()
    assert rows[f"{ACCOUNTS[0]}/us-east-1"]["log"] != rows[f"{ACCOUNTS[1]}/us-east-1"]["log"]

    # The run's JSON, and one target's own plan summary, merge into one report.
    (project / "run.json").write_text(json.dumps(report))
    (project / "one.json").write_text((project / f".bcce/stacks/bcce-{ACCOUNTS[0]}-us-east-1/bcce-plan-summary.json").read_text())
    assert run(["report", "merge", "run.json", "one.json", "--junit", "merged.xml"]) == 0
    markdown = capsys.readouterr().out
    add = rows[f"{ACCOUNTS[0]}/us-east-1"]["summaries"][0]["add"]
    assert f"| 📝 | `{ACCOUNTS[0]}/us-east-1` | changes | {add} | 0 | 0 |" in markdown
    assert f"| 📝 | `one` | changes | {add} | 0 | 0 |" in markdown
    assert '<testsuites name="bcce targets" tests="3" failures="0"' in (project / "merged.xml").read_text()


def test_apply_then_each_account_holds_only_its_own_and_a_failed_target_fails_alone(project, emulator, capsys):
    write_config(project, regions=("us-east-1", "eu-west-1"))
    url = ["--endpoint-url", emulator.url]
    assert run([*url, "--parallelism", "4", "apply", "--auto-approve", "--force"]) == 0
    table = capsys.readouterr().out
    labels = [f"{a}/{r}" for a in ACCOUNTS for r in ("us-east-1", "eu-west-1")]
    assert all(label in table for label in labels), table
    for account in ACCOUNTS:
        names = [b["Name"] for b in account_client(emulator, account, "s3").list_buckets()["Buckets"]]
        assert names and all(account in name for name in names), names
        for region in ("us-east-1", "eu-west-1"):
            assert any(f"-{region}-" in name for name in names), (region, names)
            keys = account_client(emulator, account, "kms", region).list_keys()["Keys"]
            assert keys, f"a KMS key in {account}/{region}"
    assert emulator.client("s3").list_buckets()["Buckets"] == [], "the caller's own account stays empty"

    # A target that cannot be reached (its profile does not exist) fails; the others still plan.
    data = json.loads((project / "bcce.json").read_text())
    data["targets"].append({"account_id": "333333333333", "profile": "no-such-profile", "regions": ["us-east-1"]})
    (project / "bcce.json").write_text(json.dumps(data))
    code = run([*url, "--parallelism", "4", "plan", "--force", "--json", "--detailed-exitcode"])
    rows = {row["target"]: row for row in json.loads(capsys.readouterr().out)["targets"]}
    for label in labels:
        assert rows[label]["exit_code"] == 0, f"a second plan of {label} is empty"
    failed = rows["333333333333/us-east-1"]
    assert failed["result"] == "failed" and failed["exit_code"] == ExitCode.TARGET_UNREACHABLE
    assert "no-such-profile" in failed["error"]
    assert code == ExitCode.TARGET_UNREACHABLE


def test_drift_in_one_account_is_reported_for_that_target_only(project, emulator, capsys):
    write_config(project)
    url = ["--endpoint-url", emulator.url]
    assert run([*url, "drift"]) == ExitCode.NOTHING_DEPLOYED, "nothing deployed anywhere yet"
    assert "nothing deployed" in capsys.readouterr().out
    assert run([*url, "apply", "--auto-approve", "--force"]) == 0
    capsys.readouterr()
    code = run([*url, "drift", "--format", "json"])
    rows = json.loads(capsys.readouterr().out)["targets"]
    assert code == 0 and {row["result"] for row in rows} == {"ok"}, [row.get("drifted") for row in rows]

    # Behind bcce's back, in the second account: versioning suspended, a tag changed.
    s3 = account_client(emulator, ACCOUNTS[1], "s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].endswith("-trail"))
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    tags = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [*tags, {"Key": "changed-by", "Value": "hand"}]})

    assert run([*url, "drift", "--format", "json"]) == ExitCode.CHANGES_PRESENT
    rows = {row["target"]: row for row in json.loads(capsys.readouterr().out)["targets"]}
    assert rows[f"{ACCOUNTS[0]}/us-east-1"]["result"] == "ok" and rows[f"{ACCOUNTS[0]}/us-east-1"]["drifted"] == []
    second = rows[f"{ACCOUNTS[1]}/us-east-1"]
    assert second["result"] == "drift" and second["exit_code"] == ExitCode.CHANGES_PRESENT
    changed = {item["address"]: {a["name"]: a for a in item["attributes"]} for item in second["drifted"]}
    trail = next(attrs for address, attrs in changed.items() if "tags" in attrs)
    assert trail["tags"]["after"]["changed-by"] == "hand" and "changed-by" not in (trail["tags"]["before"] or {})
    assert trail["versioning"]["before"] != trail["versioning"]["after"]

    assert run([*url, "drift"]) == ExitCode.CHANGES_PRESENT
    text = capsys.readouterr().out
    assert f"{ACCOUNTS[0]}/us-east-1: in sync" in text
    assert f"{ACCOUNTS[1]}/us-east-1: 1 resource(s) changed outside Terraform" in text
    assert '"changed-by": "hand"' in text
