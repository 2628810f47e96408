"""Bounded parallel runs of target stacks, each in its own child process (`python -m bcce_tf`).

At most `parallelism` children run at once; each writes its own log file. A failed child does
not stop the others unless `fail_fast`. An interrupt (Ctrl-C, SIGTERM) is passed to every running
child as SIGINT, so each Terraform stops and releases its state lock; a child still running after
the grace period is killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcce_tf.exit_codes import ExitCode

NOT_RUN = -1  # a target that never started (fail-fast, interrupt)
INTERRUPT_GRACE_SECONDS = 120.0


@dataclass(frozen=True)
class ChildSpec:
    label: str
    argv: tuple[str, ...]
    env: Mapping[str, str]
    log_path: Path
    result_path: Path
    cwd: Path | None = None


@dataclass
class ChildOutcome:
    label: str
    exit_code: int
    duration: float
    log_path: Path
    result: dict[str, Any] = field(default_factory=dict)
    stopped: bool = False  # interrupted by --fail-fast because another target failed

    @property
    def status(self) -> str:
        if self.exit_code == NOT_RUN:
            return "not run"
        if self.stopped:
            return "stopped"
        if self.exit_code == 0:
            return "ok"
        if self.exit_code == int(ExitCode.CHANGES_PRESENT):
            return "changes" if "drifted" not in self.result else "drift"
        if self.exit_code == int(ExitCode.INTERRUPTED):
            return "interrupted"
        if self.exit_code == int(ExitCode.NOTHING_DEPLOYED):
            return "not deployed"
        return "failed"

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.label, "result": self.status, "exit_code": self.exit_code,
                "duration_seconds": round(self.duration, 1), "log": str(self.log_path), **self.result}


def run_codes(outcomes: Sequence[ChildOutcome]) -> list[int]:
    """The exit codes that decide the run: a target stopped by --fail-fast counts as not run, so
    the failure that stopped it is the run's exit code, not the interrupt it was stopped with."""
    return [NOT_RUN if outcome.stopped else outcome.exit_code for outcome in outcomes]


def worst(codes: Sequence[int]) -> int:
    """The run's exit code: an error beats 'changes present' (2), which beats success; among
    errors the interrupt first, then the highest code; a target that never ran counts as nothing."""
    ran = [c for c in codes if c != NOT_RUN]
    errors = [c for c in ran if c not in (0, int(ExitCode.CHANGES_PRESENT))]
    if int(ExitCode.INTERRUPTED) in errors:
        return int(ExitCode.INTERRUPTED)
    if errors:
        return max(errors)
    return int(ExitCode.CHANGES_PRESENT) if int(ExitCode.CHANGES_PRESENT) in ran else 0


def _read_result(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class _Running:
    def __init__(self, spec: ChildSpec, started: float) -> None:
        spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        spec.result_path.unlink(missing_ok=True)
        self.spec = spec
        self.started = started
        self.log = spec.log_path.open("w", encoding="utf-8")
        # A session of its own: a Ctrl-C at the terminal reaches the child once, from us.
        self.process = subprocess.Popen(list(spec.argv), env=dict(spec.env), cwd=spec.cwd, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def interrupt(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGINT)
            except ProcessLookupError:
                pass

    def close(self, clock: Callable[[], float], code: int | None = None) -> ChildOutcome:
        self.log.close()
        exit_code = self.process.returncode if code is None else code
        if exit_code is not None and exit_code < 0:  # killed by a signal
            exit_code = int(ExitCode.INTERRUPTED) if -exit_code in (signal.SIGINT, signal.SIGKILL, signal.SIGTERM) else 1
        return ChildOutcome(self.spec.label, int(exit_code if exit_code is not None else 1), clock() - self.started,
                            self.spec.log_path, _read_result(self.spec.result_path))


def run_all(specs: Sequence[ChildSpec], *, parallelism: int, fail_fast: bool = False,
            on_line: Callable[[str], None] = lambda line: None, clock: Callable[[], float] = time.monotonic,
            poll_seconds: float = 0.1, grace_seconds: float = INTERRUPT_GRACE_SECONDS) -> list[ChildOutcome]:
    """Run every spec, at most `parallelism` at once; outcomes in the order of `specs`. On
    KeyboardInterrupt every running child is interrupted and waited for (exit 130 each), and the
    targets not started are 'not run'."""
    pending = list(range(len(specs)))
    running: dict[int, _Running] = {}
    outcomes: dict[int, ChildOutcome] = {}
    stopping = False
    total = len(specs)

    def finish(index: int, item: _Running, code: int | None = None) -> None:
        outcome = item.close(clock, code)
        outcomes[index] = outcome
        changed = outcome.result.get("changed")
        on_line(f"[{len(outcomes)}/{total}] {outcome.label}: {outcome.status} (exit {outcome.exit_code}) in "
                f"{outcome.duration:.1f}s" + (f", {changed} changed" if changed is not None else "") + f"; log {outcome.log_path}")

    def stop_all(fail_fast_stop: bool = False) -> None:
        for item in running.values():
            item.interrupt()
        deadline = clock() + grace_seconds
        for index, item in list(running.items()):
            try:
                item.process.wait(timeout=max(0.0, deadline - clock()))
            except subprocess.TimeoutExpired:
                item.process.kill()
                item.process.wait()
            finish(index, item)
            outcomes[index].stopped = fail_fast_stop
            del running[index]

    try:
        while pending or running:
            while pending and len(running) < parallelism and not stopping:
                index = pending.pop(0)
                running[index] = _Running(specs[index], clock())
                on_line(f"{specs[index].label}: started (log {specs[index].log_path})")
            if stopping and pending:
                for index in pending:
                    outcomes[index] = ChildOutcome(specs[index].label, NOT_RUN, 0.0, specs[index].log_path)
                pending = []
            for index, item in list(running.items()):
                if index not in running:  # stopped by --fail-fast a moment ago
                    continue
                if item.process.poll() is not None:
                    finish(index, item)
                    del running[index]
                    if fail_fast and outcomes[index].exit_code not in (0, int(ExitCode.CHANGES_PRESENT)) and not stopping:
                        stopping = True
                        on_line(f"{outcomes[index].label} failed: --fail-fast stops the other targets")
                        stop_all(fail_fast_stop=True)
            if running:
                time.sleep(poll_seconds)
    except KeyboardInterrupt:
        on_line("interrupted: stopping every target (each releases its state lock)")
        stop_all()
        for index in pending:
            outcomes[index] = ChildOutcome(specs[index].label, NOT_RUN, 0.0, specs[index].log_path)
    return [outcomes[i] for i in range(len(specs))]
