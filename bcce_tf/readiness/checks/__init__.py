"""The readiness checks, one module per category, one function per check.

Each module has `checks(ctx) -> list[Check]`: the checks that apply to the context's config and
regions (per-region checks carry the region in their id). Every AWS call goes through
`ctx.call`, i.e. `AwsClients.call`, so a test hands in clients pointed at the emulator.
"""

from __future__ import annotations

from bcce_tf.readiness.checks import capacity, configuration, cost, permissions, regions, security
from bcce_tf.readiness.checks.base import Check, CheckContext, Identity, Outcome

MODULES = (security, permissions, regions, capacity, configuration, cost)


def build_checks(ctx: CheckContext) -> list[Check]:
    found: list[Check] = []
    for module in MODULES:
        found += module.checks(ctx)
    return found


__all__ = ["Check", "CheckContext", "Identity", "Outcome", "build_checks"]
