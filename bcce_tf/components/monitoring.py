"""Inputs of the monitoring component: alert topic, alarms, dashboard, budget, saved queries."""

from __future__ import annotations

from typing import Any

from bcce_tf.config import Config

SERVICES: tuple[str, ...] = ("sns", "cloudwatch", "logs", "budgets")

# IAM roles the component creates ("{prefix}" = <stack>-<organization>). IAM names are global to
# the account, so the region is part of each name; at most 64 characters.
IAM_ROLE_NAMES: tuple[str, ...] = ()


def tfvars(config: Config, region: str) -> dict[str, Any]:
    return {
        "monitoring_alarm_email": config.monitoring.alarm_email,
        "monitoring_monthly_budget_usd": config.monitoring.monthly_budget_usd,
        # Budgets belong to the account, not a region: the first configured region's stack owns it.
        "monitoring_create_budget": region == config.regions[0],
    }
