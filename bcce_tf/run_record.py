"""The run record of one CLI invocation, and the line that announces the run.

The root callback starts a recorder for the commands that change or inspect infrastructure;
`__main__.run` finishes it with the exit code once every error has been mapped, so a failed run
is recorded as surely as a successful one. The recorder reads what the run left in the shared
`ctx.meta["bcce"]` dict: attempts per operation, breaker transitions, stack and regions.
"""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcce_tf.exit_codes import ExitCode

# Top-level commands whose every invocation leaves a run record.
RECORDED_COMMANDS = frozenset({"plan", "apply", "destroy", "deploy", "readiness", "state", "doctor", "drift"})


def utc_stamp(epoch: float) -> str:
    """ISO-8601 UTC to the millisecond: 2026-01-31T12:00:00.123Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


def outcome_of(exit_code: int, operation: str) -> str:
    if exit_code == ExitCode.OK:
        return "success"
    if exit_code == ExitCode.CHANGES_PRESENT and operation == "plan":
        return "changes-present"
    try:
        return ExitCode(exit_code).name.lower().replace("_", "-")
    except ValueError:
        return f"exit-{exit_code}"


@dataclass
class RunRecorder:
    operation: str
    correlation_id: str
    state: MutableMapping[str, Any]  # ctx.meta["bcce"] of the run
    started: float = field(default_factory=time.time)
    path: Path | None = None  # None: the history file under BCCE_STATE_DIR

    def record(self, exit_code: int, error: str = "", ended: float | None = None) -> Any:
        """The RunRecord of this run as it ended."""
        from bcce_tf import client_stats
        from bcce_tf.history import RunRecord

        ended = time.time() if ended is None else ended
        operation = str(self.state.get("operation") or self.operation)
        return RunRecord(
            operation=operation,
            correlation_id=self.correlation_id,
            start=utc_stamp(self.started),
            end=utc_stamp(ended),
            outcome=outcome_of(exit_code, self.operation),
            exit_code=exit_code,
            stack=str(self.state.get("stack", "")),
            regions=list(self.state.get("regions", [])),
            attempts=dict(self.state.get("attempts", {})),
            breaker_transitions=[dict(item) for item in self.state.get("transitions", [])],
            readiness_score=self.state.get("readiness_score"),
            drifted_resources=self.state.get("drifted_resources"),
            error=error,
            duration=round(ended - self.started, 3),
            forced=self.state.get("forced"),
            aws_clients=client_stats.run_snapshot(),
        )

    def finish(self, exit_code: int, error: str = "") -> Any:
        from bcce_tf import history

        record = self.record(exit_code, error)
        history.append(record, self.path)
        return record


_active: list[RunRecorder] = []


def begin(operation: str, correlation_id: str, state: MutableMapping[str, Any], path: Path | None = None) -> RunRecorder:
    """Start recording this invocation (one recorder per process at a time; a new one replaces it)."""
    from bcce_tf.client_stats import begin_run

    recorder = RunRecorder(operation=operation, correlation_id=correlation_id, state=state, path=path)
    _active[:] = [recorder]
    begin_run()
    return recorder


def discard() -> None:
    """Forget a recorder that was started but never finished (an earlier in-process invocation)."""
    _active.clear()


def active() -> RunRecorder | None:
    return _active[0] if _active else None


def finish(exit_code: int, error: str = "") -> Any:
    """Write the record of the active run, if any; never raises (a full disk must not hide the
    run's own outcome), but says so on the log."""
    if not _active:
        return None
    recorder = _active.pop()
    try:
        record = recorder.finish(exit_code, error)
    except Exception as exc:  # noqa: BLE001 - reporting the run's own result matters more
        from bcce_tf.logs import logger

        logger().warning(f"could not write the run record of run {recorder.correlation_id}: {exc}")
        return None
    _publish_metrics(recorder, record)
    return record


def _publish_metrics(recorder: RunRecorder, record: Any) -> None:
    """The run's metrics to CloudWatch (bcce_tf.metrics.publish); never changes the run's outcome."""
    from dataclasses import asdict

    from bcce_tf.logs import logger

    try:
        from bcce_tf.metrics.publish import after_run

        after_run(asdict(record), recorder.state)
    except KeyboardInterrupt:
        logger().warning(f"publishing the metrics of run {recorder.correlation_id} interrupted; unsent points stay queued")
    except Exception as exc:  # noqa: BLE001 - the run's own result matters more
        logger().warning(f"could not publish the metrics of run {recorder.correlation_id}: {exc}")


def announce(state: MutableMapping[str, Any] | None = None) -> None:
    """Log "bcce run <id>" once per run (`state` is its ctx.meta["bcce"]; None: the recorded run
    in progress), when it is about to touch AWS or Terraform."""
    if state is None:
        recorder = active()
        if recorder is None:
            return
        state = recorder.state
    if state.get("announced"):
        return
    state["announced"] = True
    from bcce_tf.logs import logger

    logger().info(f"bcce run {state.get('correlation_id', '')}")


def banner_hidden() -> bool:
    """True when info lines (and so the "bcce run <id>" line) are not shown, as with --quiet."""
    import logging

    from bcce_tf.logs import logger

    return not logger().isEnabledFor(logging.INFO)
