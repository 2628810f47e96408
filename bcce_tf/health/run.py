"""Run the planned live checks with the readiness runner (concurrently, each under its timeout)."""

from __future__ import annotations

from collections.abc import Sequence

from bcce_tf.health.model import HealthResult, from_check
from bcce_tf.health.registry import Planned
from bcce_tf.readiness.checks.base import CheckContext
from bcce_tf.readiness.runner import DEFAULT_TIMEOUT, DEFAULT_WORKERS, run_checks


def run_planned(planned: Sequence[Planned], ctx: CheckContext, *, timeout: float = DEFAULT_TIMEOUT,
                workers: int = DEFAULT_WORKERS) -> list[HealthResult]:
    results = run_checks([p.check for p in planned], ctx, timeout=timeout, workers=workers)
    return [from_check(p.component, p.stack, p.name, result) for p, result in zip(planned, results)]
