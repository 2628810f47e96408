"""Log retention recommendations from DescribeLogGroups entries (pure: the time is given)."""

from __future__ import annotations

import pytest

from bcce_tf.spend.advice import DAY_MS, GIB, log_retention

NOW = 1_800_000_000_000
PRICE = 0.03  # USD per GiB-month, as bcce_tf/cost.py has logs_storage


def group(name: str, retention: int | None, gib: float, age_days: float) -> dict:
    found = {"logGroupName": name, "storedBytes": int(gib * GIB), "creationTime": int(NOW - age_days * DAY_MS)}
    if retention is not None:
        found["retentionInDays"] = retention
    return found


def test_groups_kept_longer_than_the_config_are_priced_by_what_retention_would_delete():
    found = log_retention([
        group("/bcce/acme/audit", None, 100, 730),  # never expires, two years old: half of it is older than 365 days
        group("/bcce/acme/vpc-flow-logs", 3653, 40, 1460),  # ten years kept, four years old: 3/4 older
        group("/bcce/claude-code/acme", 365, 500, 900),  # as configured: nothing to say
        group("/bcce/young", None, 10, 30),  # too young: saves nothing yet
        group("/aws/lambda/not-ours", None, 900, 900),  # not bcce's
    ], 365, NOW, PRICE)
    assert [r.resource for r in found] == ["/bcce/acme/audit", "/bcce/acme/vpc-flow-logs", "/bcce/young"]
    audit, flow, young = found
    assert audit.monthly_saving_usd == pytest.approx(100 * 0.5 * PRICE)
    assert flow.monthly_saving_usd == pytest.approx(40 * 0.75 * PRICE)
    assert young.monthly_saving_usd == 0
    assert "events never expire, the config says log_retention_days 365; 100.00 GiB stored, created 730 days ago" in audit.evidence
    assert "kept 3653 days" in flow.evidence
    assert "the saving comes later" in young.evidence
    assert "--log-group-name /bcce/acme/audit --retention-in-days 365" in audit.action
    assert audit.kind == "log-retention" and audit.to_dict()["monthly_saving_usd"] == 1.5


def test_a_shorter_retention_and_an_empty_account_need_nothing():
    assert log_retention([group("/bcce/a", 30, 5, 400)], 365, NOW, PRICE) == []
    assert log_retention([], 365, NOW, PRICE) == []
