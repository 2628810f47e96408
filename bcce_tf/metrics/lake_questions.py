"""Saved questions over the lake's `usage_events` table, in plain Athena SQL (no dashboard macros),
for platforms that keep saved SQL: Superset's SQL Lab gets them at first boot.

The same Claude Code usage the Grafana dashboard shows: tokens and cost per user, team and model,
active users per day, requests and errors per hour. Every question reads the last DAYS days only,
filtered on the `dt` partition (yyyy-MM-dd, as a date cast to varchar reads) so that Athena does
not scan the whole lake. No `%` in the SQL: drivers with pyformat parameters would read it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from bcce_tf.metrics.grafana_dashboard import USAGE_TABLE

DAYS = 30
_RECENT = (f"WHERE dt >= CAST(current_date - INTERVAL '{DAYS}' DAY AS varchar) "
           f"AND event_time >= current_timestamp - INTERVAL '{DAYS}' DAY")


@dataclass(frozen=True)
class Question:
    label: str
    description: str
    sql: str


def _per(column: str, what: str) -> Question:
    return Question(
        label=f"bcce: tokens and cost per {what}",
        description=f"Claude Code input and output tokens, estimated cost (USD) and requests per {what}, last {DAYS} days.",
        sql=(f"SELECT {column}, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, "
             f"sum(estimated_cost_usd) AS cost_usd, count(*) AS requests FROM {USAGE_TABLE} {_RECENT} "
             f"GROUP BY {column} ORDER BY cost_usd DESC LIMIT 100"),
    )


def questions() -> list[Question]:
    return [
        _per("user_id", "user"),
        _per("team", "team"),
        _per("model_id", "model"),
        Question(
            label="bcce: active users per day",
            description=f"Distinct Claude Code users per day, last {DAYS} days.",
            sql=(f"SELECT date_trunc('day', event_time) AS day, count(DISTINCT user_id) AS active_users "
                 f"FROM {USAGE_TABLE} {_RECENT} GROUP BY 1 ORDER BY 1"),
        ),
        Question(
            label="bcce: requests and errors per hour",
            description=f"Claude Code requests and failed requests per hour, last {DAYS} days.",
            sql=(f"SELECT date_trunc('hour', event_time) AS hour, count(*) AS requests, "
                 f"count_if(status = 'error') AS errors FROM {USAGE_TABLE} {_RECENT} GROUP BY 1 ORDER BY 1"),
        ),
    ]


def questions_json() -> str:
    """The questions as compact JSON (the user data carries them gzipped)."""
    return json.dumps([asdict(q) for q in questions()], sort_keys=True, separators=(",", ":"))
