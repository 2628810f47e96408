"""`bcce metrics` in process (stdout, --textfile, --push to a loopback Pushgateway stand-in), `bcce
metrics serve` scraped over HTTP in a child process, and the switches of CloudWatch publishing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bcce_tf import history
from bcce_tf.__main__ import run
from bcce_tf.config import Config
from bcce_tf.cost import estimate
from bcce_tf.exit_codes import ExitCode
from bcce_tf.metrics.queue import MetricQueue
from bcce_tf.resilience.breaker import CircuitBreaker, FileBreakerStore

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = {"organization_id": "acme", "components": ["security"], "provider": {"generation": 3}}
APPLY_BREAKER = "terraform-apply:bcce:us-east-1"


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add_run(operation: str, exit_code: int, duration: float, **fields: Any) -> None:
    history.append(history.RunRecord(operation=operation, correlation_id="r" * 16, start="2026-11-30T09:00:00.000Z",
                                     end="2026-11-30T09:10:00.000Z", outcome="x", exit_code=exit_code, stack="bcce",
                                     regions=["us-east-1"], duration=duration, **fields))


def open_breaker(name: str = APPLY_BREAKER) -> None:
    CircuitBreaker(name, FileBreakerStore(environ=os.environ), fail_max=1, reset_timeout=600).record_failure("test")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


APPLY = (("operation", "apply"), ("region", "us-east-1"), ("stack", "bcce"))


def test_metrics_come_from_the_history_and_the_breakers(project, capsys):
    add_run("apply", 0, 120.0)
    add_run("apply", 9, 400.0, attempts={APPLY_BREAKER: 5})
    add_run("readiness", 0, 8.0, readiness_score=88)
    open_breaker()
    assert run(["metrics"]) == 0
    found = samples(capsys.readouterr().out)
    assert found[("bcce_deployment_success_total", APPLY)] == 1
    assert found[("bcce_deployment_failure_total", APPLY)] == 1
    assert found[("bcce_retries_total", APPLY)] == 4
    assert found[("bcce_deployment_duration_seconds_count", APPLY)] == 2
    assert found[("bcce_circuit_breaker_open", (("breaker", APPLY_BREAKER),))] == 1
    assert found[("bcce_readiness_score", (("region", "us-east-1"), ("stack", "bcce")))] == 88
    assert not any(name == "bcce_monthly_cost" for name, _ in found), "no config here: no estimate to show"

    (project / "bcce.json").write_text(json.dumps(CONFIG))
    add_run("apply", 0, 60.0)
    assert run(["metrics"]) == 0
    again = samples(capsys.readouterr().out)
    assert again[("bcce_deployment_success_total", APPLY)] == 2, "counters are sums over the history"
    expected = estimate(Config.model_validate(CONFIG)).monthly_usd
    assert again[("bcce_monthly_cost", (("stack", "bcce"),))] == pytest.approx(expected)


def test_textfile_is_written_whole_and_bad_paths_fail_with_one_line(project, capsys):
    add_run("apply", 0, 30.0)
    target = project / "out" / "bcce.prom"
    target.parent.mkdir()
    assert run(["metrics", "--textfile", str(target)]) == 0
    assert samples(target.read_text())[("bcce_deployment_success_total", APPLY)] == 1
    assert sorted(p.name for p in target.parent.iterdir()) == ["bcce.prom"], "no temporary file left behind"
    capsys.readouterr()
    assert run(["metrics", "--textfile", str(project / "out" / "bcce.txt")]) == ExitCode.USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--textfile" in err[0] and ".prom" in err[0]
    assert run(["metrics", "--textfile", str(project / "missing" / "bcce.prom")]) == ExitCode.METRICS_FAILED
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write the metrics" in err[0] and "Traceback" not in err[0]


class Pushgateway:
    """A loopback HTTP server that records what is pushed to it, as a Pushgateway would receive it."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[tuple[str, str, str, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append((self.command, self.path, self.headers.get("Content-Type", ""), body))
                self.send_response(status)
                self.end_headers()

            do_POST = do_PUT  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_push_sends_the_text_format_to_the_job_path(project, capsys):
    add_run("apply", 5, 30.0)
    gateway = Pushgateway()
    try:
        assert run(["metrics", "--push", gateway.url, "--job", "ci-nightly"]) == 0
    finally:
        gateway.close()
    [(method, path, content_type, body)] = gateway.requests
    assert (method, path) == ("PUT", "/metrics/job/ci-nightly")
    assert content_type.startswith("text/plain")
    assert samples(body.decode())[("bcce_deployment_failure_total", APPLY)] == 1
    capsys.readouterr()
    assert run(["metrics", "--push", f"http://127.0.0.1:{free_port()}"]) == ExitCode.METRICS_FAILED
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Pushgateway" in err[0]
    assert run(["metrics", "--push", "ftp://gateway"]) == ExitCode.USAGE
    assert "--push" in capsys.readouterr().err


