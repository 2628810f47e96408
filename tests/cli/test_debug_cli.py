"""`bcce debug` reads the run history: runs without client statistics are skipped, newest first."""

from __future__ import annotations

import json

from bcce_tf import history
from bcce_tf.__main__ import run


def _line(service: str, peak: int, pool: int, throttles: int = 0) -> dict:
    return {"service": service, "region": "us-east-1", "clients_created": 1, "clients_reused": 0, "calls": 2, "attempts": 2 + throttles,
            "retries": throttles, "throttles": throttles, "errors": 0, "latency_p50_ms": 5.0, "latency_p95_ms": 9.0,
            "pool_size": pool, "peak_in_flight": peak, "utilization": peak / pool}


def test_debug_without_history_says_so(capsys):
    assert run(["debug"]) == 0
    assert "no recorded run has client statistics yet" in capsys.readouterr().out


def test_debug_lists_runs_newest_first_with_advice(capsys):
    history.append(history.RunRecord(operation="plan", correlation_id="a1", start="s", end="e1", outcome="success",
                                     aws_clients=[_line("sts", 1, 10)]))
    history.append(history.RunRecord(operation="readiness", correlation_id="b2", start="s", end="e2"))
    history.append(history.RunRecord(operation="apply", correlation_id="c3", start="s", end="e3", outcome="success",
                                     aws_clients=[_line("kms", 10, 10), _line("s3", 2, 10, throttles=3)]))
    assert run(["debug", "--format", "json"]) == 0
    view = json.loads(capsys.readouterr().out)["aws_clients"]
    assert [r["correlation_id"] for r in view] == ["c3", "a1"]
    kms, s3 = view[0]["clients"]
    assert "raise BCCE_CLIENT_POOL_SIZE" in kms["advice"] and s3["advice"].startswith("3 throttled attempt(s)")
    assert view[1]["clients"][0]["advice"] == ""
    assert run(["debug", "--limit", "1"]) == 0
    assert "run c3 apply" in capsys.readouterr().out
