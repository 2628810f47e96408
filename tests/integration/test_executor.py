"""The executor with real child processes: Ctrl-C reaches every running child, --fail-fast stops
the others, targets not started are 'not run', and each child's log and result are its own."""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

from bcce_tf.executor import NOT_RUN, ChildSpec, run_all, run_codes, worst
from bcce_tf.exit_codes import ExitCode


def spec(tmp_path, label, code):
    return ChildSpec(label=label, argv=(sys.executable, "-c", code), env=dict(os.environ),
                     log_path=tmp_path / f"{label}.log", result_path=tmp_path / f"{label}.json")


LONG = "import time; time.sleep(60)"  # stopped by the signal long before it ends


def test_an_interrupt_stops_every_running_child_and_skips_the_rest(tmp_path):
    ready = {label: tmp_path / f"{label}.ready" for label in "abc"}
    # Each child says when its own code runs: a Ctrl-C during the interpreter's start-up ends it with 1, not 130.
    specs = [spec(tmp_path, label, f"import pathlib, time; pathlib.Path({str(ready[label])!r}).touch(); time.sleep(60)")
             for label in "abc"]
    started = []

    def on_line(line):
        if line.endswith(".log)") and "started" in line:
            started.append(line)
            if len(started) == 2:
                deadline = time.monotonic() + 25
                while not (ready["a"].exists() and ready["b"].exists()) and time.monotonic() < deadline:
                    time.sleep(0.05)  # polls a condition; the outcome does not depend on this interval
                raise KeyboardInterrupt  # as Ctrl-C at the terminal, once both children run

    begun = time.monotonic()
    outcomes = run_all(specs, parallelism=2, on_line=on_line, grace_seconds=30)
    assert time.monotonic() - begun < 30, "the children were stopped, not waited for"
    assert [o.exit_code for o in outcomes] == [int(ExitCode.INTERRUPTED), int(ExitCode.INTERRUPTED), NOT_RUN]
    assert [o.status for o in outcomes] == ["interrupted", "interrupted", "not run"]
    assert worst([o.exit_code for o in outcomes]) == ExitCode.INTERRUPTED


def test_fail_fast_stops_the_others_and_each_result_is_read_back(tmp_path):
    write = ("import json, os, sys; print('working'); "
             "open(os.environ['OUT'], 'w').write(json.dumps({'changed': 3})); sys.exit(5)")
    failing = spec(tmp_path, "a", write)
    failing = ChildSpec(**{**failing.__dict__, "env": {**failing.env, "OUT": str(failing.result_path)}})
    specs = [failing, spec(tmp_path, "b", LONG), spec(tmp_path, "c", LONG)]
    outcomes = run_all(specs, parallelism=2, fail_fast=True, grace_seconds=30)
    assert [o.exit_code for o in outcomes] == [5, int(ExitCode.INTERRUPTED), NOT_RUN]
    assert outcomes[0].result == {"changed": 3} and outcomes[1].result == {}
    assert (tmp_path / "a.log").read_text() == "working\n"
    assert [o.status for o in outcomes] == ["failed", "stopped", "not run"]
    assert worst(run_codes(outcomes)) == 5, "the failure that stopped the run is its exit code"


def test_without_fail_fast_one_failure_does_not_stop_the_others(tmp_path):
    specs = [spec(tmp_path, "a", "import sys; sys.exit(27)"), spec(tmp_path, "b", "print('ok')"),
             spec(tmp_path, "c", "import sys; sys.exit(2)")]
    outcomes = run_all(specs, parallelism=1)
    assert [(o.exit_code, o.status) for o in outcomes] == [(27, "failed"), (0, "ok"), (2, "changes")]
    assert json.loads(json.dumps([o.to_dict() for o in outcomes]))[1]["log"].endswith("b.log")


pytestmark = pytest.mark.integration
