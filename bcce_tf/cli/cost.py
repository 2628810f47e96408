"""`bcce cost estimate`: what the configured deployment costs a month, with its assumptions;
`bcce cost analysis`: what it actually cost, from Cost Explorer, beside the estimate."""

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


ANALYSIS_FORMATS = ("text", "json", "markdown", "csv")


def analysis_command(
    ctx: typer.Context,
    period: str = typer.Option("30d", "--period", help="30d, 90d (any Nd up to 365d), mtd, or YYYY-MM-DD:YYYY-MM-DD (end inclusive)."),
    breakdown: str = typer.Option("service", "--breakdown", help="service, usage-type, region or stack."),
    output_format: str = typer.Option("text", "--format", help="text, json, markdown or csv."),
) -> None:
    """Actual spend from Cost Explorer (tagged resources and Bedrock), the forecast and the estimate beside it,
    and what would save money (log groups kept longer than the config says)."""
    import json
    from datetime import date

    from bcce_tf.errors import UsageError
    from bcce_tf.spend.explorer import BREAKDOWNS
    from bcce_tf.spend.period import parse_period

    if output_format not in ANALYSIS_FORMATS:
        raise UsageError(f"--format must be one of {', '.join(ANALYSIS_FORMATS)}, not '{output_format}'")
    if breakdown not in BREAKDOWNS:
        raise UsageError(f"--breakdown must be one of {', '.join(BREAKDOWNS)}, not '{breakdown}'")
    chosen = parse_period(period, date.today())

    import os

    from bcce_tf.aws import AwsClients
    from bcce_tf.cli.common import load, options
    from bcce_tf.cli.runtime import resilience_for
    from bcce_tf.spend.analysis import analyse
    from bcce_tf.spend.report import render_csv, render_markdown, render_text

    opts = options(ctx)
    config = load(ctx)
    run = ctx.find_root().meta.setdefault("bcce", {})
    run.update(operation="cost analysis", stack=config.stack_name)
    resilience = resilience_for(config, dict(os.environ), run.setdefault("transitions", []), opts=opts,
                                attempts=run.setdefault("attempts", {}), correlation_id=run.get("correlation_id"))
    clients = AwsClients(profile=opts.profile, endpoint_url=opts.endpoint_url, resilience=resilience,
                         correlation_id=run.get("correlation_id"))
    result = analyse(clients, config, chosen, breakdown, date.today())
    if output_format == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        render = {"text": render_text, "markdown": render_markdown, "csv": render_csv}[output_format]
        typer.echo(render(result), nl=False)


def register(app: typer.Typer) -> None:
    group = typer.Typer(name="cost", help="Cost of the deployment.", no_args_is_help=True, rich_markup_mode=None)
    group.command("estimate")(estimate_command)
    group.command("analysis")(analysis_command)
    app.add_typer(group, name="cost")
