"""Entry point: the only place bcce calls sys.exit."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bcce_tf.exit_codes import ExitCode

if TYPE_CHECKING:
    from bcce_tf.environment import Environment


def run(argv: Sequence[str] | None = None, environment: Environment | None = None) -> int:
    """Run the CLI and return its exit code; every error becomes a one-line message, and a run
    of a recorded command (plan, apply, destroy, ...) leaves its run record, failed or not.
    `environment`: what the commands read instead of the process's own (None: the process's)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    if args == ["--version"]:  # answered before the command tree is built: the same line `--version` prints
        from bcce_tf import __version__

        print(f"bcce {__version__}")
        return int(ExitCode.OK)
    import typer
    from typer._click import exceptions as click_errors

    from bcce_tf import fanout

    fanout.INVOKED[:] = args  # a run over several targets starts one child per target with them

    from bcce_tf.cli.app import command as cli_command
    from bcce_tf.errors import BcceError

    # Until the global options are parsed, errors go as text to this run's stderr: a logger set
    # up by an earlier run in this process is reset; without one, _report prints the same line.
    if "bcce_tf.logs" in sys.modules:
        from bcce_tf.logs import configure, new_correlation_id

        configure(new_correlation_id())
    _finish_record(None)  # a recorder an earlier in-process run left unfinished is forgotten
    command = cli_command()
    code, error = int(ExitCode.OK), ""
    try:
        result = command.main(args=list(argv) if argv is not None else None, prog_name="bcce", standalone_mode=False,
                              obj=environment)
        code = int(result) if isinstance(result, int) else int(ExitCode.OK)
    except BcceError as exc:
        _report(exc)
        code, error = int(exc.exit_code), str(exc)
    except typer.Exit as exc:
        code = int(exc.exit_code)
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        code, error = int(ExitCode.INTERRUPTED), "aborted"
    except click_errors.NoArgsIsHelpError as exc:
        exc.show()
        code, error = int(ExitCode.USAGE), "no command given"
    except click_errors.ClickException as exc:
        error = " ".join(exc.format_message().split())
        where = getattr(getattr(exc, "ctx", None), "command_path", None) or "bcce"
        print(f"error: {error} (see '{where} --help')", file=sys.stderr)
        code = int(ExitCode.USAGE)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        code, error = int(ExitCode.INTERRUPTED), "interrupted"
    except SystemExit as exc:  # click exits by itself when stdout or stderr is a closed pipe
        _finish_record(exc.code if isinstance(exc.code, int) else int(exc.code is not None), "exited early")
        raise
    except Exception as exc:
        _finish_record(int(ExitCode.ERROR), f"{type(exc).__name__}: {exc}")
        raise
    _finish_record(code, error)
    return code


def _finish_record(code: int | None, error: str = "") -> None:
    """Finish the run record of this run (None: forget an unfinished one). A run is recorded only
    once the root callback has loaded bcce_tf.run_record, so without it there is nothing to do
    (`--help` never loads it)."""
    run_record = sys.modules.get("bcce_tf.run_record")
    if run_record is None:
        return
    if code is None:
        run_record.discard()
    else:
        run_record.finish(code, error)


def _report(exc: Exception) -> None:
    from bcce_tf import run_record
    from bcce_tf.logs import current_correlation_id, logger

    message = str(exc)
    recorder = run_record.active()
    if recorder is not None and run_record.banner_hidden():
        # With --quiet the "bcce run <id>" line is not shown: the error line names the run so it
        # can be found in `bcce doctor` and the run history.
        message = f"{message} (run {recorder.correlation_id or current_correlation_id()})"
    log = logger()
    if log.handlers:
        log.error(message)
    else:
        print(f"error: {message}", file=sys.stderr)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # Handled like Ctrl-C, so a running Terraform is interrupted and releases its state lock.
    raise KeyboardInterrupt


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    sys.exit(run())


if __name__ == "__main__":
    main()
