"""Live health of the deployed stacks: read each stack's state, plan the chosen components'
checks from it, run them concurrently."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bcce_tf.errors import BcceError
from bcce_tf.health.inventory import Inventory, from_show_json
from bcce_tf.health.model import Health, HealthResult
from bcce_tf.health.registry import COMPONENTS, NEEDS_STATE, Planned
from bcce_tf.health.run import run_planned
from bcce_tf.readiness.checks.base import CheckContext, describe_error

# (stack key, region) -> the state as `terraform show -json` prints it
ReadState = Callable[[str, str], dict]


def read_inventories(targets: Sequence[tuple[str, str]], read_state: ReadState) -> tuple[list[Inventory], list[HealthResult]]:
    """The inventory of every stack whose state could be read; a stack whose state could not is an
    unhealthy `stacks` result with the reason (and gets no other checks)."""
    inventories: list[Inventory] = []
    unreadable: list[HealthResult] = []
    for key, region in targets:
        try:
            inventories.append(from_show_json(key, region, read_state(key, region)))
        except BcceError as exc:
            unreadable.append(HealthResult(component="stacks", name="state", stack=key, status=Health.UNHEALTHY,
                                           evidence=f"the state could not be read: {describe_error(exc)}",
                                           fix="check the backend settings and credentials; 'bcce output' reads the same state"))
    return inventories, unreadable


def live_health(components: Sequence[str], targets: Sequence[tuple[str, str]], read_state: ReadState,
                ctx: CheckContext, *, timeout: float) -> list[HealthResult]:
    """Results of the live components among `components`, in registry order."""
    chosen = [name for name in COMPONENTS if name in components]
    inventories: list[Inventory] = []
    results: list[HealthResult] = []
    if any(name in NEEDS_STATE for name in chosen):
        inventories, unreadable = read_inventories(targets, read_state)
        if "stacks" in chosen:
            results += unreadable
    planned: list[Planned] = [p for name in chosen for p in COMPONENTS[name](inventories)]
    results += run_planned(planned, ctx, timeout=timeout)
    if "aws-clients" in chosen:
        from bcce_tf.health.clients import client_results

        stats = getattr(ctx.clients, "stats", None)
        results += client_results(stats.snapshot() if stats is not None else [])
    return results
