"""Inputs of the monitoring component: alert topic, alarms, dashboard, budget, saved queries."""

from __future__ import annotations

import json
from typing import Any

from bcce_tf.config import Config
from bcce_tf.metrics.cloudwatch_dashboard import metric_widgets

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
        "monitoring_chat_webhook_sns": config.monitoring.chat_webhook_sns,
        "monitoring_readiness_min_score": config.readiness.min_score,
        "monitoring_metric_widgets": json.dumps(metric_widgets(config.stack_name, region, config.readiness.min_score),
                                                sort_keys=True),
    }
