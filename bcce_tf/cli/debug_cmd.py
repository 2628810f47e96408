"""`bcce debug --component aws-clients`: the AWS client statistics of the last recorded runs."""

from __future__ import annotations

from typing import Optional

import typer

DEBUG_COMPONENTS = ("aws-clients", "durations")


def debug_command(
    component: Optional[list[str]] = typer.Option(None, "--component", help="What to show: aws-clients (default), durations (the apply durations estimates are made from)."),
    limit: int = typer.Option(5, "--limit", min=1, max=1000, help="How many of the most recent runs to read."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Troubleshooting: per service and region, the calls, retries, throttles, errors, latency and
    connection pool use of the AWS clients in the last recorded runs; the apply durations seen."""
    import json
    import os

    from bcce_tf import history
    from bcce_tf.cli.lists import choose
    from bcce_tf.errors import UsageError
    from bcce_tf.health.clients import runs_text, runs_view

    chosen = choose(component, "--component", DEBUG_COMPONENTS) or ["aws-clients"]
    if fmt not in ("text", "json"):
        raise UsageError(f"--format must be text or json, not '{fmt}'")
    document: dict = {}
    lines: list[str] = []
    if "aws-clients" in chosen:
        path = history.history_path(dict(os.environ))
        document["aws_clients"] = runs_view(history.read(path, limit=limit))
        lines += runs_text(document["aws_clients"], str(path))
    if "durations" in chosen:
        from bcce_tf import duration_store
        from bcce_tf.durations import history_text, history_view

        document["durations"] = history_view(duration_store.load(dict(os.environ)))
        lines += history_text(document["durations"], str(duration_store.path(dict(os.environ))))
    if fmt == "json":
        typer.echo(json.dumps(document, indent=2))
    else:
        typer.echo("\n".join(lines))


def register(app: typer.Typer) -> None:
    app.command("debug")(debug_command)
