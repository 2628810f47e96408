"""doctor's cost checks on planted Cost Explorer answers (no I/O: a stand-in context answers)."""

from __future__ import annotations

from datetime import date

from bcce_tf.config import Config
from bcce_tf.errors import NotSupportedError
from bcce_tf.health.cost import allocation_tags, month_to_date
from bcce_tf.readiness.model import Status


class Answers:
    """A CheckContext stand-in: the config and one answer (or error) per operation."""

    def __init__(self, budget: float, **answers: object) -> None:
        self.config = Config.model_validate({"regions": ["us-east-1"], "monitoring": {"monthly_budget_usd": budget}})
        self.answers = answers
        self.calls: list[tuple[str, str, dict]] = []

    def call(self, service: str, region: str, operation: str, **params: object) -> object:
        self.calls.append((service, operation, params))
        answer = self.answers.get(operation)
        if answer is None:
            raise NotSupportedError(operation=f"{service}:{operation}", action=operation, reason="test")
        return answer


def spent(amount: str) -> dict:
    return {"ResultsByTime": [{"TimePeriod": {"Start": "2026-03-01"},
                               "Groups": [{"Keys": ["Amazon Bedrock"], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}]}]}


def test_spend_on_pace_to_exceed_the_budget_is_degraded():
    # 40 USD in the first 10 days of a 31-day month: 124 at this pace against a budget of 100
    ctx = Answers(100, get_cost_and_usage=spent("40"))
    outcome = month_to_date(ctx, date(2026, 3, 10))
    assert outcome.status is Status.WARNING
    assert "10 of 31 days" in outcome.evidence and "124.00 for the month" in outcome.evidence
    assert ctx.calls[0][2]["TimePeriod"] == {"Start": "2026-03-01", "End": "2026-03-11"}


def test_forecast_is_added_to_the_spend_when_cost_explorer_gives_one():
    ctx = Answers(100, get_cost_and_usage=spent("40"), get_cost_forecast={"Total": {"Amount": "50", "Unit": "USD"}})
    outcome = month_to_date(ctx, date(2026, 3, 10))
    assert outcome.status is Status.PASSED and "forecast to 2026-03-31 50.00" in outcome.evidence
    assert "90.00 for the month" in outcome.evidence


def test_over_budget_fails_and_no_cost_explorer_is_not_checked():
    assert month_to_date(Answers(100, get_cost_and_usage=spent("100.5")), date(2026, 3, 10)).status is Status.FAILED
    missing = month_to_date(Answers(100), date(2026, 3, 10))
    assert missing.status is Status.NOT_CHECKED and "GetCostAndUsage" in missing.evidence


def test_inactive_allocation_tags_are_degraded_with_the_command_to_activate_them():
    ctx = Answers(100, list_cost_allocation_tags={"CostAllocationTags": [{"TagKey": "Stack", "Status": "Inactive"},
                                                                         {"TagKey": "ManagedBy", "Status": "Active"}]})
    outcome = allocation_tags(ctx)
    assert outcome.status is Status.WARNING and "TagKey=Stack,Status=Active" in outcome.evidence
    assert allocation_tags(Answers(100)).status is Status.NOT_CHECKED
