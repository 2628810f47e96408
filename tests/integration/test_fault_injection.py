"""Fault injection with real processes on loopback: the `bcce` CLI as a child process, the bundled
Terraform with hashicorp/aws 3.39 from the offline mirror, a moto server, and a fault proxy
(tests/support/fault_proxy.py) between them that throttles, fails, resets or rejects chosen
requests.

What the faults do, measured against hashicorp/aws 3.39 (aws-sdk-go v1, 25 retries):
- throttling (400 ThrottlingException, S3 503 SlowDown) and plain 503s on a few requests are
  absorbed by the provider's own retries: Terraform succeeds, bcce sees nothing. A throttle that
  never ends keeps the provider retrying for many minutes (19 CreateKey calls in 400 s measured),
  so it is no way to make Terraform fail in a test.
- a connection reset after the request was sent ("read: connection reset by peer") is not
  retried by the SDK (the request may have taken effect) and fails the run with "RequestError:
  send request failed": that is the transient failure bcce retries. A reset before the request
  was fully written ("write: ...") would be retried by the SDK itself.
- credentials rejected (403 InvalidClientTokenId) fail at once and are never retried.
"""

from __future__ import annotations

import calendar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import run_terraform
from tests.support.fault_proxy import FaultProxy

pytestmark = pytest.mark.integration

STACK_DIR = ".bcce/stacks/bcce-us-east-1"
APPLY = "terraform-apply:bcce:us-east-1"
CONFIG: dict[str, Any] = {
    "organization_id": "acme",
    "regions": ["us-east-1"],
    "components": ["security"],
    "provider": {"generation": 3},
    "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
}
# Short waits so the retries cost little time; each test tightens what it needs.
# Metric publishing is off: its own requests through the proxy would blur the counts of what these
# tests measure (Terraform's and readiness's requests, retries, the breaker); tests/integration/
# test_metrics_publish.py covers it through the same proxy.
FAST = {"BCCE_RETRY_INITIAL_WAIT": "0.2", "BCCE_RETRY_MAX_WAIT": "0.5", "BCCE_RETRY_MAX_ATTEMPTS": "4",
        "BCCE_PUBLISH_METRICS": "0"}
RUN_TIMEOUT = 150


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    run_id: str
    record: dict[str, Any] | None
    elapsed: float

    def retries(self, name: str = APPLY) -> int:
        """How many times bcce announced a retry of `name` (transient or waiting for a lock)."""
        return len(re.findall(rf"^warning: (?:state locked; )?retry \d+(?:/\d+)? of {re.escape(name)} ", self.stderr,
                              flags=re.MULTILINE))

    def explain(self) -> str:
        return f"exit {self.code} after {self.elapsed:.1f}s\n--- stderr ---\n{self.stderr[-6000:]}"


class Running:
    def __init__(self, project: Project, process: subprocess.Popen[str], run_id: str, started: float) -> None:
        self.project, self.process, self.run_id, self.started = project, process, run_id, started

    def wait(self, timeout: float = RUN_TIMEOUT) -> Outcome:
        try:
            stdout, stderr = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # bcce and the Terraform it started
            stdout, stderr = self.process.communicate()
            pytest.fail(f"bcce did not finish within {timeout}s\n{stderr[-6000:]}")
        return Outcome(self.process.returncode, stdout, stderr, self.run_id, self.project.record(self.run_id),
                       time.monotonic() - self.started)


