"""Entry point: the only place bcce calls sys.exit."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bcce_tf.exit_codes import ExitCode


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; every error becomes a one-line message."""
    import click

    from bcce_tf.cli.app import app
    from bcce_tf.errors import BcceError

    command = __import__("typer").main.get_command(app)
    try:
        result = command.main(args=list(argv) if argv is not None else None, prog_name="bcce", standalone_mode=False)
    except BcceError as exc:
        _report(exc)
        return int(exc.exit_code)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    return int(result) if isinstance(result, int) else int(ExitCode.OK)


def _report(exc: Exception) -> None:
    from bcce_tf.logs import logger

    log = logger()
    if log.handlers:
        log.error(str(exc))
    else:
        print(f"error: {exc}", file=sys.stderr)


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
