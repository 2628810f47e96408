"""`bcce cost estimate`: what the configured deployment costs a month, with its assumptions."""

from __future__ import annotations


import typer


def estimate_command(
    ctx: typer.Context,
    users: int | None = typer.Option(None, "--users", min=1, max=100_000, help="Number of developers (default: the config's users)."),
    output_format: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Estimate the monthly cost of the configured components and of Claude token usage."""
    import json

    from bcce_tf.cli.common import load
    from bcce_tf.cost import estimate, render_text
    from bcce_tf.errors import UsageError

    if output_format not in ("text", "json"):
        raise UsageError(f"--format must be text or json, not '{output_format}'")
    result = estimate(load(ctx), users=users)
    if output_format == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        typer.echo(render_text(result), nl=False)


def register(app: typer.Typer) -> None:
    group = typer.Typer(name="cost", help="Cost of the deployment.", no_args_is_help=True, rich_markup_mode=None)
    group.command("estimate")(estimate_command)
    app.add_typer(group, name="cost")
