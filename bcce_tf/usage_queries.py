"""The saved Athena queries of the analytics component, written in Athena's dialect (Trino).

Pure: the SQL text is built here, prices come from the one price table (bcce_tf/cost.py) and the
result travels to Terraform as data in bcce.auto.tfvars.json; the template only puts the table
names in place of the markers below. The same text is what the tests transpile and run.

Tables (declared in terraform/modules/analytics/main.tf.j2):
  INVOCATIONS  Bedrock ModelInvocationLog records, partition dt = yyyy/MM/dd (the S3 key layout).
  EVENTS       Claude Code OpenTelemetry log events as the collector's awscloudwatchlogs exporter
               writes them (body, attributes, resource, scope), partition dt = yyyy-MM-dd.
"""

from __future__ import annotations

from bcce_tf.cost import PRICES

INVOCATIONS = "@invocation_logs@"
EVENTS = "@claude_code_events@"

WINDOW_DAYS = 30


def prices_per_token() -> dict[str, float]:
    """USD per token of each kind, from the price table's per-million prices."""
    return {
        "input": PRICES["claude_input"].usd / 1_000_000,
        "output": PRICES["claude_output"].usd / 1_000_000,
        "cache_read": PRICES["claude_cache_read"].usd / 1_000_000,
        "cache_write": PRICES["claude_cache_write"].usd / 1_000_000,
    }


def _per_million(key: str) -> str:
    return repr(PRICES[key].usd)


def _cost(input_: str, output: str, cache_read: str, cache_write: str) -> str:
    """Estimated cost of token sums at the price table's rates (USD per million tokens)."""
    return (f"({input_} * {_per_million('claude_input')} + {output} * {_per_million('claude_output')} + "
            f"{cache_read} * {_per_million('claude_cache_read')} + {cache_write} * {_per_million('claude_cache_write')}) / 1000000.0")


# Token sums of invocation log records (Bedrock counts cache tokens apart from inputTokenCount).
_INV_INPUT = 'SUM(COALESCE(l."input".inputtokencount, 0))'
_INV_OUTPUT = 'SUM(COALESCE(l."output".outputtokencount, 0))'
_INV_CACHE_READ = 'SUM(COALESCE(l."input".cachereadinputtokencount, 0))'
_INV_CACHE_WRITE = 'SUM(COALESCE(l."input".cachewriteinputtokencount, 0))'
_INV_WINDOW = f"l.dt >= date_format(current_date - INTERVAL '{WINDOW_DAYS}' DAY, '%Y/%m/%d')"


# A COUNT_IF predicate is written so that it is never NULL: Athena counts NULL as false, other
# engines (DuckDB, where the tests run the queries) return NULL for a group of only NULLs.


def _attr(name: str, kind: str | None = None) -> str:
    value = f"element_at(e.attributes, '{name}')"
    return f"TRY_CAST({value} AS {kind})" if kind else value


# Token sums of claude_code.api_request events (attribute values are strings in the map column).
_EV_INPUT = f"SUM(COALESCE({_attr('input_tokens', 'BIGINT')}, 0))"
_EV_OUTPUT = f"SUM(COALESCE({_attr('output_tokens', 'BIGINT')}, 0))"
_EV_CACHE_READ = f"SUM(COALESCE({_attr('cache_read_tokens', 'BIGINT')}, 0))"
_EV_CACHE_WRITE = f"SUM(COALESCE({_attr('cache_creation_tokens', 'BIGINT')}, 0))"
_EV_REPORTED = f"ROUND(SUM(COALESCE({_attr('cost_usd', 'DOUBLE')}, 0)), 4)"
_EV_WINDOW = f"e.dt >= date_format(current_date - INTERVAL '{WINDOW_DAYS}' DAY, '%Y-%m-%d')"
_API_REQUESTS = f"{_attr('event.name')} = 'api_request'"


def _token_columns_events() -> str:
    return (f"{_EV_INPUT} AS input_tokens,\n       {_EV_OUTPUT} AS output_tokens,\n"
            f"       {_EV_CACHE_READ} AS cache_read_tokens,\n       {_EV_CACHE_WRITE} AS cache_write_tokens,\n"
            f"       ROUND({_cost(_EV_INPUT, _EV_OUTPUT, _EV_CACHE_READ, _EV_CACHE_WRITE)}, 4) AS cost_usd,\n"
            f"       {_EV_REPORTED} AS reported_cost_usd")