class Project:
    """A folder with a bcce.json, driven by `python -m bcce_tf` child processes."""

    def __init__(self, root: Path, mirror: Path, **config: Any) -> None:
        self.root, self.mirror = root, mirror
        root.mkdir(parents=True, exist_ok=True)
        (root / "bcce.json").write_text(json.dumps({**CONFIG, **config}))

    def start(self, *args: str, env: dict[str, str] | None = None) -> Running:
        run_id = uuid.uuid4().hex[:16]
        environ = {**os.environ, "BCCE_MIRROR_DIR": str(self.mirror), "BCCE_CORRELATION_ID": run_id, **FAST, **(env or {})}
        process = subprocess.Popen([sys.executable, "-m", "bcce_tf", *args], cwd=self.root, env=environ, text=True,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        return Running(self, process, run_id, time.monotonic())

    def bcce(self, *args: str, env: dict[str, str] | None = None, timeout: float = RUN_TIMEOUT) -> Outcome:
        return self.start(*args, env=env).wait(timeout)

    @staticmethod
    def record(run_id: str) -> dict[str, Any] | None:
        path = Path(os.environ["BCCE_STATE_DIR"]) / "runs.jsonl"
        if not path.exists():
            return None
        found = [json.loads(line) for line in path.read_text().splitlines() if run_id in line]
        return found[-1] if found else None

    def state_list(self) -> list[str]:
        result = run_terraform(self.root / STACK_DIR, self.mirror, "state", "list", timeout=120)
        assert result.returncode == 0, result.stderr
        return sorted(result.stdout.split())

    def breakers(self) -> dict[str, dict[str, Any]]:
        out = self.bcce("doctor", "--component", "circuit-breakers", "--json")
        assert out.code == 0, out.explain()
        return {b["name"]: b for b in json.loads(out.stdout)["circuit_breakers"]}


def inventory(url: str) -> dict[str, list[str]]:
    """What the stack left in the emulator, by kind: names, or one entry per live customer KMS key."""
    def client(service: str) -> Any:
        return boto3.client(service, region_name="us-east-1", endpoint_url=url,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    kms = client("kms")
    aliases = kms.list_aliases()["Aliases"]
    # Keys of the account, not of a service: the emulator, like AWS, adds aws/dynamodb (and aws/s3)
    # when the state backend's lock table or bucket is encrypted without a key of its own.
    service_keys = {a.get("TargetKeyId") for a in aliases if a["AliasName"].startswith("alias/aws/")}
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    live = [k for k in keys if k["KeyId"] not in service_keys and k["KeyManager"] == "CUSTOMER"
            and k["KeyState"] != "PendingDeletion"]
    return {
        "kms keys": ["key"] * len(live),
        "kms aliases": sorted(a["AliasName"] for a in aliases if a["AliasName"].startswith("alias/bcce")),
        "buckets": sorted(b["Name"] for b in client("s3").list_buckets()["Buckets"]),
        "log groups": sorted(g["logGroupName"] for g in client("logs").describe_log_groups(logGroupNamePrefix="/bcce/")["logGroups"]),
        "trails": sorted(t["Name"] for t in client("cloudtrail").describe_trails()["trailList"]),
        "roles": sorted(r["RoleName"] for r in client("iam").list_roles()["Roles"] if r["RoleName"].startswith("bcce-")),
    }


_REFERENCE: dict[str, Any] = {}


def reference(emulator: Any, mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """State addresses and emulator inventory of one clean apply, made once per test process."""
    if not _REFERENCE:
        emulator.reset()
        clean = Project(tmp_path_factory.mktemp("clean"), mirror)
        out = clean.bcce("--endpoint-url", emulator.url, "apply", "--auto-approve", "--force")
        assert out.code == 0, out.explain()
        assert out.record and out.record["attempts"][APPLY] == 1, "the clean run needed no retry"
        _REFERENCE.update(state=clean.state_list(), inventory=inventory(emulator.url))
        assert _REFERENCE["inventory"]["kms keys"] == ["key"]
        emulator.reset()
    return _REFERENCE


@pytest.fixture()
def ref(emulator, provider_mirror, tmp_path_factory) -> dict[str, Any]:
    return reference(emulator, provider_mirror, tmp_path_factory)


@pytest.fixture()
def proxy(emulator):
    with FaultProxy(emulator.url, lifetime=300) as running:
        yield running


# -- a) transient faults ----------------------------------------------------------------------

def test_transient_faults_are_retried_and_the_stack_converges_once(ref, emulator, proxy, provider_mirror, tmp_path):
    """Two connection resets on KMS CreateKey fail two Terraform runs; bcce retries twice (re-plan and
    apply what is left) and the third run completes. Three throttles on the creation of the
    access-log bucket in the same apply are absorbed by the provider and cost bcce nothing. The
    result is the clean run's stack: same state addresses, one KMS key, no duplicate anything."""
    proxy.add_rule("kms:CreateKey", "reset", times=2)
    logs_bucket = "s3:PUT /*-logs"
    proxy.add_rule(logs_bucket, "throttle", times=3)
    project = Project(tmp_path / "a", provider_mirror)

    out = project.bcce("--endpoint-url", proxy.url, "apply", "--auto-approve", "--force")

    assert out.code == 0, out.explain()
    assert out.retries(APPLY) == 2
    assert out.stderr.count("send-request-failed: RequestError: send request failed") == 2
    assert out.record["attempts"][APPLY] == 3 and out.record["outcome"] == "success"
    assert (proxy.faulted("kms:CreateKey"), proxy.count("kms:CreateKey")) == (2, 3)
    assert (proxy.faulted(logs_bucket), proxy.count(logs_bucket)) == (3, 4), "created once, by the provider's retries"
    assert project.state_list() == ref["state"]
    assert inventory(emulator.url) == ref["inventory"]

    # Every request carried the run id: the provider's (TF_APPEND_USER_AGENT) and bcce's own (boto3).
    token = f"bcce-run/{out.run_id}"
    agents = proxy.user_agents()
    provider = [a for a in agents if "terraform-provider-aws" in a]
    own = [a for a in agents if "Botocore/" in a]
    assert provider and own
    assert all(token in agent.split() for agent in provider + own)


def test_a_lost_response_to_a_create_leaves_an_orphan_terraform_cannot_see(ref, emulator, proxy, provider_mirror,
                                                                            tmp_path):
    """The limit of retrying a non-idempotent call: the emulator creates the KMS key, the response
    is lost (reset after forwarding), Terraform never learns the key id, and the retry creates a
    second key. The stack converges (state = a clean run), but one extra key exists outside the
    state. It carries the stack's tags and its CreateKey request carried the run id in the user
    agent, which is how to find it (CloudTrail userAgent, tag search) and schedule its deletion."""
    proxy.add_rule("kms:CreateKey", "reset-after-forward", times=1)
    project = Project(tmp_path / "lost", provider_mirror)

    out = project.bcce("--endpoint-url", proxy.url, "apply", "--auto-approve", "--force")

    assert out.code == 0, out.explain()
    assert out.record["attempts"][APPLY] == 2
    assert project.state_list() == ref["state"]
    found = inventory(emulator.url)
    assert found["kms keys"] == ["key", "key"], "one key in the state, one orphan"
    assert {k: v for k, v in found.items() if k != "kms keys"} == {k: v for k, v in ref["inventory"].items() if k != "kms keys"}
    kms = emulator.client("kms")
    in_state = json.loads(run_terraform(project.root / STACK_DIR, provider_mirror, "output", "-json").stdout)
    managed = in_state["kms_key_arn"]["value"].rsplit("/", 1)[1]
    [orphan] = [k["KeyId"] for k in kms.list_keys()["Keys"] if k["KeyId"] != managed]
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=orphan)["Tags"]}
    assert tags["Stack"] == "bcce" and tags["ManagedBy"] == "bcce"
    assert all(f"bcce-run/{out.run_id}" in agent for agent in proxy.user_agents("kms:CreateKey"))


# -- b) the circuit breaker across runs -------------------------------------------------------

def test_persistent_failure_opens_the_breaker_which_fails_fast_then_recovers(ref, emulator, proxy, provider_mirror,
                                                                            tmp_path):
    """Every KMS CreateKey is reset: two runs give up after 2 attempts each (exit 9) and the second
    opens terraform-apply:bcce:us-east-1 (fail max 2). The third run stops at once (exit 8) without
    a single request reaching the proxy, naming the breaker and the time it allows a call again.
    Once the reset timeout has passed and the proxy is healthy, the next run is the half-open probe:
    it succeeds and closes the breaker. The first three runs use a reset timeout no slow machine
    outlasts between two runs; the fourth a short one it waits out, so no run races the clock."""
    env = {"BCCE_BREAKER_FAIL_MAX": "2", "BCCE_RETRY_MAX_ATTEMPTS": "2", "BCCE_RETRY_INITIAL_WAIT": "0.05",
           "BCCE_RETRY_MAX_WAIT": "0.1", "BCCE_BREAKER_RESET_SECONDS": "3600"}
    failing = proxy.add_rule("kms:CreateKey", "reset")
    project = Project(tmp_path / "b", provider_mirror)
    apply = ("--endpoint-url", proxy.url, "apply", "--auto-approve", "--force")

    first = project.bcce(*apply, env=env)
    assert first.code == 9, first.explain()
    assert "still failing after 2 attempts" in first.stderr
    assert first.record["attempts"][APPLY] == 2 and first.record["outcome"] == "retries-exhausted"
    counted = project.breakers()[APPLY]
    assert (counted["state"], counted["failures"]) == ("closed", 1)

    second = project.bcce(*apply, env=env)
    assert second.code == 9, second.explain()
    assert [t for t in second.record["breaker_transitions"] if t["breaker"] == APPLY] == [
        {"breaker": APPLY, "from": "closed", "to": "open"}]
    opened = project.breakers()[APPLY]
    assert (opened["state"], opened["failures"]) == ("open", 2)
    assert "send-request-failed" in opened["last_failure_reason"]

    before = proxy.count()
    third = project.bcce(*apply, env=env)
    assert third.code == 8, third.explain()
    assert proxy.count() == before, "no request may leave a run that the open breaker stopped"
    assert f"circuit breaker '{APPLY}' is open since {opened['opened_at']}" in third.stderr
    assert f"next attempt allowed at {opened['retry_at']}" in third.stderr
    assert third.record["outcome"] == "circuit-open" and APPLY not in third.record["attempts"]

    proxy.remove_rule(failing)
    short_reset = 2.0
    opened_at = calendar.timegm(time.strptime(opened["opened_at"], "%Y-%m-%dT%H:%M:%SZ"))
    time.sleep(max(0.0, opened_at + short_reset + 1.0 - time.time()))
    fourth = project.bcce(*apply, env={**env, "BCCE_BREAKER_RESET_SECONDS": str(short_reset)})
    assert fourth.code == 0, fourth.explain()
    assert [t for t in fourth.record["breaker_transitions"] if t["breaker"] == APPLY] == [
        {"breaker": APPLY, "from": "open", "to": "half-open"},
        {"breaker": APPLY, "from": "half-open", "to": "closed"},
    ]
    closed = project.breakers()[APPLY]
    assert (closed["state"], closed["failures"], closed["opened_at"]) == ("closed", 0, None)
    assert project.state_list() == ref["state"]
    assert inventory(emulator.url) == ref["inventory"]


# -- c) the emulator dies in the middle of an apply -------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MotoProcess:
    """`python -m moto.server` in a process of its own, so that it can be killed for real."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("moto server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


@pytest.fixture()
def moto_process(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    server = MotoProcess(_free_port())
    server.start()
    yield server
    server.stop()


def test_emulator_killed_mid_apply_and_restarted_converges_without_duplicates(ref, moto_process, provider_mirror,
                                                                             tmp_path):
    """A moto server in its own process is killed (SIGKILL) in the middle of an apply and started
    again on the same port a second later, empty: a restarted moto keeps nothing.

    When the emulator dies, the IAM role and the access-log bucket (with its public access block
    and policy) exist and are in Terraform's local state; the KMS key does not: its CreateKey
    request is held at the proxy until the role and the bucket policy have been read back, then
    the emulator is killed and that request goes nowhere. The crash is placed before the key
    exists on purpose: hashicorp/aws 3.39 drops a vanished role or bucket from the state at
    refresh and plans it again, but returns DescribeKey's NotFoundException for a vanished KMS
    key as an error (against real AWS a key never vanishes without a 7-30 day PendingDeletion
    phase), so after an emulator lost a key no rerun could get past the refresh without
    `terraform state rm`.

    The proxy between Terraform and the emulator answers a request it cannot forward by resetting
    the connection, as a dying server does to the requests in flight. (A client talking to a dead
    port directly would see "connection refused" on new connections, which the provider retries
    by itself for a while.) The Terraform run fails with "send request failed"; bcce retries
    until the emulator is back, and the attempt after that refreshes against what the emulator
    really holds. "Rerunning converges" means here: the stack ends up equal to a clean run (same
    state addresses), every resource exists once in the emulator, the ones lost in the crash were
    created exactly once more, and a further run has nothing left to do."""
    crashed = threading.Event()

    def crash(_: str) -> None:
        # Hold CreateKey until the creations running alongside it have settled: no request for
        # half a second once the role and the bucket policy were sent.
        deadline, seen, quiet_since = time.monotonic() + 30, -1, time.monotonic()
        while time.monotonic() < deadline:
            now, total = time.monotonic(), proxy.count()
            if total != seen:
                seen, quiet_since = total, now
            elif proxy.count("iam:CreateRole") and proxy.count("s3:PUT /*-logs?policy") and now - quiet_since > 0.5:
                break
            time.sleep(0.05)
        moto_process.kill()
        crashed.set()

    env = {"BCCE_RETRY_MAX_ATTEMPTS": "8", "BCCE_RETRY_INITIAL_WAIT": "0.5", "BCCE_RETRY_MAX_WAIT": "1.5"}
    with FaultProxy(moto_process.url, lifetime=300) as proxy:
        proxy.on_request("kms:CreateKey", crash, times=1)
        project = Project(tmp_path / "c", provider_mirror)
        running = project.start("--endpoint-url", proxy.url, "apply", "--auto-approve", "--force", env=env)
        assert crashed.wait(timeout=90), "the apply never reached KMS CreateKey"
        created_before_crash = {label: proxy.count(label) for label in ("iam:CreateRole", "s3:PUT /*-logs", "kms:CreateKey")}
        time.sleep(1.0)
        moto_process.start()
        out = running.wait()
        assert out.code == 0, out.explain()
        assert created_before_crash == {"iam:CreateRole": 1, "s3:PUT /*-logs": 1, "kms:CreateKey": 1}
        assert out.record["attempts"][APPLY] >= 2, "the crash failed at least one attempt"
        assert "connection reset by peer" in out.stderr
        # Lost in the crash and created once more; the key's first request never reached a live emulator.
        assert {label: proxy.count(label) for label in created_before_crash} == {
            "iam:CreateRole": 2, "s3:PUT /*-logs": 2, "kms:CreateKey": 2}
        assert proxy.faulted("*") == 0
        assert project.state_list() == ref["state"]
        assert inventory(moto_process.url) == ref["inventory"]

        rerun = project.bcce("--endpoint-url", proxy.url, "plan", "--detailed-exitcode", "--force")
        assert rerun.code == 0, "a rerun has nothing left to do: " + rerun.explain()


# -- d) two applies of one stack at once ------------------------------------------------------

def _lock(emulator: Any, table: str) -> dict[str, Any] | None:
    for item in emulator.client("dynamodb").scan(TableName=table)["Items"]:
        if "Info" in item:
            return json.loads(item["Info"]["S"])
    return None


def test_concurrent_applies_share_the_state_lock(ref, emulator, proxy, provider_mirror, tmp_path):
    """Three runners apply the same stack with the S3 backend and the DynamoDB lock, from three
    checkouts. The first takes the lock (its KMS CreateKey is throttled four times, which the
    provider absorbs, so it holds the lock some ten seconds longer). One started meanwhile with
    --lock-timeout 1 gives up with exit 10 naming the holder; one with --lock-timeout 120 polls
    the lock, applies after the first is done (nothing left to do), and succeeds. The state is
    intact: the clean run's addresses, one KMS key."""
    backend = {"type": "s3", "bucket": "acme-bcce-state", "lock_table": "acme-bcce-locks"}
    first = Project(tmp_path / "runner-1", provider_mirror, backend=backend)
    boot = first.bcce("--endpoint-url", proxy.url, "state", "bootstrap")
    assert boot.code == 0, boot.explain()
    proxy.add_rule("kms:CreateKey", "throttle", times=4)
    apply = ("--endpoint-url", proxy.url, "apply", "--auto-approve", "--force")

    holder = first.start(*apply)
    deadline = time.monotonic() + 90
    while (lock := _lock(emulator, "acme-bcce-locks")) is None:
        assert time.monotonic() < deadline and holder.process.poll() is None, "the first run never took the lock"
        time.sleep(0.1)
    impatient = Project(tmp_path / "runner-2", provider_mirror, backend=backend).start("--lock-timeout", "1", *apply)
    patient = Project(tmp_path / "runner-3", provider_mirror, backend=backend).start("--lock-timeout", "120", *apply)

    refused = impatient.wait()
    assert refused.code == 10, refused.explain()
    message = refused.stderr.strip().splitlines()[-1]
    assert f"state is locked by {lock['Who']} (lock id {lock['ID']}, operation OperationTypeApply" in message
    assert f"terraform force-unlock {lock['ID']}" in message
    assert refused.record["outcome"] == "state-locked"

    done = holder.wait()
    assert done.code == 0, done.explain()
    waited = patient.wait()
    assert waited.code == 0, waited.explain()
    assert waited.retries(APPLY) >= 1 and "state locked; retry" in waited.stderr
    assert waited.record["attempts"][APPLY] >= 2

    assert _lock(emulator, "acme-bcce-locks") is None, "no lock left behind"
    # Terraform's S3 backend (aws-sdk-go v2) carries the run id too, like the provider does.
    backend_agents = [a for a in proxy.user_agents() if "aws-sdk-go-v2" in a]
    assert backend_agents and all("bcce-run/" in agent for agent in backend_agents)
    assert first.state_list() == ref["state"]
    found = inventory(emulator.url)
    assert found["kms keys"] == ["key"]
    assert found["buckets"] == sorted([*ref["inventory"]["buckets"], "acme-bcce-state"])


# -- e) rejected credentials ------------------------------------------------------------------

def test_rejected_credentials_are_not_retried(emulator, proxy, provider_mirror, tmp_path):
    """Every request is answered with the protocol's invalid-credentials error. The run stops on
    the first rejection with exit 7 and a message that says so: no retry, and the breaker does
    not count it (the credentials say nothing about the health of AWS)."""
    proxy.add_rule("*", "reject-credentials")
    project = Project(tmp_path / "e", provider_mirror)

    out = project.bcce("--endpoint-url", proxy.url, "apply", "--auto-approve", "--force")
    assert out.code == 7, out.explain()
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("error: AWS credentials rejected or missing:")
    assert "InvalidClientTokenId" in last or "UnrecognizedClientException" in last
    assert out.retries(APPLY) == 0 and "retry" not in out.stderr
    # The readiness gate's first call is rejected: the run stops there, even with --force,
    # after exactly one attempt, and Terraform is never started.
    assert out.record["attempts"].get("aws:sts:us-east-1") == 1
    assert APPLY not in out.record["attempts"]
    assert out.record["outcome"] == "credentials"
    assert project.breakers().get(APPLY, {"failures": 0})["failures"] == 0
