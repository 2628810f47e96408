"""The live part of `bcce doctor`: states read through Terraform, checks through the AWS client factory."""

from __future__ import annotations

import os
from collections.abc import Sequence

import typer

from bcce_tf.health.model import HealthResult


def live_results(ctx: typer.Context, components: Sequence[str], *, runtime=None, handles=None) -> list[HealthResult]:  # noqa: ANN001
    """Run the live components among `components` against every stack the command works on
    (`handles`: stacks already rendered, as `bcce deploy` has them; None renders one per region)."""
    from bcce_tf import stack
    from bcce_tf.cli.runtime import build, regions
    from bcce_tf.health.doctor import live_health
    from bcce_tf.health.registry import NEEDS_STATE
    from bcce_tf.readiness.checks.base import CheckContext
    from bcce_tf.readiness.clients import readiness_clients
    from bcce_tf.readiness.runner import check_timeout

    runtime = runtime or build(ctx, label="doctor")
    chosen_regions = regions(ctx, runtime.config)
    given = {(handle.target.key, handle.target.region): handle for handle in handles or []}
    handles = dict(given)
    if not given and any(name in NEEDS_STATE for name in components):
        for region in chosen_regions:
            handle = stack.render(runtime, region)
            handles[(handle.target.key, region)] = handle
        if handles:
            stack.prepare_providers(next(iter(handles.values())))

    def read_state(key: str, region: str) -> dict:
        return stack.show_state(handles[(key, region)])

    clients = readiness_clients(profile=runtime.profile, endpoint_url=runtime.endpoint_url, resilience=runtime.resilience,
                                correlation_id=runtime.correlation_id, environ=dict(os.environ))
    check_ctx = CheckContext(config=runtime.config, regions=tuple(chosen_regions), clients=clients)
    return live_health(components, list(handles), read_state, check_ctx, timeout=check_timeout(os.environ))
