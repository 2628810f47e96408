"""Cost analysis, pure parts: periods, Cost Explorer requests and answers, the comparison."""

from __future__ import annotations

from datetime import date

import pytest

from bcce_tf.errors import UsageError
from bcce_tf.spend.analysis import compare, explain, prorate
from bcce_tf.spend.explorer import (
    UNTAGGED,
    forecast_request,
    read_forecast,
    read_tag_status,
    read_usage,
    usage_request,
)
from bcce_tf.spend.period import parse_period

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(("text", "start", "end", "days"), [
    ("30d", "2026-02-09", "2026-03-11", 30),
    ("90d", "2025-12-11", "2026-03-11", 90),
    ("1d", "2026-03-10", "2026-03-11", 1),
    ("mtd", "2026-03-01", "2026-03-11", 10),
    ("MTD", "2026-03-01", "2026-03-11", 10),
    ("2026-02-01:2026-02-28", "2026-02-01", "2026-03-01", 28),
    ("2026-03-10:2026-03-10", "2026-03-10", "2026-03-11", 1),
])
def test_periods_include_today_and_end_exclusive_like_cost_explorer(text, start, end, days):
    period = parse_period(text, TODAY)
    assert period.time_period() == {"Start": start, "End": end}
    assert period.days == days


@pytest.mark.parametrize(("text", "needle"), [
    ("0d", "from 1 to 365"),
    ("366d", "from 1 to 365"),
    ("month", "--period must be 30d, 90d"),
    ("2026-02-30:2026-03-01", "start date '2026-02-30' is not a calendar date"),
    ("2026-03-05:2026-03-01", "the end date is before the start date"),
    ("2026-03-01:2026-03-11", "after today (2026-03-10)"),
    ("2024-01-01:2026-03-01", "at most 365 days"),
])
def test_bad_periods_name_the_option(text, needle):
    with pytest.raises(UsageError) as caught:
        parse_period(text, TODAY)
    assert needle in str(caught.value) and "--period" in str(caught.value)


def test_the_request_filters_the_stack_tag_or_bedrock_and_groups_by_the_breakdown():
    request = usage_request(parse_period("mtd", TODAY), "usage-type", ["bcce"])
    assert request["GroupBy"] == [{"Type": "DIMENSION", "Key": "USAGE_TYPE"}]
    assert request["Metrics"] == ["UnblendedCost"] and request["Granularity"] == "MONTHLY"
    tags, bedrock = request["Filter"]["Or"]
    assert tags["Tags"]["Key"] == "Stack" and tags["Tags"]["Values"] == ["bcce"]
    assert bedrock["Dimensions"] == {"Key": "SERVICE", "Values": ["Amazon Bedrock"]}
    assert usage_request(parse_period("mtd", TODAY), "stack", ["bcce"])["GroupBy"] == [{"Type": "TAG", "Key": "Stack"}]


def test_forecast_runs_from_today_to_the_first_of_next_month():
    assert forecast_request(TODAY, ["bcce"])["TimePeriod"] == {"Start": "2026-03-10", "End": "2026-04-01"}
    assert forecast_request(date(2026, 12, 31), ["bcce"])["TimePeriod"] == {"Start": "2026-12-31", "End": "2027-01-01"}
    assert read_forecast({"Total": {"Amount": "12.5", "Unit": "USD"}}, "2026-03-31").amount == 12.5
    assert read_forecast({}, "2026-03-31").amount is None


def _group(key: str, amount: str) -> dict:
    return {"Keys": [key], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}


def test_usage_sums_groups_across_months_and_pages_and_names_untagged_spend():
    pages = [
        {"ResultsByTime": [{"TimePeriod": {"Start": "2026-02-01"}, "Groups": [_group("Stack$bcce", "1.25"), _group("Stack$", "0.5")]}],
         "NextPageToken": "t"},
        {"ResultsByTime": [{"TimePeriod": {"Start": "2026-03-01"}, "Estimated": True, "Groups": [_group("Stack$bcce", "2")]}]},
    ]
    usage = read_usage(pages)
    assert usage.lines == {"bcce": 3.25, UNTAGGED: 0.5}
    assert usage.total == 3.75 and usage.estimated and usage.months == ("2026-02-01", "2026-03-01")
    ungrouped = read_usage([{"ResultsByTime": [{"Total": {"UnblendedCost": {"Amount": "4", "Unit": "EUR"}}, "Groups": []}]}])
    assert ungrouped.lines == {"(total)": 4.0} and ungrouped.currency == "EUR"


def test_tag_status_and_how_to_activate_what_is_not_active():
    status = read_tag_status({"CostAllocationTags": [{"TagKey": "Stack", "Status": "Inactive", "Type": "UserDefined"}]})
    assert status.inactive == ("Stack",) and status.unknown == ("ManagedBy",)
    assert "TagKey=Stack,Status=Active TagKey=ManagedBy,Status=Active" in status.advice()
    active = read_tag_status({"CostAllocationTags": [{"TagKey": k, "Status": "Active"} for k in ("Stack", "ManagedBy")]})
    assert active.advice() == "" and active.active == ("Stack", "ManagedBy")


def test_each_difference_is_explained():
    assert explain(0, 0, True) == "no spend, as estimated"
    assert explain(5, 0, False).startswith("not in the estimate")
    assert explain(5, 0, True).startswith("estimated free")
    assert explain(0, 5, True).startswith("estimated but nothing billed")
    assert explain(20, 10, True).startswith("2.0x the estimate")
    assert explain(5, 10, True).startswith("50% of the estimate")
    assert explain(11, 10, True) == "within 25% of the estimate"


def test_compare_prorates_the_monthly_estimate_and_ranks_by_difference():
    month = 365.25 / 12
    assert prorate(100, 30) == pytest.approx(100 * 30 / month)
    lines = compare({"Amazon Bedrock": 50.0, "AWS Config": 1.0}, {"Amazon Bedrock": 300.0, "AWS CloudTrail": 0.0}, 15)
    assert [d.service for d in lines] == ["Amazon Bedrock", "AWS Config", "AWS CloudTrail"]
    bedrock = lines[0]
    assert bedrock.estimated == round(300 * 15 / month, 2) and bedrock.difference == round(50 - bedrock.estimated, 2)
