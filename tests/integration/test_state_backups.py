"""State backups with real Terraform against the emulator, local and S3 backend: a copy before
every apply and destroy, `bcce state backups` lists them, `bcce state restore` brings one back
and is refused (exit 26, nothing written) while another Terraform run holds the state lock."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bcce_tf.__main__ import run
from bcce_tf.exit_codes import ExitCode
from tests.conftest import terraform_env

pytestmark = pytest.mark.integration

STACK = Path(".bcce/stacks/bcce-us-east-1")
CONFIG = {"organization_id": "acme", "regions": ["us-east-1"], "components": ["security"],
          "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True}}
S3_BACKEND = {"type": "s3", "bucket": "acme-bcce-state", "lock_table": "acme-bcce-locks"}


@pytest.fixture()
def project(tmp_path, monkeypatch, provider_mirror, emulator):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BCCE_MIRROR_DIR", str(provider_mirror))
    monkeypatch.setenv("BCCE_PUBLISH_METRICS", "0")
    return tmp_path


def backups(capsys) -> list[dict]:
    capsys.readouterr()
    assert run(["state", "backups", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["bcce-us-east-1"]


class LockHolder:
    """A real `terraform apply -destroy` in the stack directory, waiting at its approval prompt with
    the state lock held; closing its input makes it give up and release the lock."""

    def __init__(self, directory: Path, mirror: Path, held: Callable[[], bool]) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bcce_tf.tfshim", "apply", "-destroy", "-no-color"],
                                        cwd=directory, env=terraform_env(mirror), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 120
        while not held():
            assert self.process.poll() is None, self.process.stdout.read()
            assert time.monotonic() < deadline, "terraform never took the lock"
            time.sleep(0.1)

    def release(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def test_local_state_backed_up_listed_restored_and_refused_while_locked(project, provider_mirror, emulator, capsys):
    (project / "bcce.json").write_text(json.dumps(CONFIG))
    url = ["--endpoint-url", emulator.url]
    assert run([*url, "apply", "--auto-approve", "--force"]) == 0
    assert backups(capsys) == [], "no state existed before the first apply"

    assert run([*url, "apply", "--auto-approve", "--force"]) == 0
    err = capsys.readouterr().err
    [backup] = backups(capsys)
    assert f"state (serial {backup['serial']}, {backup['resources']} resources) backed up to {backup['path']}" in err
    assert backup["before"] == "apply" and backup["resources"] >= 10
    assert (Path(backup["path"]).stat().st_mode & 0o777) == 0o600, "the state holds secrets"

    state = project / STACK / "terraform.tfstate"
    state.unlink()  # the state is lost
    (project / STACK / "terraform.tfstate.backup").unlink()
    assert run([*url, "state", "restore", backup["name"], "--auto-approve"]) == 0
    assert f"state restored from {backup['name']}" in capsys.readouterr().out
    restored = json.loads(state.read_text())
    assert restored["lineage"] == backup["lineage"] and restored["serial"] > backup["serial"]
    assert run([*url, "plan", "--detailed-exitcode", "--force"]) == 0, "the restored state matches the account"

    before = state.read_bytes()
    holder = LockHolder(project / STACK, provider_mirror, held=lambda: (project / STACK / ".terraform.tfstate.lock.info").exists())
    try:
        capsys.readouterr()
        assert run([*url, "state", "restore", backup["name"], "--auto-approve"]) == ExitCode.DATA_PROTECTED
        err = capsys.readouterr().err
        assert "state of bcce-us-east-1 is locked by " in err and "operation OperationTypeApply" in err
        assert "nothing was restored" in err and "Traceback" not in err
    finally:
        holder.release()
    assert state.read_bytes() == before, "a refused restore writes nothing"

    capsys.readouterr()
    assert run([*url, "destroy", "--auto-approve"]) == 0
    err = capsys.readouterr().err
    listed = backups(capsys)
    assert [b["before"] for b in listed][:2] == ["destroy", "restore"], listed
    assert f"backed up to {listed[0]['path']}" in err


def test_s3_backend_state_backed_up_and_restore_refused_while_the_dynamodb_lock_is_held(project, provider_mirror, emulator, capsys):
    (project / "bcce.json").write_text(json.dumps({**CONFIG, "backend": S3_BACKEND}))
    url = ["--endpoint-url", emulator.url]
    assert run([*url, "state", "bootstrap"]) == 0
    assert run([*url, "apply", "--auto-approve", "--force"]) == 0
    assert not (project / STACK / "terraform.tfstate").exists(), "the state is in S3"
    assert run([*url, "apply", "--auto-approve", "--force"]) == 0
    [backup] = backups(capsys)
    assert backup["before"] == "apply" and backup["resources"] >= 10

    dynamodb = emulator.client("dynamodb")

    def locked() -> bool:
        return any("Info" in item for item in dynamodb.scan(TableName="acme-bcce-locks")["Items"])

    s3 = emulator.client("s3")
    key = "bcce/bcce/us-east-1/terraform.tfstate"
    versions_before = len(s3.list_object_versions(Bucket="acme-bcce-state", Prefix=key)["Versions"])
    holder = LockHolder(project / STACK, provider_mirror, held=locked)
    try:
        capsys.readouterr()
        assert run([*url, "state", "restore", backup["name"], "--auto-approve"]) == ExitCode.DATA_PROTECTED
        err = capsys.readouterr().err
        assert "state of bcce-us-east-1 is locked by " in err and "nothing was restored" in err
    finally:
        holder.release()
    assert len(s3.list_object_versions(Bucket="acme-bcce-state", Prefix=key)["Versions"]) == versions_before

    assert run([*url, "state", "restore", backup["name"], "--auto-approve"]) == 0
    pushed = json.loads(s3.get_object(Bucket="acme-bcce-state", Key=key)["Body"].read())
    assert pushed["lineage"] == backup["lineage"] and pushed["serial"] > backup["serial"]
    assert not locked(), "the restore released the lock"


def test_readiness_warns_when_the_state_bucket_keeps_no_versions(project, emulator, capsys):
    (project / "bcce.json").write_text(json.dumps({**CONFIG, "backend": S3_BACKEND}))
    url = ["--endpoint-url", emulator.url]

    def check() -> dict:
        capsys.readouterr()
        run([*url, "readiness", "--format", "json"])
        return {c["id"]: c for c in json.loads(capsys.readouterr().out)["checks"]}["configuration.state-versioning"]

    missing = check()
    assert missing["status"] == "warning" and "does not exist yet" in missing["evidence"]
    emulator.client("s3").create_bucket(Bucket="acme-bcce-state")
    plain = check()
    assert plain["status"] == "warning" and "versioning never enabled" in plain["evidence"]
    assert "put-bucket-versioning --bucket acme-bcce-state" in plain["remediation"]
    assert run([*url, "state", "bootstrap"]) == 0
    assert check()["status"] == "passed"
