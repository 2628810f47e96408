"""`bcce doctor` and `bcce reset-circuit-breaker`: the state of the circuit breakers and recent runs."""

from __future__ import annotations

import json
import os
from typing import Any, Optional

import typer

from bcce_tf.cli.common import options

from bcce_tf.health.names import LIVE_COMPONENTS

DOCTOR_COMPONENTS = (*LIVE_COMPONENTS, "circuit-breakers", "history", "all")
# Cost Explorer charges for every request, so a doctor polled from cron must not read it unasked.
DOCTOR_DEFAULT = tuple(name for name in DOCTOR_COMPONENTS if name not in ("cost", "all"))
DOCTOR_FORMATS = ("text", "json", "markdown")


def _store(ctx: typer.Context):
    from bcce_tf.cli.runtime import breaker_store

    opts = options(ctx)
    run = ctx.find_root().meta.get("bcce", {})
    return breaker_store(dict(os.environ), profile=opts.profile, endpoint_url=opts.endpoint_url,
                         correlation_id=run.get("correlation_id"))


def _where(store: Any) -> str:
    path = getattr(store, "path", None)
    if path is not None:
        return str(path)
    table = getattr(store, "table_name", None)
    return f"DynamoDB table {table}" if table else type(store).__name__


def _breaker_view(record: Any) -> dict[str, Any]:
    from bcce_tf.resilience.breaker import BreakerState, format_utc

    retry_at = record.retry_at if record.state is not BreakerState.CLOSED else None
    return {
        "name": record.name,
        "state": str(record.state),
        "failures": record.failures,
        "opened_at": format_utc(record.opened_at) if record.opened_at is not None else None,
        "retry_at": format_utc(retry_at) if retry_at is not None else None,
        "last_failure_reason": record.last_failure_reason,
        "last_transition": record.last_transition,
        "last_transition_at": format_utc(record.last_transition_at) if record.last_transition_at is not None else None,
    }