def test_serve_answers_scrapes_with_current_values_until_stopped(project):
    add_run("apply", 0, 30.0)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "bcce_tf", "metrics", "serve", "--port", "0"], cwd=project, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("serving metrics on http://127.0.0.1:"), line + process.stderr.read()
        url = line.split()[3]
        first = urllib.request.urlopen(url, timeout=10)
        assert first.headers["Content-Type"].startswith("text/plain")
        assert samples(first.read().decode())[("bcce_deployment_success_total", APPLY)] == 1
        add_run("apply", 0, 30.0)
        second = samples(urllib.request.urlopen(url, timeout=10).read().decode())
        assert second[("bcce_deployment_success_total", APPLY)] == 2, "each scrape reads the history again"
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    assert code == 0, process.stderr.read()


def test_serve_refuses_a_bad_address_and_a_busy_port(project, capsys):
    assert run(["metrics", "serve", "--bind", "not an address"]) == ExitCode.USAGE
    assert "--bind" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert run(["metrics", "serve", "--port", str(busy.getsockname()[1])]) == ExitCode.METRICS_FAILED
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot listen on 127.0.0.1:" in err[0]


# -- CloudWatch publishing switches: a run stopped by an open breaker is recorded at once ------

def stopped_apply(project: Path, monkeypatch: pytest.MonkeyPatch, config: dict[str, Any] | None = None) -> int:
    (project / "bcce.json").write_text(json.dumps(config or CONFIG))
    open_breaker()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    # Nothing listens there: publishing fails, the points stay queued.
    return run(["--endpoint-url", f"http://127.0.0.1:{free_port()}", "apply", "--auto-approve"])


def queued() -> list[Any]:
    return MetricQueue(environ=os.environ).pending()


def test_points_of_a_run_whose_publishing_failed_are_queued_and_the_run_keeps_its_exit_code(project, monkeypatch, capsys):
    monkeypatch.setenv("BCCE_RETRY_INITIAL_WAIT", "0")
    assert stopped_apply(project, monkeypatch) == ExitCode.CIRCUIT_OPEN
    err = capsys.readouterr().err
    assert "could not publish metrics to CloudWatch" in err and "kept in" in err
    points = {(e.datum.name, e.datum.dimensions): e.datum.value for e in queued()}
    assert points[("DeploymentFailures", (("Region", "us-east-1"), ("Stack", "bcce")))] == 1
    assert points[("CircuitBreakerOpen", (("Region", "us-east-1"), ("Stack", "bcce")))] == 1
    assert points[("CircuitBreakerOpen", (("Breaker", APPLY_BREAKER), ("Region", "us-east-1"), ("Stack", "bcce")))] == 1


@pytest.mark.parametrize("switch", ["environment", "config"])
def test_publishing_turned_off_queues_and_sends_nothing(project, monkeypatch, capsys, switch):
    config = dict(CONFIG)
    if switch == "environment":
        monkeypatch.setenv("BCCE_PUBLISH_METRICS", "0")
    else:
        config["monitoring"] = {"publish_metrics": False}
    assert stopped_apply(project, monkeypatch, config) == ExitCode.CIRCUIT_OPEN
    assert "publish" not in capsys.readouterr().err
    assert queued() == []


def test_a_bad_publishing_switch_stops_the_run_before_it_starts(project, monkeypatch, capsys):
    monkeypatch.setenv("BCCE_PUBLISH_METRICS", "sometimes")
    (project / "bcce.json").write_text(json.dumps(CONFIG))
    assert run(["apply", "--auto-approve"]) == ExitCode.USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "BCCE_PUBLISH_METRICS" in err[0] and "sometimes" in err[0]
    assert not history.history_path(dict(os.environ)).exists(), "nothing ran"


@pytest.mark.parametrize(("components", "exit_code"), [
    (["--component", "circuit-breakers,history"], ExitCode.OK),  # no live check: the publisher reads the config itself
    ([], ExitCode.UNHEALTHY),  # every component: the live checks load the config; nothing is deployed here
])
def test_a_doctor_run_reads_the_config_and_publishes_the_breakers_it_shows(project, monkeypatch, capsys, components, exit_code):
    (project / "bcce.json").write_text(json.dumps(CONFIG))
    open_breaker()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("BCCE_RETRY_INITIAL_WAIT", "0")
    assert run(["--endpoint-url", f"http://127.0.0.1:{free_port()}", "doctor", *components]) == exit_code
    [record] = history.read(history.history_path(dict(os.environ)))
    assert (record["operation"], record["exit_code"]) == ("doctor", exit_code)
    points = {(e.datum.name, e.datum.dimensions): e.datum.value for e in queued()}
    assert points[("CircuitBreakerOpen", (("Breaker", APPLY_BREAKER), ("Region", "us-east-1"), ("Stack", "bcce")))] == 1
    assert points[("CircuitBreakerOpen", (("Region", "us-east-1"), ("Stack", "bcce")))] == 1
    assert not any(name.startswith("Deployment") for name, _ in points), "doctor is no deployment"


def test_a_doctor_run_without_a_config_publishes_nothing(project, monkeypatch, capsys):
    open_breaker()
    assert run(["doctor", "--component", "circuit-breakers"]) == 0
    assert "publish" not in capsys.readouterr().err
    assert queued() == []
    [record] = history.read(history.history_path(dict(os.environ)))
    assert record["operation"] == "doctor", "recorded all the same"
