"""`bcce local up|down|status`: the embedded AWS emulator on a loopback port."""

from __future__ import annotations

from typing import Optional

import typer

from bcce_tf.exit_codes import ExitCode

local = typer.Typer(help="The embedded AWS emulator (moto server) for trying bcce without an AWS account.", no_args_is_help=True)


@local.command("up")
def up_command(
    ctx: typer.Context,
    port: Optional[int] = typer.Option(None, "--port", min=1, max=65535, help="Loopback port, 1-65535 (default: a free one)."),
    ready: bool = typer.Option(False, "--ready", help="Then make the emulated account ready: a logging multi-region "
                               "CloudTrail trail, a recording AWS Config recorder with a delivery channel in each region "
                               "of the config (or --region, else us-east-1). Root MFA cannot be set through any API."),
) -> None:
    """Start the emulator (if not running) and print its URL; with --ready, prepare its account."""
    from bcce_tf.local_emulator import up

    info, started = up(port)
    typer.echo(info.url)
    typer.echo(f"{'started' if started else 'already running'} (pid {info.pid}); use --endpoint-url {info.url}", err=True)
    if ready:
        from bcce_tf.aws import AwsClients
        from bcce_tf.emulator.account import make_ready, report_lines

        regions = _account_regions(ctx)
        typer.echo(f"making the emulated account ready in {', '.join(regions)}:", err=True)
        for line in report_lines(make_ready(AwsClients(endpoint_url=info.url), regions)):
            typer.echo(f"  {line}", err=True)


def _account_regions(ctx: typer.Context) -> list[str]:
    """The config's regions (narrowed by --region) when there is a config, else --region, else us-east-1."""
    from bcce_tf.cli.common import config_path, load, options
    from bcce_tf.cli.runtime import regions

    if config_path(ctx).exists():
        return regions(ctx, load(ctx))
    return [options(ctx).region or "us-east-1"]


@local.command("down")
def down_command() -> None:
    """Stop the emulator."""
    from bcce_tf.local_emulator import down

    info = down()
    typer.echo("stopped" if info else "not running", err=True)


@local.command("status")
def status_command() -> None:
    """Print the emulator URL, or exit 11 when it does not run."""
    from bcce_tf.local_emulator import status

    info = status()
    if info is None:
        typer.echo("not running", err=True)
        raise typer.Exit(int(ExitCode.ENVIRONMENT))
    typer.echo(info.url)


def register(app: typer.Typer) -> None:
    app.add_typer(local, name="local")
