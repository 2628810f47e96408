"""What every command shares: the global options and how to load the config from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # the config models (pydantic) load when a command reads the config, not at start-up
    from bcce_tf.config import Config


@dataclass
class GlobalOptions:
    config_path: Path | None = None
    stack_name: str | None = None
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    verbose: bool = False
    quiet: bool = False
    log_format: str = "text"
    terraform_bin: str | None = None
    workdir: Path = field(default_factory=Path.cwd)
    # Retry settings from flags; None = not given (config, then BCCE_* environment, then defaults).
    max_attempts: int | None = None
    max_retry_seconds: float | None = None
    lock_timeout: float | None = None
    account: str | None = None  # --account: one account of the config's targets
    parallelism: int | None = None  # --parallelism: target stacks at once (None = min(4, targets))


def options(ctx: typer.Context) -> GlobalOptions:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, GlobalOptions) else GlobalOptions()


def config_path(ctx: typer.Context) -> Path:
    from bcce_tf.config import find_config

    opts = options(ctx)
    return find_config(opts.config_path, opts.workdir)


def load(ctx: typer.Context) -> Config:
    """The validated config, with --stack-name applied; raises ConfigError (exit 4) when invalid."""
    from bcce_tf.config import load_config

    opts = options(ctx)
    config = load_config(config_path(ctx))
    if opts.stack_name:
        config = config.with_values(stack_name=opts.stack_name)
    ctx.find_root().meta.setdefault("bcce", {})["config"] = config  # read by the run's metrics publisher
    return config
