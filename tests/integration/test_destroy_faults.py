"""Destroys that go wrong, with real processes on loopback: the `bcce` CLI as a child process,
the bundled Terraform with hashicorp/aws 3.39 from the offline mirror, the moto server, and the
fault proxy (tests/support/fault_proxy.py) between them.

- Terraform (and bcce) killed with SIGKILL in the middle of a destroy, at a request the proxy
  recognises: the killed run's request still reaches the emulator, so the account is ahead of
  the state. Running the same destroy again finishes it, and nothing the user did not ask to
  delete is gone.
- Two destroys of one stack at once on the S3 backend with the DynamoDB lock: one holds the
  lock, an impatient one is refused with exit 10, a patient one waits and then has nothing to do.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_terraform
from tests.support.fault_proxy import FaultProxy

pytestmark = pytest.mark.integration

STACK_DIR = ".bcce/stacks/bcce-us-east-1"
CONFIG: dict[str, Any] = {"organization_id": "acme", "regions": ["us-east-1"], "components": ["security"],
                          "provider": {"generation": 3}, "security": {"key_deletion_window_days": 7}}
ENV = {"BCCE_RETRY_INITIAL_WAIT": "0.2", "BCCE_RETRY_MAX_WAIT": "0.5", "BCCE_RETRY_MAX_ATTEMPTS": "4",
       "BCCE_PUBLISH_METRICS": "0"}
TIMEOUT = 180


class Run:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.code: int | None = None
        self.stdout = self.stderr = ""

    def wait(self, timeout: float = TIMEOUT) -> Run:
        try:
            self.stdout, self.stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.stdout, self.stderr = self.process.communicate()
            pytest.fail(f"bcce did not finish within {timeout}s\n{self.stderr[-6000:]}")
        self.code = self.process.returncode
        return self

    def explain(self) -> str:
        return f"exit {self.code}\n--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-6000:]}"


class Project:
    def __init__(self, root: Path, mirror: Path, **config: Any) -> None:
        self.root, self.mirror = root, mirror
        root.mkdir(parents=True, exist_ok=True)
        (root / "bcce.json").write_text(json.dumps({**CONFIG, **config}))

    def start(self, *args: str) -> Run:
        environ = {**os.environ, "BCCE_MIRROR_DIR": str(self.mirror), **ENV}
        return Run(subprocess.Popen([sys.executable, "-m", "bcce_tf", *args], cwd=self.root, env=environ, text=True,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=True))  # its own process group: bcce and its Terraform

    def bcce(self, *args: str) -> Run:
        return self.start(*args).wait()

    def state_list(self) -> list[str]:
        """The managed resources in the state (data sources left out)."""
        result = run_terraform(self.root / STACK_DIR, self.mirror, "state", "list", timeout=120)
        assert result.returncode == 0, result.stderr
        return sorted(a for a in result.stdout.split() if not re.search(r"(^|\.)data\.aws_", a))

    def finish(self, *args: str) -> Run:
        """Run `bcce *args` after a killed run. When the kill emptied terraform.tfstate (Terraform
        rewrites it in place) bcce refuses with exit 26; the newest backup is restored and the
        command run again."""
        run = self.bcce(*args)
        if run.code == 26 and "is empty (a Terraform run was stopped while writing it)" in run.stderr:
            newest = sorted(p.name for p in (self.root / STACK_DIR / "state-backups").iterdir())[-1]
            restored = self.bcce(*args[:2], "state", "restore", newest, "--auto-approve")
            assert restored.code == 0, restored.explain()
            run = self.bcce(*args)
        return run

    def state_emptied(self) -> bool:
        return (self.root / STACK_DIR / "terraform.tfstate").stat().st_size == 0

    def retained(self) -> list[str]:
        document = json.loads((self.root / STACK_DIR / "bcce-retained.json").read_text())
        return sorted(item["address"] for item in document["retained"])


def inventory(emulator: Any) -> dict[str, list[str]]:
    """What the stack has in the emulator: bucket names, customer keys by state, log groups, trails."""
    kms = emulator.client("kms")
    service_keys = {a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/aws/")}
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    return {
        "buckets": sorted(b["Name"] for b in emulator.client("s3").list_buckets()["Buckets"]),
        "keys": sorted(k["KeyState"] for k in keys if k["KeyManager"] == "CUSTOMER" and k["KeyId"] not in service_keys),
        "log groups": sorted(g["logGroupName"] for g in
                             emulator.client("logs").describe_log_groups(logGroupNamePrefix="/bcce/")["logGroups"]),
        "trails": sorted(t["Name"] for t in emulator.client("cloudtrail").describe_trails()["trailList"]),
    }


def fill(emulator: Any, buckets: list[str]) -> None:
    s3 = emulator.client("s3")
    for name in buckets:
        # The buckets admit TLS only; the emulator speaks plain HTTP, so the policy steps aside meanwhile.
        policy = s3.get_bucket_policy(Bucket=name)["Policy"]
        s3.delete_bucket_policy(Bucket=name)
        for i in range(3):
            s3.put_object(Bucket=name, Key=f"k{i}", Body=b"x" * 10)
        s3.delete_object(Bucket=name, Key="k0")
        s3.put_bucket_policy(Bucket=name, Policy=policy)


def is_delete_bucket(label: str) -> bool:
    return label.startswith("s3:DELETE /") and "?" not in label and label.count("/") == 1


def kill_on(proxy: FaultProxy, match: Any, runs: list[Run], killed: threading.Event) -> None:
    """SIGKILL the process group of the run in `runs` when the first request matching `match`
    arrives; the request itself is forwarded after that, so it takes effect unanswered."""
    def kill(_: str) -> None:
        os.killpg(runs[0].process.pid, signal.SIGKILL)
        killed.set()

    proxy.on_request(match, kill, times=1)


def test_destroy_killed_half_way_is_finished_by_running_it_again(emulator, provider_mirror, tmp_path):
    project = Project(tmp_path / "project", provider_mirror)
    applied = project.bcce("--endpoint-url", emulator.url, "apply", "--auto-approve", "--force")
    assert applied.code == 0, applied.explain()
    before = inventory(emulator)
    assert len(before["buckets"]) == 2 and before["keys"] == ["Enabled"] and before["trails"], before
    fill(emulator, before["buckets"])
    all_addresses = project.state_list()

    with FaultProxy(emulator.url, lifetime=300) as proxy:
        url = ("--endpoint-url", proxy.url)
        # 1. The destroy that keeps data, killed as Terraform deletes the trail.
        runs: list[Run] = []
        killed = threading.Event()
        kill_on(proxy, "cloudtrail:DeleteTrail", runs, killed)
        runs.append(project.start(*url, "destroy", "--auto-approve"))
        first = runs[0].wait()
        assert killed.is_set() and first.code == -signal.SIGKILL, first.explain()
        if not project.state_emptied():
            left = project.state_list()
            assert set(left) <= set(all_addresses) and any("aws_cloudtrail." in a for a in left), \
                "the killed Terraform never recorded the trail's deletion"
        assert inventory(emulator)["trails"] == [], "the delete it sent took effect"

        again = project.finish(*url, "destroy", "--auto-approve")
        assert again.code == 0, again.explain()
        kept = inventory(emulator)
        assert kept == {**before, "trails": []}, "the buckets, their key and the log group are all still there"
        assert project.state_list() == project.retained(), "the state holds exactly what was kept"
        assert "3 object versions" in again.stdout, again.stdout
        s3 = emulator.client("s3")
        for name in before["buckets"]:
            assert len(s3.list_object_versions(Bucket=name).get("Versions", [])) >= 3, "the objects are untouched"

        # 2. --delete-data, killed as Terraform deletes the first bucket (after bcce emptied them).
        buckets_when_key_deleted: list[list[str]] = []
        proxy.on_request("kms:ScheduleKeyDeletion", lambda _: buckets_when_key_deleted.append(
            [b["Name"] for b in s3.list_buckets()["Buckets"]]), times=None)
        runs = []
        killed = threading.Event()
        kill_on(proxy, is_delete_bucket, runs, killed)
        runs.append(project.start(*url, "destroy", "--auto-approve", "--delete-data"))
        first = runs[0].wait()
        assert killed.is_set() and first.code == -signal.SIGKILL, first.explain()
        assert inventory(emulator)["keys"] == ["Enabled"], "the key is not scheduled for deletion by the killed run"
        assert buckets_when_key_deleted == []

        # A kill can land while Terraform rewrites terraform.tfstate in place (truncate, then write);
        # the file is emptied here to make that case certain. bcce refuses to take the empty file for
        # "nothing left", the newest backup is restored, and the destroy then finishes, stepping over
        # what the killed run deleted without recording it.
        (project.root / STACK_DIR / "terraform.tfstate").write_text("")
        refused = project.bcce(*url, "destroy", "--auto-approve", "--delete-data")
        assert refused.code == 26 and "is empty (a Terraform run was stopped while writing it)" in refused.stderr, \
            refused.explain()
        assert inventory(emulator)["keys"] == ["Enabled"]
        proxy.reset_observations()
        finished = project.finish(*url, "destroy", "--auto-approve", "--delete-data")
        assert finished.code == 0, finished.explain()
        assert inventory(emulator) == {"buckets": [], "keys": ["PendingDeletion"], "log groups": [], "trails": []}, \
            finished.explain()
        assert buckets_when_key_deleted == [[]], "the key was scheduled for deletion once, when no bucket existed"
        assert project.state_list() == []

        done = project.bcce(*url, "destroy", "--auto-approve", "--delete-data")
        assert done.code == 0 and "nothing to destroy" in done.stdout, done.explain()


def _lock(emulator: Any, table: str) -> dict[str, Any] | None:
    for item in emulator.client("dynamodb").scan(TableName=table)["Items"]:
        if "Info" in item:
            return json.loads(item["Info"]["S"])
    return None


def test_two_destroys_at_once_on_the_s3_backend(emulator, provider_mirror, tmp_path):
    """The first destroy is held at its DeleteTrail request (the proxy keeps the request until the
    test lets it go), so it holds the state lock for as long as the test needs. A destroy from a
    second checkout with --lock-timeout 1 is refused with exit 10 naming the holder; one from a
    third checkout with --lock-timeout 900 waits for the lock and then has nothing to do."""
    backend = {"type": "s3", "bucket": "acme-bcce-state", "lock_table": "acme-bcce-locks"}
    first = Project(tmp_path / "runner-1", provider_mirror, backend=backend)
    with FaultProxy(emulator.url, lifetime=300) as proxy:
        url = ("--endpoint-url", proxy.url)
        boot = first.bcce(*url, "state", "bootstrap")
        assert boot.code == 0, boot.explain()
        applied = first.bcce(*url, "apply", "--auto-approve", "--force")
        assert applied.code == 0, applied.explain()
        before = inventory(emulator)
        data_buckets = [b for b in before["buckets"] if b != "acme-bcce-state"]
        assert len(data_buckets) == 2, before
        fill(emulator, data_buckets)

        reached, release = threading.Event(), threading.Event()

        def hold(_: str) -> None:
            reached.set()
            release.wait(120)

        proxy.on_request("cloudtrail:DeleteTrail", hold, times=1)
        holder = first.start(*url, "destroy", "--auto-approve")
        try:
            deadline = time.monotonic() + TIMEOUT
            while not reached.wait(0.2):
                assert time.monotonic() < deadline and holder.process.poll() is None, "the first destroy never got there"
            lock = _lock(emulator, "acme-bcce-locks")
            assert lock is not None, "the first destroy holds the lock while it deletes"
            impatient = Project(tmp_path / "runner-2", provider_mirror, backend=backend)
            refused = impatient.bcce("--lock-timeout", "1", *url, "destroy", "--auto-approve")
            assert refused.code == 10, refused.explain()
            assert f"state is locked by {lock['Who']} (lock id {lock['ID']}" in refused.stderr
            attempts = proxy.count("dynamodb:PutItem")
            patient = Project(tmp_path / "runner-3", provider_mirror, backend=backend).start(
                "--lock-timeout", "900", *url, "destroy", "--auto-approve")  # as long as a loaded machine needs
            while proxy.count("dynamodb:PutItem") == attempts:  # its first try for the lock, refused
                assert time.monotonic() < deadline and patient.process.poll() is None, "the patient run never asked"
                time.sleep(0.2)
        finally:
            release.set()
        done = holder.wait()
        assert done.code == 0, done.explain()
        waited = patient.wait()
        assert waited.code == 0, waited.explain()
        assert "state locked; retry" in waited.stderr, waited.explain()
        assert "nothing to destroy besides the retained resources" in waited.stdout, waited.explain()
        assert first.state_list() == first.retained(), "the state holds what was kept"  # backend via the proxy

    assert _lock(emulator, "acme-bcce-locks") is None, "no lock left behind"
    assert inventory(emulator) == {**before, "trails": []}, "the data buckets, their key and log group stay"
    s3 = emulator.client("s3")
    for name in data_buckets:
        assert len(s3.list_object_versions(Bucket=name).get("Versions", [])) >= 3
