"""Saved questions over the lake's `claude_code_events` table, in plain Athena SQL (no dashboard macros),
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
from bcce_tf.usage_queries import API_REQUESTS, EVENT_TIME, event_attribute, event_token_columns

DAYS = 30
_RECENT = (f"WHERE e.dt >= CAST(current_date - INTERVAL '{DAYS}' DAY AS varchar) "
           f"AND {EVENT_TIME} >= current_timestamp - INTERVAL '{DAYS}' DAY")
_FROM = f"FROM {USAGE_TABLE} e {_RECENT}"


@dataclass(frozen=True)
class Question:
    label: str
    description: str
    sql: str


def _per(column: str, what: str) -> Question:
    return Question(
        label=f"bcce: tokens and cost per {what}",
        description=f"Claude Code input and output tokens, estimated cost (USD) and requests per {what}, last {DAYS} days.",
        sql=(f"SELECT {column}, COUNT(*) AS requests, {event_token_columns()} {_FROM} AND {API_REQUESTS} "
             f"GROUP BY 1 ORDER BY cost_usd DESC LIMIT 100"),
    )


def _event_named(name: str) -> str:
    return f"COALESCE({event_attribute('event.name')}, '') = '{name}'"


def questions() -> list[Question]:
    return [
        _per(f"{event_attribute('user.email')} AS user_email", "user"),
        _per("COALESCE(element_at(e.resource, 'team.id'), 'unassigned') AS team", "team"),
        _per(f"{event_attribute('model')} AS model", "model"),
        Question(
            label="bcce: active users per day",
            description=f"Distinct Claude Code users per day, last {DAYS} days.",
            sql=(f"SELECT date_trunc('day', {EVENT_TIME}) AS day, COUNT(DISTINCT {event_attribute('user.email')}) AS active_users "
                 f"{_FROM} GROUP BY 1 ORDER BY 1"),
        ),
        Question(
            label="bcce: requests and errors per hour",
            description=f"Claude Code requests and failed requests per hour, last {DAYS} days.",
            sql=(f"SELECT date_trunc('hour', {EVENT_TIME}) AS hour, COUNT_IF({_event_named('api_request')}) AS requests, "
                 f"COUNT_IF({_event_named('api_error')}) AS errors {_FROM} GROUP BY 1 ORDER BY 1"),
        ),
    ]


def questions_json() -> str:
    """The questions as compact JSON (the user data carries them gzipped)."""
    return json.dumps([asdict(q) for q in questions()], sort_keys=True, separators=(",", ":"))
