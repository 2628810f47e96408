"""The readiness gate in front of plan, apply and deploy, and the one way the CLI runs readiness."""

from __future__ import annotations

import typer

from bcce_tf.config import Config
from bcce_tf.readiness.model import Report
from bcce_tf.stack import Runtime


def run_readiness(ctx: typer.Context, config: Config, *, min_score: int | None = None,
                  runtime: Runtime | None = None) -> Report:
    """Readiness of `config` in the regions the command works on, with the caller's profile,
    endpoint, breakers and correlation id; the threshold is --min-score, else BCCE_MIN_SCORE,
    else the config's readiness.min_score."""
    from bcce_tf.cli.common import environment, options, run_state
    from bcce_tf.cli.runtime import regions, resilience_for
    from bcce_tf.readiness import assess, resolve_min_score
    from bcce_tf.readiness.clients import readiness_clients

    opts = options(ctx)
    environ = dict(runtime.environ) if runtime is not None else dict(environment(ctx).environ)
    state = run_state(ctx)
    if runtime is not None:
        resilience = runtime.resilience
        correlation_id = runtime.correlation_id
        profile, endpoint_url = runtime.profile, runtime.endpoint_url
    else:
        correlation_id = state.get("correlation_id")
        resilience = state.get("resilience") or resilience_for(
            config, environ, state.setdefault("transitions", []), opts=opts,
            attempts=state.setdefault("attempts", {}), correlation_id=correlation_id)
        profile, endpoint_url = opts.profile, opts.endpoint_url
    chosen = regions(ctx, config)
    state.setdefault("stack", config.stack_name)
    state.setdefault("regions", list(chosen))
    threshold = resolve_min_score(min_score, config, environ)
    clients = readiness_clients(profile=profile, endpoint_url=endpoint_url, resilience=resilience,
                                correlation_id=correlation_id, environ=environ)
    report = assess(config, clients, regions=chosen, min_score=threshold, environ=environ)
    state.readiness = report
    state.readiness_score = report.score
    return report


def readiness_gate(ctx: typer.Context, runtime: Runtime, *, force: bool, config: Config | None = None,
                   min_score: int | None = None) -> int | None:
    """Run readiness and refuse below the threshold or on a critical failure unless forced;
    returns the score (the plan summary records it)."""
    from bcce_tf.errors import CredentialsError, ForceRefusedError, ReadinessGateError
    from bcce_tf.logs import logger
    from bcce_tf.readiness import force_forbidden_by
    from bcce_tf.readiness.report import verdict_line

    if force:  # refused before anything runs, whether or not the gate would have needed it
        forbidden = force_forbidden_by(runtime.config, runtime.environ)
        if forbidden:
            raise ForceRefusedError(setting=forbidden)
    if config is None:
        config = runtime.config
        from bcce_tf.cli.lists import components

        requested = components((ctx.params or {}).get("component"))
        if requested:  # plan/apply --component: judge what is about to be planned
            config = config.with_values(components=requested)
    report = run_readiness(ctx, config, min_score=min_score, runtime=runtime)
    log = logger()
    if report.ready:
        log.info(verdict_line(report))
        return report.score
    reasons = report.blocked_because()
    rejected = [r for r in report.results if r.id == "security.credentials" and r.status == "failed"]
    if rejected:  # nothing can run without credentials, --force or not: say so with exit 7
        raise CredentialsError(detail=rejected[0].evidence.removeprefix("AWS credentials rejected or missing: "))
    if not force:
        raise ReadinessGateError(
            f"readiness gate refused: {'; '.join(reasons)}. See the checklist with 'bcce readiness', "
            "fix what failed, or pass --force to go ahead anyway"
        )
    log.warning("=" * 72)
    log.warning(f"READINESS GATE OVERRIDDEN WITH --force: score {report.score}/100 (minimum {report.min_score})")
    for reason in reasons:
        log.warning(f"  {reason}")
    log.warning("=" * 72)
    from bcce_tf.cli.common import run_state

    run_state(ctx).forced = forced_entry(report)
    return report.score


def forced_entry(report: Report) -> dict[str, object]:
    """What the run record keeps of a run that overrode the gate: who, when, the score, what failed."""
    import time

    from bcce_tf.readiness.model import Status
    from bcce_tf.run_record import utc_stamp

    return {
        "caller_arn": report.facts.get("caller_arn", "unknown"),
        "at": utc_stamp(time.time()),
        "score": report.score,
        "min_score": report.min_score,
        "failed_checks": report.ids(Status.FAILED) + report.ids(Status.NOT_CHECKED),
        "reasons": report.blocked_because(),
    }
