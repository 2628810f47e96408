"""Cost check: the monthly estimate of the selected components against the configured budget."""

from __future__ import annotations

from bcce_tf.readiness.checks.base import Check, CheckContext, Outcome
from bcce_tf.readiness.model import Category, Impact

OVER_BUDGET_FAILS = 1.2  # more than 20 % over the budget fails; up to that, a warning


def within_budget(ctx: CheckContext) -> Outcome:
    try:
        from bcce_tf.cost import estimate
    except ImportError as exc:
        return Outcome.not_checked(f"no cost estimate available: {exc}")
    found = estimate(ctx.config)
    total = float(getattr(found, "total", None) or found.monthly_usd)
    budget = float(ctx.config.monitoring.monthly_budget_usd)
    parts = [f"{label} ${float(getattr(found, name)):,.2f}"
             for name, label in (("infrastructure_usd", "infrastructure"), ("bedrock_usd", "Bedrock"))
             if getattr(found, name, None) is not None]
    split = f" ({', '.join(parts)})" if parts else ""
    evidence = f"estimated ${total:,.2f}/month{split} for {ctx.config.users} users vs budget ${budget:,.2f}"
    if total > budget:
        evidence += f" ({total / budget - 1:.0%} over)"
    left_out = tuple(getattr(found, "not_estimated", ()) or ())
    if left_out:
        evidence += f"; not estimated: {', '.join(left_out)}"
    if total <= budget:
        return Outcome.passed(evidence)
    fix = "raise monitoring.monthly_budget_usd, or trim components, users or model choice"
    if total <= budget * OVER_BUDGET_FAILS:
        return Outcome.warning(evidence, fix)
    return Outcome.failed(evidence, fix)


def checks(ctx: CheckContext) -> list[Check]:
    return [Check("cost.budget", "Estimated cost fits the budget", Category.COST, Impact.MEDIUM, within_budget)]
