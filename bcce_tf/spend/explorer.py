"""Cost Explorer requests and the reading of their answers.

The request builders and readers are pure; `fetch_*` call Cost Explorer through the one client
factory (bcce_tf/aws.py), so retries, breakers and error translation are the usual ones.

What is counted: spend carrying the `Stack` tag bcce puts on every resource (render.py's
default_tags) with the config's stack name, plus Amazon Bedrock, whose on-demand model
invocations carry no resource tags. Tags count only once they are activated as cost allocation
tags in the account; `fetch_tag_status` says whether they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bcce_tf.spend.period import Period

CE_REGION = "us-east-1"  # Cost Explorer has one endpoint, ce.us-east-1.amazonaws.com
METRIC = "UnblendedCost"
FORECAST_METRIC = "UNBLENDED_COST"
STACK_TAG = "Stack"
ALLOCATION_TAGS = ("Stack", "ManagedBy")
BEDROCK_SERVICE = "Amazon Bedrock"
UNTAGGED = "(no Stack tag)"

# --breakdown -> Cost Explorer GroupBy (Type, Key)
BREAKDOWNS: dict[str, tuple[str, str]] = {
    "service": ("DIMENSION", "SERVICE"),
    "usage-type": ("DIMENSION", "USAGE_TYPE"),
    "region": ("DIMENSION", "REGION"),
    "stack": ("TAG", STACK_TAG),
}


def spend_filter(stack_names: Sequence[str]) -> dict[str, Any]:
    """The Expression that selects the deployment's spend: its tagged resources and Bedrock
    (values match exactly: Cost Explorer's default match options)."""
    return {"Or": [
        {"Tags": {"Key": STACK_TAG, "Values": sorted(set(stack_names))}},
        {"Dimensions": {"Key": "SERVICE", "Values": [BEDROCK_SERVICE]}},
    ]}


def usage_request(period: Period, breakdown: str, stack_names: Sequence[str]) -> dict[str, Any]:
    """GetCostAndUsage parameters for `period`, grouped by `breakdown`."""
    kind, key = BREAKDOWNS[breakdown]
    return {
        "TimePeriod": period.time_period(),
        "Granularity": "MONTHLY",
        "Metrics": [METRIC],
        "Filter": spend_filter(stack_names),
        "GroupBy": [{"Type": kind, "Key": key}],
    }


def forecast_request(today: date, stack_names: Sequence[str]) -> dict[str, Any]:
    """GetCostForecast parameters from today to the end of the month."""
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return {
        "TimePeriod": {"Start": today.isoformat(), "End": next_month.isoformat()},
        "Metric": FORECAST_METRIC,
        "Granularity": "MONTHLY",
        "Filter": spend_filter(stack_names),
    }


@dataclass(frozen=True)
class Usage:
    """Spend of a period by one breakdown."""

    lines: dict[str, float]  # group key -> amount, in the answer's currency
    currency: str = "USD"
    estimated: bool = False  # Cost Explorer marked part of the period as not final
    months: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> float:
        return sum(self.lines.values())


def group_key(keys: Sequence[str]) -> str:
    """A group's name: a tag group's "Stack$value" becomes the value (an empty value: untagged)."""
    text = " / ".join(str(k) for k in keys) if keys else "(none)"
    if "$" in text:
        _, _, value = text.partition("$")
        return value or UNTAGGED
    return text


def read_usage(pages: Sequence[Mapping[str, Any]]) -> Usage:
    """Sum the groups of every ResultsByTime of every page; a period without groups counts its Total."""
    lines: dict[str, float] = {}
    currency = ""
    estimated = False
    months: list[str] = []
    for page in pages:
        for result in page.get("ResultsByTime", []) or []:
            months.append(str(result.get("TimePeriod", {}).get("Start", "")))
            estimated = estimated or bool(result.get("Estimated"))
            groups = result.get("Groups") or []
            if not groups:
                metric = (result.get("Total") or {}).get(METRIC)
                if metric and float(metric.get("Amount", 0) or 0):
                    lines["(total)"] = lines.get("(total)", 0.0) + float(metric["Amount"])
                    currency = currency or str(metric.get("Unit", ""))
            for group in groups:
                metric = (group.get("Metrics") or {}).get(METRIC) or {}
                amount = float(metric.get("Amount", 0) or 0)
                key = group_key(group.get("Keys") or [])
                lines[key] = lines.get(key, 0.0) + amount
                currency = currency or str(metric.get("Unit", ""))
    return Usage(lines=lines, currency=currency or "USD", estimated=estimated, months=tuple(m for m in months if m))


@dataclass(frozen=True)
class Forecast:
    amount: float | None
    currency: str = "USD"
    until: str = ""
    why_not: str = ""  # set when there is no forecast


def read_forecast(answer: Mapping[str, Any], until: str) -> Forecast:
    total = answer.get("Total") or {}
    if "Amount" not in total:
        return Forecast(None, until=until, why_not="Cost Explorer returned no forecast")
    return Forecast(float(total["Amount"]), currency=str(total.get("Unit", "USD")), until=until)


@dataclass(frozen=True)
class TagStatus:
    active: tuple[str, ...] = ()
    inactive: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()  # never seen on a resource yet
    why_not: str = ""  # set when the status could not be read

    def advice(self) -> str:
        """What to do when a tag is not active (empty when all are)."""
        todo = (*self.inactive, *self.unknown)
        if self.why_not or not todo:
            return ""
        statuses = " ".join(f"TagKey={key},Status=Active" for key in todo)
        return (f"cost allocation tag(s) {', '.join(todo)} not active: spend of tagged resources is not counted; activate with "
                f"'aws ce update-cost-allocation-tags-status --cost-allocation-tags-status {statuses}' "
                "(or Billing console > Cost allocation tags); data appears within 24 hours")


def read_tag_status(answer: Mapping[str, Any], keys: Sequence[str] = ALLOCATION_TAGS) -> TagStatus:
    status = {str(t.get("TagKey")): str(t.get("Status", "")) for t in answer.get("CostAllocationTags", []) or []}
    return TagStatus(
        active=tuple(k for k in keys if status.get(k) == "Active"),
        inactive=tuple(k for k in keys if k in status and status[k] != "Active"),
        unknown=tuple(k for k in keys if k not in status),
    )


# --- calls through the client factory ---------------------------------------------------------

def fetch_usage(clients: Any, request: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every page of GetCostAndUsage for `request` (errors come translated by the factory)."""
    pages: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        params = dict(request, **({"NextPageToken": token} if token else {}))
        page = clients.call("ce", CE_REGION, "get_cost_and_usage", **params)
        pages.append(page)
        token = page.get("NextPageToken")
        if not token or len(pages) >= 100:
            return pages


def fetch_forecast(clients: Any, today: date, stack_names: Sequence[str]) -> Forecast:
    from bcce_tf.errors import AwsError, CircuitOpenError, NotSupportedError, RetriesExhaustedError

    request = forecast_request(today, stack_names)
    until = (date.fromisoformat(request["TimePeriod"]["End"]) - timedelta(days=1)).isoformat()  # the month's last day
    try:
        answer = clients.call("ce", CE_REGION, "get_cost_forecast", **request)
    except NotSupportedError:
        return Forecast(None, until=until, why_not="not checked: the endpoint does not implement GetCostForecast")
    except (AwsError, RetriesExhaustedError, CircuitOpenError) as exc:  # e.g. too little history to forecast
        return Forecast(None, until=until, why_not=f"not checked: {exc}")
    return read_forecast(answer, until)


def fetch_tag_status(clients: Any, keys: Sequence[str] = ALLOCATION_TAGS) -> TagStatus:
    from bcce_tf.errors import AwsError, CircuitOpenError, NotSupportedError, RetriesExhaustedError

    try:
        answer = clients.call("ce", CE_REGION, "list_cost_allocation_tags", TagKeys=list(keys))
    except NotSupportedError:
        return TagStatus(why_not="not checked: the endpoint does not implement ListCostAllocationTags")
    except (AwsError, RetriesExhaustedError, CircuitOpenError) as exc:
        return TagStatus(why_not=f"not checked: {exc}")
    return read_tag_status(answer, keys)
