"""The bcce command line: global options here, each command group in its own module."""

from pathlib import Path
from typing import Any, Optional

import typer

from bcce_tf import __version__
from bcce_tf.cli import (
    claude_code_cmd,
    config_cmd,
    cost,
    drift_cmd,
    local_cmd,
    metrics_cmd,
    providers_cmd,
    readiness_cmd,
    report_cmd,
    resilience_cmd,
    stack_cmds,
    state_cmd,
    targets_cmd,
    validate_cmd,
)
from bcce_tf.cli import credentials_cmd
from bcce_tf.cli import debug_cmd
from bcce_tf.cli import package_cmd
from bcce_tf.cli.common import GlobalOptions, run_state

app = typer.Typer(
    name="bcce",
    help="Roll out Claude Code on Amazon Bedrock: render, gate and apply its AWS infrastructure with Terraform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def logger_correlation_id() -> str:
    from bcce_tf.logs import current_correlation_id

    return current_correlation_id()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"bcce {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    ctx: typer.Context,
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="Config file (default: ./bcce.json, else ./.bcce.config.json)."),
    stack_name: Optional[str] = typer.Option(None, "--stack-name", help="Override the config's stack_name."),
    region: Optional[str] = typer.Option(None, "--region", help="Work on this one region of the config only."),
    profile: Optional[str] = typer.Option(None, "--profile", envvar="AWS_PROFILE", help="AWS profile (default credential chain without)."),
    endpoint_url: Optional[str] = typer.Option(None, "--endpoint-url", envvar="AWS_ENDPOINT_URL", help="Send every AWS call to this URL (emulator, LocalStack, proxy)."),
    terraform_bin: Optional[str] = typer.Option(None, "--terraform-bin", envvar="BCCE_TERRAFORM_BIN", help="Your own terraform or tofu binary instead of the bundled Terraform."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug output."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Warnings and errors only."),
    log_format: str = typer.Option("text", "--log-format", help="text or json (one JSON object per line).", envvar="BCCE_LOG_FORMAT"),
    max_attempts: Optional[int] = typer.Option(None, "--max-attempts", min=1, max=20, help="Attempts of a failing operation before giving up (config resilience.max_attempts, BCCE_RETRY_MAX_ATTEMPTS; default 5)."),
    max_retry_seconds: Optional[float] = typer.Option(None, "--max-retry-seconds", min=0, max=86400, help="Time budget of the retries of one operation (config resilience.max_seconds, BCCE_RETRY_MAX_SECONDS; default 900)."),
    lock_timeout: Optional[float] = typer.Option(None, "--lock-timeout", min=0, max=3600, help="Seconds to wait for a Terraform state lock held by another run (config resilience.lock_timeout, BCCE_LOCK_TIMEOUT; default 300)."),
    account: Optional[str] = typer.Option(None, "--account", help="Work on this one account of the config's targets only (12 digits).", metavar="ID"),
    parallelism: Optional[int] = typer.Option(None, "--parallelism", help="Target stacks run at once, each in its own process (default: min(4, targets); 1 = one after the other).", metavar="N"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """The global options, declared once: every command accepts them as well (see global_options)."""


def start(ctx: typer.Context, values: dict[str, Any]) -> None:
    """Set up the run once the command line is parsed: logging, the options every command reads,
    the correlation id and, for recorded commands, the run record."""
    from bcce_tf.environment import Environment
    from bcce_tf.errors import UsageError
    from bcce_tf.logs import configure, logger, new_correlation_id

    log_format, verbose, quiet = values["log_format"], values["verbose"], values["quiet"]
    endpoint_url = values["endpoint_url"]
    configure(logger_correlation_id(), fmt=log_format if log_format in ("text", "json") else "text", verbose=verbose, quiet=quiet)
    if log_format not in ("text", "json"):
        raise UsageError(f"--log-format must be text or json, not '{log_format}'")
    if endpoint_url is not None and not endpoint_url.startswith(("http://", "https://")):
        raise UsageError(f"--endpoint-url must be an http(s) URL, not '{endpoint_url}'")
    if values["region"] is not None:
        from bcce_tf import regions

        regions.check(values["region"], "--region")
    if values["account"] is not None or values["parallelism"] is not None:
        from bcce_tf import targets

        targets.check_options(values["account"], values["parallelism"])
    root = ctx.find_root()
    given = root.obj.environment if isinstance(root.obj, GlobalOptions) else root.obj
    environment = given if isinstance(given, Environment) else Environment.from_process()
    root.obj = GlobalOptions(
        config_path=values["config"], stack_name=values["stack_name"], region=values["region"], profile=values["profile"],
        endpoint_url=endpoint_url, verbose=verbose, quiet=quiet, log_format=log_format, terraform_bin=values["terraform_bin"],
        workdir=environment.cwd, max_attempts=values["max_attempts"], max_retry_seconds=values["max_retry_seconds"],
        lock_timeout=values["lock_timeout"], account=values["account"], parallelism=values["parallelism"],
        environment=environment,
    )
    correlation_id = environment.environ.get("BCCE_CORRELATION_ID") or logger_correlation_id() or new_correlation_id()
    state = run_state(root)
    state.correlation_id = correlation_id
    configure(correlation_id, fmt=log_format, verbose=verbose, quiet=quiet)
    top = ctx
    while top.parent is not None and top.parent.parent is not None:
        top = top.parent
    logger().debug(f"bcce {__version__}: {top.info_name}")
    state.options = root.obj
    from bcce_tf import run_record

    if top.info_name in run_record.RECORDED_COMMANDS:
        from bcce_tf.metrics.publish import environment_setting

        environment_setting(environment.environ)  # a bad BCCE_PUBLISH_METRICS fails now, not at the run's end
        run_record.begin(top.info_name, correlation_id, state)


_command: list[Any] = []


def command() -> Any:
    """The click command of the whole CLI, global options attached to every command. Each
    top-level command is built from its declaration when it is first looked up (lazy_tree)."""
    if not _command:
        from bcce_tf.cli import lazy_tree
        from bcce_tf.cli.global_options import attach

        root: list[Any] = []
        root.append(lazy_tree.build(app, lambda tree: attach(tree, root[0], start)))
        _command.append(root[0])
    return _command[0]


config_cmd.register(app)
stack_cmds.register(app)
providers_cmd.register(app)
local_cmd.register(app)
state_cmd.register(app)
resilience_cmd.register(app)
readiness_cmd.register(app)
cost.register(app)
validate_cmd.register(app)
metrics_cmd.register(app)
claude_code_cmd.register(app)
credentials_cmd.register(app)
debug_cmd.register(app)
drift_cmd.register(app)
targets_cmd.register(app)
report_cmd.register(app)
package_cmd.register(app)
