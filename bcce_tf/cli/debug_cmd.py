"""`bcce debug --component aws-clients`: the AWS client statistics of the last recorded runs."""

from __future__ import annotations

from typing import Optional

import typer

DEBUG_COMPONENTS = ("aws-clients",)


def debug_command(
    component: Optional[list[str]] = typer.Option(None, "--component", help="What to show: aws-clients (default)."),
    limit: int = typer.Option(5, "--limit", min=1, max=1000, help="How many of the most recent runs to read."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Troubleshooting: per service and region, the calls, retries, throttles, errors, latency and
    connection pool use of the AWS clients in the last recorded runs."""
    import json
    import os

    from bcce_tf import history
    from bcce_tf.cli.lists import choose
    from bcce_tf.errors import UsageError
    from bcce_tf.health.clients import runs_text, runs_view

    choose(component, "--component", DEBUG_COMPONENTS)
    if fmt not in ("text", "json"):
        raise UsageError(f"--format must be text or json, not '{fmt}'")
    path = history.history_path(dict(os.environ))
    view = runs_view(history.read(path, limit=limit))
    if fmt == "json":
        typer.echo(json.dumps({"aws_clients": view}, indent=2))
    else:
        typer.echo("\n".join(runs_text(view, str(path))))


def register(app: typer.Typer) -> None:
    app.command("debug")(debug_command)
