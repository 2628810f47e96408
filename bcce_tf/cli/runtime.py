"""Turn the global options and the config into the Runtime every stack operation takes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from bcce_tf import run_record
from bcce_tf.cli.common import GlobalOptions, load, options
from bcce_tf.config import Config
from bcce_tf.errors import UsageError
from bcce_tf.logs import log_context, logger
from bcce_tf.progress import Progress
from bcce_tf.providers.resolve import MirrorChoice
from bcce_tf.resilience.breaker import BreakerSettings, BreakerStore, FileBreakerStore
from bcce_tf.resilience.guard import Resilience
from bcce_tf.resilience.policy import RetryEvent, RetryPolicy
from bcce_tf.stack import Runtime

MIRROR_ENV = "BCCE_PROVIDER_MIRROR"
# The breakers (terraform-<operation>:<stack>:<region>) of each command's main Terraform operations.
GUARDED_OPERATIONS = {
    "plan": ("terraform-plan",),
    "apply": ("terraform-apply",),
    "destroy": ("terraform-destroy",),
    "output": ("terraform-output",),
    "deploy": ("terraform-plan", "terraform-apply"),
}


def select_mirror(config: Config, environ: dict[str, str]) -> MirrorChoice | None:
    """Which provider mirror Terraform may install from: 'auto' (default) uses the mirror of
    `bcce providers mirror` when it holds what the rendered root requires (decided before Terraform
    runs, stack.prepare_providers); 'on' or a path makes that mirror the only source; 'off' leaves
    providers to Terraform."""
    from bcce_tf.providers import default_mirror_dir, load_manifest

    choice = environ.get(MIRROR_ENV, "auto").strip() or "auto"
    if choice == "off":
        return None
    if choice not in ("auto", "on"):
        return MirrorChoice(Path(choice), forced=True)
    mirror = default_mirror_dir()
    if choice == "on" and load_manifest(mirror) is None:
        raise UsageError(f"{MIRROR_ENV}=on but no provider mirror at {mirror}: run 'bcce providers mirror'")
    return MirrorChoice(mirror, forced=choice == "on")


def _first_given(*values: object | None) -> object | None:
    return next((value for value in values if value is not None), None)


def resilience_for(
    config: Config,
    environ: dict[str, str],
    transitions: list[dict[str, str]],
    *,
    opts: GlobalOptions | None = None,
    attempts: dict[str, int] | None = None,
    correlation_id: str | None = None,
) -> Resilience:
    """The retry policy and breakers of a run. Each setting comes from the first source that gives
    it: a flag (--max-attempts, --max-retry-seconds, --lock-timeout), the config's `resilience`
    block, the BCCE_* environment, the defaults. Asking for them means the run is about to touch
    AWS or Terraform: the run is announced ("bcce run <id>") if it was not yet."""
    run_record.announce()
    settings = config.resilience
    opts = opts or GlobalOptions()
    policy = RetryPolicy.from_env(
        environ,
        max_attempts=_first_given(opts.max_attempts, settings.max_attempts),
        max_seconds=_first_given(opts.max_retry_seconds, settings.max_seconds),
        lock_timeout=_first_given(opts.lock_timeout, settings.lock_timeout),
    )
    breakers = BreakerSettings.from_env(environ, fail_max=settings.breaker_fail_max,
                                        reset_timeout=settings.breaker_reset_seconds)

    def on_retry(event: RetryEvent) -> None:
        logger().warning(event.describe())

    def on_transition(name: str, old: str, new: str) -> None:
        transitions.append({"breaker": name, "from": str(old), "to": str(new)})
        logger().warning(f"circuit breaker {name}: {old} -> {new}")

    store = breaker_store(environ, profile=opts.profile, endpoint_url=opts.endpoint_url,
                          correlation_id=correlation_id, region=config.regions[0])
    return Resilience(policy=policy, breakers=breakers, store=store, on_retry=on_retry, on_transition=on_transition,
                      attempts=attempts if attempts is not None else {})


BREAKER_STORE_ENV = "BCCE_BREAKER_STORE"


def breaker_store(environ: dict[str, str], *, profile: str | None = None, endpoint_url: str | None = None,
                  correlation_id: str | None = None, region: str | None = None) -> BreakerStore:
    """Where breaker state lives: a locked file under BCCE_STATE_DIR (default), or with
    BCCE_BREAKER_STORE=dynamodb the table BCCE_BREAKER_TABLE, shared by a fleet of runners."""
    kind = environ.get(BREAKER_STORE_ENV, "file").strip() or "file"
    if kind == "file":
        return FileBreakerStore(environ=environ)
    if kind != "dynamodb":
        raise UsageError(f"{BREAKER_STORE_ENV} must be 'file' or 'dynamodb', not '{kind}'")
    from bcce_tf.aws import AwsClients
    from bcce_tf.resilience.dynamodb_store import DynamoDBBreakerStore

    table = environ.get("BCCE_BREAKER_TABLE", "bcce-circuit-breakers")
    table_region = (environ.get("BCCE_BREAKER_TABLE_REGION") or environ.get("AWS_REGION")
                    or environ.get("AWS_DEFAULT_REGION") or region or "us-east-1")
    clients = AwsClients(profile=profile, endpoint_url=endpoint_url or environ.get("AWS_ENDPOINT_URL"),
                         correlation_id=correlation_id, environ=environ)
    return DynamoDBBreakerStore(clients.client("dynamodb", table_region), table)


def build(ctx: typer.Context, *, label: str = "terraform", config: Config | None = None) -> Runtime:
    opts: GlobalOptions = options(ctx)
    config = config or load(ctx)
    environ = dict(os.environ)
    state = ctx.find_root().meta.setdefault("bcce", {})
    state["stack"] = config.stack_name
    state["config"] = config
    state["regions"] = [opts.region] if opts.region else list(config.regions)
    run_record.announce(state)
    transitions: list[dict[str, str]] = state.setdefault("transitions", [])
    resilience = resilience_for(config, environ, transitions, opts=opts, attempts=state.setdefault("attempts", {}),
                                correlation_id=state.get("correlation_id"))
    state["resilience"] = resilience
    config, account_id, profile, environ = _child_target(config, opts, environ, state.get("correlation_id", ""))
    state["config"] = config
    policy, breakers = resilience.policy, resilience.breakers
    logger().debug(f"retry policy: max_attempts={policy.max_attempts} max_seconds={policy.max_seconds:g} "
                   f"lock_timeout={policy.lock_timeout:g} initial_wait={policy.initial_wait:g} max_wait={policy.max_wait:g}; "
                   f"breakers: fail_max={breakers.fail_max} reset_seconds={breakers.reset_timeout:g}")
    # An open breaker of the command's own operation ends the run here, before readiness checks,
    # rendering or `terraform init` send anything to AWS.
    from bcce_tf.render import StackTarget
    from bcce_tf.stack import breaker_parts

    for kind in GUARDED_OPERATIONS.get(label, ()):
        for region in state["regions"]:
            with log_context(operation=kind, stack=config.stack_name, region=region):
                resilience.check_open(kind, *breaker_parts(StackTarget(config.stack_name, region, account_id), opts.endpoint_url))
    interactive = sys.stdout.isatty() and opts.log_format == "text" and not opts.quiet
    progress = Progress(sys.stderr, interactive=interactive, label=label,
                        emit=lambda line: logger().info(line))
    state["progress"] = progress
    return Runtime(
        config=config,
        workdir=opts.workdir,
        correlation_id=state.get("correlation_id", ""),
        profile=profile,
        endpoint_url=opts.endpoint_url,
        terraform_bin=opts.terraform_bin,
        provider_choice=select_mirror(config, environ),
        resilience=resilience,
        on_event=progress,
        environ=environ,
        account_id=account_id,
    )


def _child_target(config: Config, opts: GlobalOptions, environ: dict[str, str],
                  correlation_id: str) -> tuple[Config, str | None, str | None, dict[str, str]]:
    """With `targets` in the config the run works on exactly one target (--account/--region):
    that target's account, profile and environment, with the assumed role's credentials. The
    process works on this one target only, so its own environment carries them (boto3 reads it);
    no other target ever sees them. Without `targets`: the caller's profile and environment."""
    from bcce_tf import targets

    if not config.targets:
        return config, None, opts.profile, environ
    refs = targets.expand(config, account=opts.account, region=opts.region)
    if len(refs) != 1 or refs[0].target is None:
        # Never fall back to the caller's own account when the config names target accounts.
        raise UsageError(f"the config names {len(refs)} targets for this run ({', '.join(r.label for r in refs[:6])}); "
                         "choose one with --account ID and --region R")
    ref = refs[0]
    assert ref.target is not None
    creds = targets.credentials_env(ref.target, region=ref.region, correlation_id=correlation_id,
                                    endpoint_url=opts.endpoint_url, caller_profile=opts.profile, environ=environ)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        environ.pop(name, None)
        os.environ.pop(name, None)
    environ.update(creds)
    os.environ.update(creds)
    logger().info(f"target {ref.label}: " + (f"assumed {ref.target.role_arn}" if ref.target.role_arn else f"profile {ref.target.profile}"))
    # The target's own regions may differ from the config's: this run works on its one region.
    return config.with_values(regions=[ref.region]), ref.account_id, creds.get("AWS_PROFILE"), environ


def regions(ctx: typer.Context, config: Config) -> list[str]:
    chosen = options(ctx).region
    if chosen is None:
        return list(config.regions)
    if chosen not in config.regions:
        raise UsageError(f"--region {chosen} is not one of the config's regions ({', '.join(config.regions)})")
    return [chosen]
