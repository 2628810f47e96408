"""doctor's `cost` component: month-to-date spend from Cost Explorer against the estimate and the
configured monthly budget, and whether the cost allocation tags that count it are active.

Cost Explorer is account-wide, so these checks belong to no one stack. The date is passed in (the
planner gives today's), so the checks are pure functions of the answers they read."""

from __future__ import annotations

import calendar
from datetime import date

from bcce_tf.errors import AwsError, CircuitOpenError, NotSupportedError, RetriesExhaustedError
from bcce_tf.readiness.checks.base import CheckContext, Outcome

ALLOW_CE = "allow ce:GetCostAndUsage, ce:GetCostForecast and ce:ListCostAllocationTags to the caller"


def month_to_date(ctx: CheckContext, today: date) -> Outcome:
    from bcce_tf.cost import estimate
    from bcce_tf.errors import PermissionDeniedError
    from bcce_tf.spend import explorer
    from bcce_tf.spend.analysis import prorate
    from bcce_tf.spend.period import parse_period

    stacks = (ctx.config.stack_name,)
    period = parse_period("mtd", today)
    try:
        usage = explorer.read_usage(explorer.fetch_usage(ctx, explorer.usage_request(period, "service", stacks)))
    except NotSupportedError:
        return Outcome.not_checked("the endpoint does not implement Cost Explorer's GetCostAndUsage")
    except PermissionDeniedError as exc:
        return Outcome.not_checked(f"Cost Explorer refused: {exc}", ALLOW_CE)
    except (AwsError, RetriesExhaustedError, CircuitOpenError) as exc:
        return Outcome.not_checked(f"Cost Explorer could not be read: {exc}",
                                   "enable Cost Explorer in the Billing console (data appears within 24 hours)")
    month_days = calendar.monthrange(today.year, today.month)[1]
    budget = float(ctx.config.monitoring.monthly_budget_usd)
    expected = prorate(estimate(ctx.config).monthly_usd, period.days)
    actual = usage.total
    top = sorted(usage.lines.items(), key=lambda kv: -kv[1])[:3]
    said = (f"month to date ({period.days} of {month_days} days): {actual:,.2f} {usage.currency} spent"
            + (f" ({', '.join(f'{k} {v:,.2f}' for k, v in top)})" if top else "")
            + f", estimate for these days {expected:,.2f}, monthly budget {budget:,.2f}")
    forecast = explorer.fetch_forecast(ctx, today, stacks)
    projected = actual + forecast.amount if forecast.amount is not None else actual / period.days * month_days
    said += (f"; forecast to {forecast.until} {forecast.amount:,.2f}" if forecast.amount is not None
             else f"; no forecast ({forecast.why_not}), projected at this pace")
    said += f": {projected:,.2f} for the month"
    fix = "see 'bcce cost analysis --period mtd' for the lines; lower usage or raise monitoring.monthly_budget_usd"
    if budget and actual > budget:
        return Outcome.failed(said + ": over the monthly budget", fix)
    if budget and projected > budget:
        return Outcome.warning(said + ": on course to exceed the monthly budget", fix)
    return Outcome.passed(said)


def allocation_tags(ctx: CheckContext) -> Outcome:
    from bcce_tf.spend import explorer

    status = explorer.fetch_tag_status(ctx)
    if status.why_not:
        return Outcome.not_checked(status.why_not.removeprefix("not checked: "), ALLOW_CE)
    if status.advice():
        return Outcome.warning(status.advice(), "activate the tags; until then only Bedrock spend is counted")
    return Outcome.passed(f"cost allocation tags {', '.join(status.active)} active")