def _table(rows: list[list[str]], headers: list[str]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    lines = ["  " + "  ".join(str(cell).ljust(width) for cell, width in zip(headers, widths)).rstrip()]
    lines += ["  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return lines


def _attempts(attempts: dict[str, int]) -> str:
    retried = {name: count for name, count in attempts.items() if count > 1}
    if not attempts:
        return "-"
    if not retried:
        return "no retries"
    return ", ".join(f"{name} x{count}" for name, count in sorted(retried.items()))


def _forced_lines(runs: list[dict[str, Any]]) -> list[str]:
    """Runs that overrode the readiness gate with --force: who, when, the score and what failed."""
    forced = [r for r in runs if r.get("forced")]
    if not forced:
        return []
    lines = ["readiness gate overridden with --force:"]
    for run in reversed(forced):
        entry = run["forced"]
        failed = ", ".join(entry.get("failed_checks") or []) or "-"
        lines.append(f"  {entry.get('at', '?')} run {run.get('correlation_id', '')} {run.get('operation', '')} by "
                     f"{entry.get('caller_arn', 'unknown')}: score {entry.get('score')}/100 "
                     f"(minimum {entry.get('min_score')}); failed: {failed}")
    return lines


def doctor_command(
    ctx: typer.Context,
    component: Optional[list[str]] = typer.Option(None, "--component", help="What to check (comma-separated or repeated): "
                                                  + ", ".join(DOCTOR_COMPONENTS) + " (default: all but cost, whose"
                                                  " Cost Explorer requests are charged)."),
    limit: int = typer.Option(10, "--limit", min=1, max=1000, help="How many of the most recent runs to show."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document (same as --format json)."),
    fmt: str = typer.Option("text", "--format", "-f", help="Output format: text, json or markdown."),
) -> None:
    """Check the live health of every deployed stack (credentials, state, security controls, services)
    and show every circuit breaker and the most recent runs. Exits 14 when a check is unhealthy."""
    from bcce_tf import history
    from bcce_tf.cli.lists import choose
    from bcce_tf.errors import UsageError
    from bcce_tf.exit_codes import ExitCode
    from bcce_tf.health import report as health_report
    from bcce_tf.health.model import Health, verdict
    from bcce_tf.resilience.breaker import list_breakers

    chosen = choose(component, "--component", DOCTOR_COMPONENTS) or list(DOCTOR_DEFAULT)
    if "all" in chosen:
        chosen = [name for name in DOCTOR_COMPONENTS if name != "all"]
    if fmt not in DOCTOR_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(DOCTOR_FORMATS)}, not '{fmt}'")
    if as_json:
        fmt = "json"
    report: dict[str, Any] = {}
    lines: list[str] = []
    live = [name for name in chosen if name in LIVE_COMPONENTS]
    results = []
    if live:
        from bcce_tf.cli.doctor_live import live_results

        results = live_results(ctx, live)
        report["health"] = health_report.to_dict(results)
        lines += health_report.text_lines(results)
    if "circuit-breakers" in chosen:
        store = _store(ctx)
        breakers = [_breaker_view(record) for record in list_breakers(store)]
        report["circuit_breakers"] = breakers
        lines.append(f"circuit breakers ({_where(store)}):")
        if not breakers:
            lines.append("  none recorded yet")
        else:
            rows = [[b["name"], b["state"], str(b["failures"]), b["opened_at"] or "-", b["retry_at"] or "-",
                     b["last_failure_reason"] or "-"] for b in breakers]
            lines += _table(rows, ["NAME", "STATE", "FAILURES", "OPENED AT", "RETRY AT", "LAST FAILURE"])
    if "history" in chosen:
        path = history.history_path(dict(os.environ))
        runs = history.read(path, limit=limit)
        report["runs"] = runs
        lines.append(f"recent runs ({path}):")
        if not runs:
            lines.append("  none recorded yet")
        else:
            rows = [[str(r.get("end") or r.get("start", "")), str(r.get("operation", "")), str(r.get("correlation_id", "")),
                     str(r.get("outcome", "")), str(r.get("exit_code", "")), _attempts(r.get("attempts") or {})]
                    for r in reversed(runs)]
            lines += _table(rows, ["ENDED", "OPERATION", "RUN", "OUTCOME", "EXIT", "RETRIES"])
        lines += _forced_lines(runs)
    unhealthy = bool(results) and verdict(results) is Health.UNHEALTHY
    if fmt == "json":
        typer.echo(json.dumps(report, indent=2, sort_keys=True))
    elif fmt == "markdown":
        typer.echo(health_report.markdown(results) if results else "\n".join(lines))
    else:
        for line in lines:
            typer.echo(line)
    if unhealthy:
        raise typer.Exit(int(ExitCode.UNHEALTHY))


def reset_command(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="The breaker to close, as `bcce doctor` lists it."),
    reset_all: bool = typer.Option(False, "--all", help="Close every breaker."),
) -> None:
    """Close a circuit breaker (or all of them) and clear its failure count, so the next run
    calls the guarded target at once instead of waiting for the reset timeout."""
    from bcce_tf.errors import UsageError
    from bcce_tf.logs import logger
    from bcce_tf.resilience.breaker import reset_all as close_all
    from bcce_tf.resilience.breaker import reset_breaker

    if (name is None) == (not reset_all):
        store = _store(ctx)
        known = sorted(store.read_all())
        listing = f"known: {', '.join(known)}" if known else "no circuit breakers have been recorded yet"
        raise UsageError(f"give either a breaker NAME or --all; {listing}")
    store = _store(ctx)
    before = {record_name: record.state for record_name, record in store.read_all().items()}

    def on_transition(breaker: str, old: object, new: object) -> None:
        logger().info(f"circuit breaker {breaker}: {old} -> {new} (reset)")

    records = close_all(store, on_transition=on_transition) if reset_all else [
        reset_breaker(store, name or "", on_transition=on_transition)]
    if not records:
        typer.echo("no circuit breakers have been recorded yet")
    for record in records:
        was = before.get(record.name)
        typer.echo(f"{record.name}: closed" + (f" (was {was})" if was is not None and str(was) != "closed" else " (was already closed)"))


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor_command)
    app.command("reset-circuit-breaker")(reset_command)