# The building blocks the dashboards' own queries over EVENTS share with the saved queries
# (alias `e`): one definition of an attribute read, an api_request and the priced token columns.
def event_attribute(name: str, kind: str | None = None) -> str:
    return _attr(name, kind)


# In UTC without a zone, as Grafana's time macros and a Superset time column compare it.
EVENT_TIME = f"CAST(from_iso8601_timestamp({_attr('event.timestamp')}) AS timestamp)"
API_REQUESTS = _API_REQUESTS


def event_token_columns() -> str:
    return _token_columns_events()


def named_queries() -> dict[str, dict[str, str]]:
    """Saved query name -> {description, query}; table markers INVOCATIONS and EVENTS."""
    inv_tokens = (f"{_INV_INPUT} AS input_tokens,\n       {_INV_OUTPUT} AS output_tokens,\n"
                  f"       {_INV_CACHE_READ} AS cache_read_tokens,\n       {_INV_CACHE_WRITE} AS cache_write_tokens,\n"
                  f"       ROUND({_cost(_INV_INPUT, _INV_OUTPUT, _INV_CACHE_READ, _INV_CACHE_WRITE)}, 4) AS cost_usd")
    ev_tokens = _token_columns_events()
    queries = {
        "tokens-cost-by-model": (
            f"Bedrock invocation logs: requests, tokens and estimated cost per model, last {WINDOW_DAYS} days "
            "(cost at the price table's Claude Sonnet rates)",
            f"SELECT l.modelid AS model_id,\n       COUNT(*) AS requests,\n       {inv_tokens}\n"
            f"FROM {INVOCATIONS} l\nWHERE {_INV_WINDOW}\nGROUP BY l.modelid\nORDER BY cost_usd DESC, model_id",
        ),
        "tokens-cost-by-principal": (
            f"Bedrock invocation logs: tokens and estimated cost per calling IAM principal, last {WINDOW_DAYS} days",
            f"SELECT l.identity.arn AS principal_arn,\n       COUNT(*) AS requests,\n       {inv_tokens}\n"
            f"FROM {INVOCATIONS} l\nWHERE {_INV_WINDOW}\nGROUP BY l.identity.arn\nORDER BY cost_usd DESC, principal_arn\nLIMIT 25",
        ),
        "tokens-cost-per-day": (
            f"Bedrock invocation logs: tokens and estimated cost per day, last {WINDOW_DAYS} days",
            f"SELECT l.dt AS day,\n       COUNT(*) AS requests,\n       {inv_tokens}\n"
            f"FROM {INVOCATIONS} l\nWHERE {_INV_WINDOW}\nGROUP BY l.dt\nORDER BY day",
        ),
        "cache-hit-rate": (
            f"Bedrock invocation logs: share of prompt tokens read from the prompt cache, per model, last {WINDOW_DAYS} days",
            f"SELECT l.modelid AS model_id,\n       {_INV_CACHE_READ} AS cache_read_tokens,\n"
            f"       {_INV_INPUT} + {_INV_CACHE_READ} + {_INV_CACHE_WRITE} AS prompt_tokens,\n"
            f"       ROUND(100.0 * {_INV_CACHE_READ} / NULLIF({_INV_INPUT} + {_INV_CACHE_READ} + {_INV_CACHE_WRITE}, 0), 2) AS cache_hit_rate_pct\n"
            f"FROM {INVOCATIONS} l\nWHERE {_INV_WINDOW}\nGROUP BY l.modelid\nORDER BY model_id",
        ),
        "error-rate-and-throttles": (
            f"Bedrock invocation logs: failed and throttled requests per day and model, last {WINDOW_DAYS} days",
            f"SELECT l.dt AS day,\n       l.modelid AS model_id,\n       COUNT(*) AS requests,\n"
            f"       COUNT_IF(l.errorcode IS NOT NULL) AS errors,\n"
            f"       COUNT_IF(COALESCE(l.errorcode, '') = 'ThrottlingException') AS throttles,\n"
            f"       ROUND(100.0 * COUNT_IF(l.errorcode IS NOT NULL) / COUNT(*), 2) AS error_rate_pct\n"
            f"FROM {INVOCATIONS} l\nWHERE {_INV_WINDOW}\nGROUP BY l.dt, l.modelid\nORDER BY day, model_id",
        ),
        "claude-code-cost-by-user": (
            f"Claude Code api_request events: tokens and cost per developer, last {WINDOW_DAYS} days "
            "(cost_usd at the price table's rates; reported_cost_usd is Claude Code's own estimate)",
            f"SELECT {_attr('user.email')} AS user_email,\n       COUNT(DISTINCT {_attr('session.id')}) AS sessions,\n"
            f"       COUNT(*) AS requests,\n       {ev_tokens}\n"
            f"FROM {EVENTS} e\nWHERE {_EV_WINDOW} AND {_API_REQUESTS}\nGROUP BY 1\nORDER BY cost_usd DESC, user_email\nLIMIT 25",
        ),
        "claude-code-cost-by-team": (
            f"Claude Code api_request events: tokens and cost per team (resource attribute team.id), last {WINDOW_DAYS} days",
            f"SELECT COALESCE(element_at(e.resource, 'team.id'), 'unassigned') AS team,\n"
            f"       COUNT(DISTINCT {_attr('user.email')}) AS users,\n       {ev_tokens}\n"
            f"FROM {EVENTS} e\nWHERE {_EV_WINDOW} AND {_API_REQUESTS}\nGROUP BY 1\nORDER BY cost_usd DESC, team",
        ),
        "claude-code-cost-by-model-per-day": (
            f"Claude Code api_request events: tokens and cost per day and model, last {WINDOW_DAYS} days",
            f"SELECT e.dt AS day,\n       {_attr('model')} AS model,\n       COUNT(*) AS requests,\n       {ev_tokens}\n"
            f"FROM {EVENTS} e\nWHERE {_EV_WINDOW} AND {_API_REQUESTS}\nGROUP BY 1, 2\nORDER BY day, model",
        ),
        "claude-code-active-users-per-day": (
            f"Claude Code events: distinct developers and sessions per day, last {WINDOW_DAYS} days",
            f"SELECT e.dt AS day,\n       COUNT(DISTINCT {_attr('user.email')}) AS active_users,\n"
            f"       COUNT(DISTINCT {_attr('session.id')}) AS sessions,\n"
            f"       COUNT_IF(COALESCE({_attr('event.name')}, '') = 'user_prompt') AS prompts\n"
            f"FROM {EVENTS} e\nWHERE {_EV_WINDOW}\nGROUP BY e.dt\nORDER BY day",
        ),
        "claude-code-api-errors": (
            f"Claude Code api_error events per day and HTTP status (429 = throttled), last {WINDOW_DAYS} days",
            f"SELECT e.dt AS day,\n       {_attr('status_code')} AS status_code,\n       COUNT(*) AS errors,\n"
            f"       COUNT(DISTINCT {_attr('user.email')}) AS users\n"
            f"FROM {EVENTS} e\nWHERE {_EV_WINDOW} AND {_attr('event.name')} = 'api_error'\nGROUP BY 1, 2\nORDER BY day, status_code",
        ),
        "claude-code-top-sessions": (
            f"Claude Code: the 25 sessions with the highest cost, last {WINDOW_DAYS} days",
            f"SELECT {_attr('session.id')} AS session_id,\n       {_attr('user.email')} AS user_email,\n"
            f"       COUNT(*) AS requests,\n       SUM(COALESCE({_attr('duration_ms', 'BIGINT')}, 0)) AS api_duration_ms,\n       {ev_tokens}\n"
            f"FROM {EVENTS} e\nWHERE {_EV_WINDOW} AND {_API_REQUESTS}\nGROUP BY 1, 2\nORDER BY cost_usd DESC, session_id\nLIMIT 25",
        ),
    }
    return {name: {"description": description, "query": sql + "\n"} for name, (description, sql) in queries.items()}
