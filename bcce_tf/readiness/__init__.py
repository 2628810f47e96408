"""Pre-flight readiness: live checks of the account, the regions and the config, an honest score,
and report formats for people, CI and Terraform."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from bcce_tf.aws import AwsClients
from bcce_tf.config import Config
from bcce_tf.errors import UsageError
from bcce_tf.readiness.checks import CheckContext, build_checks
from bcce_tf.readiness.model import CheckResult, Report, Status
from bcce_tf.readiness.runner import check_timeout, run_checks

MIN_SCORE_ENV = "BCCE_MIN_SCORE"


def assess(
    config: Config,
    clients: AwsClients,
    *,
    regions: Sequence[str] | None = None,
    min_score: int | None = None,
    timeout: float | None = None,
    environ: Mapping[str, str] = os.environ,
) -> Report:
    """Run every check that applies to `config` in `regions` (default: all of the config's) and
    return the report, judged against `min_score` (default: the config's readiness.min_score)."""
    chosen = tuple(regions) if regions else tuple(config.regions)
    ctx = CheckContext(config=config, regions=chosen, clients=clients)
    results = run_checks(build_checks(ctx), ctx, timeout=timeout if timeout is not None else check_timeout(environ))
    facts: dict[str, str] = {}
    identity = ctx.known("identity")
    if identity is not None:
        facts = {"account_id": identity.account, "caller_arn": identity.arn}
    return Report(results=results, min_score=config.readiness.min_score if min_score is None else min_score,
                  regions=chosen, components=ctx.components, facts=facts)


def resolve_min_score(flag: int | None, config: Config, environ: Mapping[str, str] = os.environ) -> int:
    """--min-score, else BCCE_MIN_SCORE, else the config's readiness.min_score."""
    if flag is not None:
        value, source = flag, "--min-score"
    elif (environ.get(MIN_SCORE_ENV) or "").strip():
        raw = environ[MIN_SCORE_ENV].strip()
        try:
            value = int(raw)
        except ValueError:
            raise UsageError(f"{MIN_SCORE_ENV} must be a whole number from 0 to 100, got '{raw}'") from None
        source = MIN_SCORE_ENV
    else:
        return config.readiness.min_score
    if not 0 <= value <= 100:
        raise UsageError(f"{source} must be from 0 to 100, got {value}")
    return value


ALLOW_FORCE_ENV = "BCCE_ALLOW_FORCE"
_FALSE, _TRUE = ("0", "false", "no", "off"), ("1", "true", "yes", "on")


def force_forbidden_by(config: Config, environ: Mapping[str, str] = os.environ) -> str | None:
    """The setting that forbids `--force`, or None. Either one forbids: BCCE_ALLOW_FORCE=1 cannot
    re-open what the config closed."""
    raw = (environ.get(ALLOW_FORCE_ENV) or "").strip().lower()
    if raw and raw not in _FALSE + _TRUE:
        raise UsageError(f"{ALLOW_FORCE_ENV} must be 0 or 1 (also false/true, no/yes, off/on), got '{environ[ALLOW_FORCE_ENV]}'")
    if not config.readiness.allow_force:
        return "readiness.allow_force = false in the config"
    if raw in _FALSE:
        return f"{ALLOW_FORCE_ENV}={environ[ALLOW_FORCE_ENV].strip()}"
    return None


__all__ = ["CheckResult", "Report", "Status", "assess", "force_forbidden_by", "resolve_min_score"]
