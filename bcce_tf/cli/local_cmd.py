"""`bcce local up|down|status`: the embedded AWS emulator on a loopback port."""

from __future__ import annotations

from typing import Optional

import typer

from bcce_tf.exit_codes import ExitCode

local = typer.Typer(help="The embedded AWS emulator (moto server) for trying bcce without an AWS account.", no_args_is_help=True)


@local.command("up")
def up_command(port: Optional[int] = typer.Option(None, "--port", min=1, max=65535, help="Loopback port, 1-65535 (default: a free one).")) -> None:
    """Start the emulator (if not running) and print its URL."""
    from bcce_tf.local_emulator import up

    info, started = up(port)
    typer.echo(info.url)
    typer.echo(f"{'started' if started else 'already running'} (pid {info.pid}); use --endpoint-url {info.url}", err=True)


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
