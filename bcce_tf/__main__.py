"""Entry point: the only place bcce calls sys.exit."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bcce_tf.exit_codes import ExitCode


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; every error becomes a one-line message."""
    import typer
    from typer._click import exceptions as click_errors

    from bcce_tf.cli.app import app
    from bcce_tf.errors import BcceError
    from bcce_tf.logs import configure, new_correlation_id

    # Until the global options are parsed, errors go as text to this run's stderr.
    configure(new_correlation_id())
    command = typer.main.get_command(app)
    try:
        result = command.main(args=list(argv) if argv is not None else None, prog_name="bcce", standalone_mode=False)
    except BcceError as exc:
        _report(exc)
        return int(exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except click_errors.ClickException as exc:
        exc.show()
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
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
