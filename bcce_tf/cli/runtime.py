"""Turn the global options and the config into the Runtime every stack operation takes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from bcce_tf.cli.common import GlobalOptions, load, options
from bcce_tf.config import Config
from bcce_tf.errors import UsageError
from bcce_tf.logs import logger
from bcce_tf.progress import Progress
from bcce_tf.resilience.breaker import BreakerSettings
from bcce_tf.resilience.guard import Resilience
from bcce_tf.resilience.policy import RetryEvent, RetryPolicy
from bcce_tf.stack import Runtime

MIRROR_ENV = "BCCE_PROVIDER_MIRROR"


def select_mirror(config: Config, environ: dict[str, str]) -> Path | None:
    """Which provider mirror Terraform installs from: 'auto' (default) uses the mirror built by
    `bcce providers mirror` when it exists and carries the provider generation the config uses."""
    from bcce_tf.providers import default_mirror_dir, load_manifest

    choice = environ.get(MIRROR_ENV, "auto").strip() or "auto"
    if choice == "off":
        return None
    if choice not in ("auto", "on"):
        return Path(choice)
    mirror = default_mirror_dir()
    available = load_manifest(mirror) is not None
    if choice == "on" and not available:
        raise UsageError(f"{MIRROR_ENV}=on but no provider mirror at {mirror}: run 'bcce providers mirror'")
    if available and (choice == "on" or config.provider.generation == 3):
        return mirror
    return None


def resilience_for(config: Config, environ: dict[str, str], transitions: list[dict[str, str]]) -> Resilience:
    settings = config.resilience
    policy = RetryPolicy.from_env(environ, max_attempts=settings.max_attempts, max_seconds=settings.max_seconds,
                                  lock_timeout=settings.lock_timeout)
    breakers = BreakerSettings.from_env(environ, fail_max=settings.breaker_fail_max,
                                        reset_timeout=settings.breaker_reset_seconds)

    def on_retry(event: RetryEvent) -> None:
        logger().warning(event.describe())

    def on_transition(name: str, old: str, new: str) -> None:
        transitions.append({"breaker": name, "from": str(old), "to": str(new)})
        logger().warning(f"circuit breaker {name}: {old} -> {new}")

    store = None
    if environ.get("BCCE_BREAKER_STORE", "file") == "dynamodb":
        import boto3

        from bcce_tf.resilience.dynamodb_store import DynamoDBBreakerStore

        table = environ.get("BCCE_BREAKER_TABLE", "bcce-circuit-breakers")
        store = DynamoDBBreakerStore(boto3.client("dynamodb", endpoint_url=environ.get("AWS_ENDPOINT_URL")), table)
    return Resilience(policy=policy, breakers=breakers, store=store, on_retry=on_retry, on_transition=on_transition)


def build(ctx: typer.Context, *, label: str = "terraform", config: Config | None = None) -> Runtime:
    opts: GlobalOptions = options(ctx)
    config = config or load(ctx)
    environ = dict(os.environ)
    state = ctx.find_root().meta.setdefault("bcce", {})
    transitions: list[dict[str, str]] = state.setdefault("transitions", [])
    resilience = resilience_for(config, environ, transitions)
    state["resilience"] = resilience
    interactive = sys.stdout.isatty() and opts.log_format == "text" and not opts.quiet
    progress = Progress(sys.stderr, interactive=interactive, label=label,
                        emit=lambda line: logger().info(line))
    state["progress"] = progress
    return Runtime(
        config=config,
        workdir=opts.workdir,
        correlation_id=state.get("correlation_id", ""),
        profile=opts.profile,
        endpoint_url=opts.endpoint_url,
        terraform_bin=opts.terraform_bin,
        provider_mirror=select_mirror(config, environ),
        resilience=resilience,
        on_event=progress,
        environ=environ,
    )


def regions(ctx: typer.Context, config: Config) -> list[str]:
    chosen = options(ctx).region
    if chosen is None:
        return list(config.regions)
    if chosen not in config.regions:
        raise UsageError(f"--region {chosen} is not one of the config's regions ({', '.join(config.regions)})")
    return [chosen]
