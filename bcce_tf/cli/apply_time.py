"""Apply duration estimates around plan, apply and deploy: shown before, compared after, kept."""

from __future__ import annotations

import os
from typing import Any

import typer


def _changes(summary: Any) -> list[tuple[str, str]]:
    """(resource type, action) of a PlanSummary or of its saved JSON."""
    if isinstance(summary, dict):
        return [(str(c.get("type", "")), str(c.get("action", ""))) for c in summary.get("changes") or []]
    return [(c.type, c.action) for c in summary.changes]


def announce(summary: Any, label: str = ""):  # noqa: ANN201 - durations.Estimate
    """Print the estimate of applying this plan (stderr: stdout may be JSON) and return it."""
    from bcce_tf import duration_store
    from bcce_tf.durations import estimate, estimate_line

    found = estimate(_changes(summary), duration_store.load(dict(os.environ)))
    typer.echo((f"{label}: " if label else "") + estimate_line(found), err=True)
    return found


def saved_plan_estimate(handle: Any, label: str = ""):  # noqa: ANN001, ANN201
    """The estimate of a saved plan's summary (None when there is none, as with --auto-approve)."""
    import json

    try:
        summary = json.loads(handle.summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return announce(summary, label)


def after_apply(result: Any, found: Any = None) -> str:
    """Keep the resource durations of the apply and, with an estimate, its error; the outcome line."""
    from bcce_tf import duration_store
    from bcce_tf.durations import Estimate, observations, outcome_line, record

    seen = observations(result.stdout.splitlines())
    has_estimate = found is not None and not found.empty
    try:
        duration_store.update(lambda h: record(h, seen, estimated=found.raw_seconds if has_estimate else None,
                                               actual=result.duration if has_estimate else None), dict(os.environ))
    except Exception as exc:  # noqa: BLE001 - keeping samples must never fail an apply that succeeded
        from bcce_tf.logs import logger

        logger().warning(f"apply durations not kept: {exc}")
    return outcome_line(found if has_estimate else Estimate(seconds=0.0), result.duration)
