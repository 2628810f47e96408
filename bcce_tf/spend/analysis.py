"""Actual spend against the estimate: `analyse` reads Cost Explorer, `compare` explains each line.

The estimate (bcce_tf/cost.py) is monthly; it is prorated to the period's days (an average month
of 365.25 / 12 days) before it is set beside what Cost Explorer reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from bcce_tf.cost import CostEstimate
from bcce_tf.spend.explorer import Forecast, TagStatus, Usage
from bcce_tf.spend.period import Period

AVERAGE_MONTH_DAYS = 365.25 / 12
CLOSE = 0.25  # within 25 % of the estimate counts as "as estimated"


@dataclass(frozen=True)
class Difference:
    service: str
    actual: float
    estimated: float  # prorated to the period
    difference: float  # actual - estimated
    why: str


def prorate(monthly: float, days: int) -> float:
    return monthly * days / AVERAGE_MONTH_DAYS


def estimated_by_service(estimate: CostEstimate) -> dict[str, float]:
    """Monthly estimate per Cost Explorer SERVICE (lines the price table does not bill are left out)."""
    out: dict[str, float] = {}
    for component in estimate.components:
        for line in component.lines:
            if line.service:
                out[line.service] = out.get(line.service, 0.0) + line.monthly_usd
    return out


def explain(actual: float, estimated: float, priced: bool) -> str:
    if estimated <= 0 and actual <= 0:
        return "no spend, as estimated"
    if estimated <= 0:
        if priced:
            return "estimated free (within a free allowance) but billed: usage beyond the allowance"
        return "not in the estimate: the price table has no line for this service"
    if actual <= 0:
        return ("estimated but nothing billed: the component is not deployed in the period, its spend is untagged, "
                "or the cost allocation tags are not active")
    ratio = actual / estimated
    if ratio > 1 + CLOSE:
        return f"{ratio:.1f}x the estimate: usage above the stated assumptions (see 'bcce cost estimate')"
    if ratio < 1 - CLOSE:
        return f"{ratio:.0%} of the estimate: less usage than assumed, or resources deployed for part of the period"
    return "within 25% of the estimate"


def compare(actual: Mapping[str, float], estimated_monthly: Mapping[str, float], days: int) -> tuple[Difference, ...]:
    """One line per service seen in either, largest absolute difference first."""
    lines = []
    for service in sorted(set(actual) | set(estimated_monthly)):
        spent = round(actual.get(service, 0.0), 2)
        expected = round(prorate(estimated_monthly.get(service, 0.0), days), 2)
        lines.append(Difference(service, spent, expected, round(spent - expected, 2),
                                explain(spent, expected, service in estimated_monthly)))
    return tuple(sorted(lines, key=lambda d: (-abs(d.difference), d.service)))


@dataclass(frozen=True)
class Analysis:
    period: Period
    breakdown: str
    stacks: tuple[str, ...]
    usage: Usage
    users: int
    estimate_monthly: float
    estimate_for_period: float
    differences: tuple[Difference, ...]  # by service only (other breakdowns do not map to the price table)
    forecast: Forecast
    tags: TagStatus
    recommendations: tuple[Any, ...] = ()  # advice.Recommendation, largest saving first
    recommendations_not_checked: str = ""  # why the facts behind them could not be read

    @property
    def total(self) -> float:
        return round(self.usage.total, 2)

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(((k, round(v, 2)) for k, v in self.usage.lines.items()), key=lambda kv: (-kv[1], kv[0]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.last_day.isoformat(),
                       "days": self.period.days, "label": self.period.label},
            "breakdown": self.breakdown,
            "stacks": list(self.stacks),
            "currency": self.usage.currency,
            "total": self.total,
            "estimated_by_cost_explorer": self.usage.estimated,
            "lines": [{"key": k, "amount": v} for k, v in self.ranked()],
            "estimate": {"users": self.users, "monthly": round(self.estimate_monthly, 2),
                         "for_period": round(self.estimate_for_period, 2),
                         "difference": round(self.total - self.estimate_for_period, 2)},
            "differences": [asdict(d) for d in self.differences],
            "forecast": {"amount": None if self.forecast.amount is None else round(self.forecast.amount, 2),
                         "until": self.forecast.until, "not_available": self.forecast.why_not},
            "cost_allocation_tags": {"active": list(self.tags.active), "inactive": list(self.tags.inactive),
                                     "never_seen": list(self.tags.unknown), "not_available": self.tags.why_not,
                                     "advice": self.tags.advice()},
            "recommendations": [r.to_dict() for r in self.recommendations],
            "recommendations_not_checked": self.recommendations_not_checked,
        }


def build(period: Period, breakdown: str, stacks: Sequence[str], usage: Usage, estimate: CostEstimate,
          forecast: Forecast, tags: TagStatus) -> Analysis:
    """The analysis from what was read; the service breakdown is also compared line by line."""
    differences = compare(usage.lines, estimated_by_service(estimate), period.days) if breakdown == "service" else ()
    return Analysis(period=period, breakdown=breakdown, stacks=tuple(stacks), usage=usage, users=estimate.users,
                    estimate_monthly=estimate.monthly_usd, estimate_for_period=prorate(estimate.monthly_usd, period.days),
                    differences=differences, forecast=forecast, tags=tags)


def analyse(clients: Any, config: Any, period: Period, breakdown: str, today: date) -> Analysis:
    """Read the period's spend, the forecast and the tag status; a Cost Explorer that cannot be read raises CostUnavailableError (exit 25)."""
    from bcce_tf.cost import estimate
    from bcce_tf.errors import AwsError, CostUnavailableError, CredentialsError, NotSupportedError, PermissionDeniedError
    from bcce_tf.spend import explorer

    stacks = (config.stack_name,)
    try:
        usage = explorer.read_usage(explorer.fetch_usage(clients, explorer.usage_request(period, breakdown, stacks)))
    except (PermissionDeniedError, CredentialsError):
        raise
    except (AwsError, NotSupportedError) as exc:
        code = str(getattr(exc, "fields", {}).get("code", ""))
        hint = (" (Cost Explorer is not enabled in this account or has no data yet: enable it in the Billing console; "
                "data appears within 24 hours)") if code == "DataUnavailableException" else ""
        raise CostUnavailableError(f"cost analysis: Cost Explorer could not be read: {exc}{hint}") from exc
    import dataclasses
    import time

    from bcce_tf.spend.advice import recommendations

    found = build(period, breakdown, stacks, usage, estimate(config),
                  explorer.fetch_forecast(clients, today, stacks), explorer.fetch_tag_status(clients))
    advice, why_not = recommendations(clients, config, int(time.time() * 1000))
    return dataclasses.replace(found, recommendations=advice, recommendations_not_checked=why_not)
