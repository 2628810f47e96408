"""The client factory's statistics over real HTTP (the emulator, behind the fault proxy), and
doctor's aws-clients component that reports them."""

from __future__ import annotations

import json
import threading

import pytest

from bcce_tf.__main__ import run
from bcce_tf.aws import AwsClients
from bcce_tf.exit_codes import ExitCode
from tests.support.fault_proxy import FaultProxy

pytestmark = pytest.mark.integration


def record(clients: AwsClients, service: str) -> dict:
    return next(r for r in clients.stats.snapshot() if r["service"] == service)


def test_calls_reuse_and_throttled_attempts_are_counted(emulator):
    with FaultProxy(emulator.url, lifetime=120) as proxy:
        proxy.add_rule("kms:ListKeys", "throttle", times=2)
        clients = AwsClients(endpoint_url=proxy.url, environ={})
        clients.call("kms", "us-east-1", "list_keys")  # botocore retries the two throttles itself
        for _ in range(2):
            clients.call("sts", "us-east-1", "get_caller_identity")
        assert proxy.count("kms:ListKeys") == 3
    kms, sts = record(clients, "kms"), record(clients, "sts")
    assert (kms["calls"], kms["attempts"], kms["retries"], kms["throttles"], kms["errors"]) == (1, 3, 2, 2, 0)
    assert (sts["calls"], sts["attempts"], sts["retries"], sts["clients_created"], sts["clients_reused"]) == (2, 2, 0, 1, 1)
    assert sts["latency_p50_ms"] > 0 and sts["latency_p95_ms"] >= sts["latency_p50_ms"]


def test_peak_in_flight_against_the_pool_size(emulator):
    arrived = threading.Barrier(3, timeout=20)  # the proxy holds each request until all three are in flight
    with FaultProxy(emulator.url, lifetime=120) as proxy:
        proxy.on_request("kms:ListKeys", lambda _label: arrived.wait(), times=3)
        clients = AwsClients(endpoint_url=proxy.url, environ={"BCCE_CLIENT_POOL_SIZE": "2"})
        clients.client("kms", "us-east-1")
        threads = [threading.Thread(target=clients.call, args=("kms", "us-east-1", "list_keys")) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    kms = record(clients, "kms")
    assert kms["calls"] == 3 and kms["peak_in_flight"] == 3 and kms["pool_size"] == 2 and kms["utilization"] == 1.5


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bcce.json").write_text(json.dumps({"regions": ["us-east-1"]}))
    return tmp_path


def test_doctor_aws_clients_reports_this_runs_clients_and_a_full_pool(project, emulator, capsys, monkeypatch):
    capsys.readouterr()
    assert run(["--endpoint-url", emulator.url, "doctor", "--component", "credentials,aws-clients", "--json"]) == 0
    checks = json.loads(capsys.readouterr().out)["health"]["checks"]
    clients = [c for c in checks if c["component"] == "aws-clients"]
    assert [c["name"] for c in clients] == ["sts@us-east-1"]
    assert clients[0]["status"] == "healthy" and clients[0]["evidence"].startswith("1 call(s), 0 retry(ies)")

    monkeypatch.setenv("BCCE_CLIENT_POOL_SIZE", "1")
    assert run(["--endpoint-url", emulator.url, "doctor", "--component", "credentials,aws-clients", "--json"]) == ExitCode.OK
    clients = [c for c in json.loads(capsys.readouterr().out)["health"]["checks"] if c["component"] == "aws-clients"]
    assert clients[0]["status"] == "degraded" and "pool ran at 100%" in clients[0]["evidence"]
    assert "raise BCCE_CLIENT_POOL_SIZE (now 1" in clients[0]["fix"]

    assert run(["doctor", "--component", "aws-clients", "--json"]) == 0
    only = json.loads(capsys.readouterr().out)["health"]["checks"]
    assert only[0]["status"] == "not checked" and "no AWS calls" in only[0]["evidence"]


def test_a_recorded_run_keeps_its_client_statistics_and_debug_shows_them(project, emulator, capsys, monkeypatch):
    monkeypatch.setenv("BCCE_CLIENT_POOL_SIZE", "1")
    assert run(["--endpoint-url", emulator.url, "state", "bootstrap", "--bucket", "bcce-debug-state"]) == 0
    capsys.readouterr()
    assert run(["debug", "--component", "aws-clients", "--format", "json"]) == 0
    [last] = json.loads(capsys.readouterr().out)["aws_clients"]
    assert last["operation"] == "state bootstrap" and last["outcome"] == "success"
    s3 = next(line for line in last["clients"] if line["service"] == "s3")
    assert s3["calls"] >= 1 and s3["errors"] >= 0 and s3["pool_size"] == 1
    assert s3["advice"].startswith("the connection pool ran at 100%") and "raise BCCE_CLIENT_POOL_SIZE" in s3["advice"]

    assert run(["debug"]) == 0
    text = capsys.readouterr().out
    assert "state bootstrap" in text and "s3@" in text and "! the connection pool ran at 100%" in text
