"""Every saved Athena query, run on records of the real shapes that went through the deployed pipeline.

The analytics component is applied for real (provider 3.39 against the emulator). Then:

- Claude Code log events, as the collector's awscloudwatchlogs exporter writes them (body, severity,
  attributes, scope, resource), are put into /bcce/claude-code/<org> with PutLogEvents. The
  emulator carries them over the subscription filter into Firehose and from Firehose into the lake
  bucket: that is the gzip CloudWatch Logs envelope, as Firehose receives it. The emulator does not
  run Firehose's processors (Decompression, CloudWatchLogProcessing, AppendDelimiterToRecord, which
  the generation-5 rendering configures) nor the !{timestamp:...} prefix: the test does that hop,
  from exactly the delivered envelopes, and writes the result where Firehose would (one gzip object
  of JSON lines under claude-code-events/dt=<delivery day>/).
- Bedrock model invocation log records (schemaType ModelInvocationLog, metadata only, as with
  analytics.log_prompts off) are written where Bedrock delivers them: the emulator has no Bedrock
  and generation 3 cannot configure invocation logging, so the test is the producer of that hop,
  with Bedrock's key layout and object format (gzip JSON lines).

The lake bucket denies every request that is not over TLS (DenyInsecureTransport), and the emulator
serves plain HTTP only: moto refuses GetObject and PutObject on it (it does not evaluate the Bool
condition, and a plain-HTTP request would be refused by AWS too). So the objects of the lake are
read and written in the emulator's S3 store in-process (moto's S3 backend, the store the HTTP API
serves); the Firehose delivery and the object listings are the emulator's own, over HTTP.

Everything is read back from S3 into DuckDB, in tables whose columns are the deployed Glue tables'
(tests/support/lake.py reads rows as the OpenX JSON SerDe does), every saved query is taken from
Athena as deployed, must parse as Trino, is transpiled with sqlglot and run, and its rows are
compared with numbers computed here from the records and the price table (bcce_tf/cost.py).
"""

from __future__ import annotations

import gzip
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bcce_tf import usage_queries
from bcce_tf.metrics import lake_questions
from bcce_tf.cost import PRICES
from tests.conftest import EMULATOR_CREDENTIALS
from tests.support.lake import GlueTable, create_table, firehose_extract_cloudwatch_logs, insert_object, run_athena_query
from tests.support.stack import emulator_config, render_for_emulator

duckdb = pytest.importorskip("duckdb")

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = "bcce-acme-"
SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
ALICE = f"arn:aws:sts::{ACCOUNT}:assumed-role/BedrockDeveloper/alice@example.com"
BOB = f"arn:aws:sts::{ACCOUNT}:assumed-role/BedrockDeveloper/bob@example.com"


def price_cost(input_: int, output: int, cache_read: int, cache_write: int) -> float:
    """USD from the price table (per million tokens), computed apart from the SQL."""
    return (input_ * PRICES["claude_input"].usd + output * PRICES["claude_output"].usd
            + cache_read * PRICES["claude_cache_read"].usd + cache_write * PRICES["claude_cache_write"].usd) / 1e6


# ---------------------------------------------------------------------------------------------
# Bedrock invocation log records
# (caller, model, days ago, operation, input, output, cache read, cache write, error code)
INVOCATIONS = [
    (ALICE, SONNET, 0, "ConverseStream", 1200, 300, 20000, 1500, None),
    (ALICE, SONNET, 0, "ConverseStream", 800, 450, 25000, 0, None),
    (ALICE, HAIKU, 1, "InvokeModelWithResponseStream", 400, 120, 0, 2000, None),
    (BOB, SONNET, 1, "Converse", 300, 80, 5000, 0, None),
    (BOB, SONNET, 1, "Converse", None, None, None, None, "ThrottlingException"),
    (BOB, HAIKU, 3, "InvokeModel", 500, 200, 1000, 0, None),
    (BOB, HAIKU, 3, "InvokeModel", 90, None, None, None, "ValidationException"),
    (ALICE, SONNET, 40, "Converse", 99999, 99999, 0, 0, None),  # outside the 30-day window
]


def invocation_record(now: datetime, row: tuple) -> dict[str, Any]:
    caller, model, days_ago, operation, input_, output, cache_read, cache_write, error = row
    when = now - timedelta(days=days_ago)
    record: dict[str, Any] = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "accountId": ACCOUNT,
        "identity": {"arn": caller},
        "region": REGION,
        "requestId": str(uuid.uuid4()),
        "operation": operation,
        "modelId": model,
        "input": {"inputContentType": "application/json"},
        "inferenceRegion": "us-west-2",  # cross-region inference profile; not declared by the table
    }
    for key, value in (("inputTokenCount", input_), ("cacheReadInputTokenCount", cache_read),
                       ("cacheWriteInputTokenCount", cache_write)):
        if value is not None:
            record["input"][key] = value
    if output is not None:
        record["output"] = {"outputContentType": "application/json", "outputTokenCount": output}
    if error:
        record["errorCode"] = error
    if days_ago == 1 and operation == "InvokeModelWithResponseStream":
        # As with analytics.log_prompts on: bodies in the record, which the table does not declare.
        record["input"]["inputBodyJson"] = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1024,
                                            "messages": [{"role": "user", "content": [{"type": "text", "text": "Explain this diff"}]}]}
        record["output"]["outputBodyJson"] = [{"type": "message_delta", "delta": {"stop_reason": "end_turn"}}]
    return record


# ---------------------------------------------------------------------------------------------
# Claude Code log events: (days ago, user, team or None, session, event name, event attributes)
USERS = {"alice@example.com": "platform", "bob@example.com": "data", "carol@example.com": None}
UUIDS = {"alice@example.com": "6f1c1e7a-0b1e-4a53-9d1f-1a2b3c4d5e01", "bob@example.com": "6f1c1e7a-0b1e-4a53-9d1f-1a2b3c4d5e02",
         "carol@example.com": "6f1c1e7a-0b1e-4a53-9d1f-1a2b3c4d5e03"}


def api_request(model: str, input_: int, output: int, cache_read: int, cache_creation: int, cost: float, duration: int) -> dict:
    return {"model": model, "input_tokens": input_, "output_tokens": output, "cache_read_tokens": cache_read,
            "cache_creation_tokens": cache_creation, "cost_usd": cost, "duration_ms": duration}


EVENTS = [
    (0, "alice@example.com", "s-alice-1", "user_prompt", {"prompt_length": 412}),
    (0, "alice@example.com", "s-alice-1", "api_request", api_request(SONNET, 1200, 300, 20000, 1500, 0.0216, 2100)),
    (0, "alice@example.com", "s-alice-1", "tool_result", {"tool_name": "Edit", "success": True, "duration_ms": 35}),
    (0, "alice@example.com", "s-alice-1", "api_request", api_request(SONNET, 800, 450, 25000, 0, 0.0166, 3300)),
    (0, "bob@example.com", "s-bob-1", "user_prompt", {"prompt_length": 96}),
    (0, "bob@example.com", "s-bob-1", "api_request", api_request(HAIKU, 3000, 700, 0, 0, 0.0065, 900)),
    (0, "bob@example.com", "s-bob-1", "api_error", {"model": HAIKU, "error": "Too many requests", "status_code": 429,
                                                     "duration_ms": 120, "attempt": 1}),
    (0, "carol@example.com", "s-carol-1", "api_request", api_request(HAIKU, 150, 40, 0, 0, 0.0003, 400)),
    (1, "alice@example.com", "s-alice-2", "api_request", api_request(HAIKU, 400, 120, 0, 2000, 0.0036, 800)),
    (1, "bob@example.com", "s-bob-1", "api_error", {"model": SONNET, "error": "Internal server error", "status_code": 500,
                                                     "duration_ms": 5000, "attempt": 3}),
    (1, "bob@example.com", "s-bob-1", "api_error", {"model": SONNET, "error": "Too many requests", "status_code": 429,
                                                     "duration_ms": 80, "attempt": 1}),
    (1, "bob@example.com", "s-bob-1", "tool_decision", {"tool_name": "Bash", "decision": "accept", "source": "config"}),
    (2, "bob@example.com", "s-bob-2", "user_prompt", {"prompt_length": 1800}),
    (2, "bob@example.com", "s-bob-2", "api_request", api_request(SONNET, 52000, 6100, 130000, 41000, 0.4626, 48000)),
]


def log_event_body(days_ago: int, user: str, session: str, name: str, attributes: dict, when: datetime, index: int) -> dict:
    """One log record as the awscloudwatchlogs exporter marshals it (cwLogBody: omitempty fields)."""
    attrs: dict[str, Any] = {
        "event.name": name,
        "event.timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        "session.id": session, "user.email": user, "user.account_uuid": UUIDS[user],
        "organization.id": "0c5a7d2e-1111-4e2b-8c3d-acme00000001", "terminal.type": "vscode", "app.version": "2.0.14",
    }
    # Alice's numbers arrive as numbers, Bob's and Carol's as strings: the map<string,string>
    # column must read both.
    attrs.update(attributes if user == "alice@example.com" else {k: str(v).lower() if isinstance(v, bool) else str(v)
                                                                 for k, v in attributes.items()})
    if index % 3 == 0:
        attrs["query_source"] = "main"  # an attribute the queries do not know
    resource = {"service.name": "claude-code", "service.version": "2.0.14", "host.arch": "arm64"}
    if USERS[user]:
        resource["team.id"] = USERS[user]  # OTEL_RESOURCE_ATTRIBUTES=team.id=...
    body: dict[str, Any] = {"body": f"claude_code.{name}", "severity_number": 9, "severity_text": "INFO",
                            "attributes": attrs,
                            "scope": {"name": "com.anthropic.claude_code.events", "version": "2.0.14"}, "resource": resource}
    if index % 4 == 0:  # fields the table does not declare
        body["flags"] = 1
        body["trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736"
        body["span_id"] = "00f067aa0ba902b7"
        body["scope"]["attributes"] = {"library": "otel-js"}
    return body


# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lake(moto_server, provider_mirror, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The applied analytics stack, its lake filled through the pipeline, read into DuckDB."""
    with pytest.MonkeyPatch.context() as env:
        moto_server.reset()
        for key, value in EMULATOR_CREDENTIALS.items():
            env.setenv(key, value)
        env.setenv("AWS_DEFAULT_REGION", REGION)
        config = emulator_config(components=["analytics"], organization_id="acme")
        run = render_for_emulator(config, tmp_path_factory.mktemp("usage"), moto_server.url, provider_mirror)
        run.init()
        run.apply()
        try:
            yield fill_and_read(moto_server, run.outputs())
        finally:
            run.destroy()


class LakeObjects:
    """Object bodies of the TLS-only lake bucket, in the emulator's S3 store (see the module text)."""

    def __init__(self, bucket: str) -> None:
        from moto.s3.models import s3_backends

        self.backend = s3_backends[ACCOUNT]["aws"]
        self.bucket = bucket

    def get(self, key: str) -> bytes:
        return self.backend.get_object(self.bucket, key).value

    def put(self, key: str, body: bytes) -> None:
        self.backend.put_object(self.bucket, key, body)


def fill_and_read(emulator, out: dict[str, Any]) -> dict[str, Any]:
    s3, logs, glue, athena = (emulator.client(s, REGION) for s in ("s3", "logs", "glue", "athena"))
    bucket = out["lake_bucket"]
    objects = LakeObjects(bucket)
    with pytest.raises(Exception, match="403|Forbidden"):  # what the module text says: plain HTTP is refused
        s3.put_object(Bucket=bucket, Key="probe", Body=b"{}")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    today: date = con.execute("SELECT current_date").fetchone()[0]
    now = datetime.now(UTC)

    # Claude Code events: one PutLogEvents per day (a batch spans < 24 h, events in time order).
    group, stream = out["claude_code_log_group"], "claude-code-otel"
    assert group == "/bcce/claude-code/acme"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events: list[dict[str, Any]] = []
    for days_ago in sorted({e[0] for e in EVENTS}, reverse=True):
        batch = []
        todays = [e for e in EVENTS if e[0] == days_ago]
        base = now - timedelta(days=days_ago, seconds=len(todays) + 5)
        for index, (_, user, session, name, attributes) in enumerate(todays):
            when = base + timedelta(seconds=index)
            body = log_event_body(days_ago, user, session, name, attributes, when, index)
            batch.append({"timestamp": int(when.timestamp() * 1000), "message": json.dumps(body, separators=(",", ":"))})
            events.append({"day": when.date(), "user": user, "session": session, "name": name, "attributes": attributes,
                           "team": USERS[user]})
        answer = logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
        assert not answer.get("rejectedLogEventsInfo"), answer

    # Firehose delivered the subscription records (moto: one object per record, under raw/).
    delivered = s3.list_objects_v2(Bucket=bucket, Prefix="raw/").get("Contents", [])
    assert len(delivered) == len({e[0] for e in EVENTS}), [o["Key"] for o in delivered]
    events_table = GlueTable.from_glue(glue.get_table(DatabaseName=out["glue_database"], Name="claude_code_events")["Table"])
    for item in delivered:
        body, newest = firehose_extract_cloudwatch_logs(objects.get(item["Key"]))
        day = datetime.fromtimestamp(newest / 1000, UTC).strftime("%Y-%m-%d")
        key = f"claude-code-events/dt={day}/{out['usage_firehose_stream']}-1-{day}-{uuid.uuid4()}.gz"
        objects.put(key, body)

    # Bedrock invocation logs: <prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/yyyy/MM/dd/HH/*.json.gz
    invocations_table = GlueTable.from_glue(glue.get_table(DatabaseName=out["glue_database"], Name="invocation_logs")["Table"])
    by_hour: dict[str, list[dict]] = defaultdict(list)
    invocations = []
    for row in INVOCATIONS:
        record = invocation_record(now, row)
        when = datetime.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        by_hour[when.strftime("%Y/%m/%d/%H")].append(record)
        invocations.append({"day": when.date(), "row": row})
    for hour, records in by_hour.items():
        key = (f"bedrock-invocation-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/{REGION}/{hour}/"
               f"{hour.replace('/', '')}0000000Z_{uuid.uuid4().hex[:16]}.json.gz")
        objects.put(key, gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))

    # Read the lake back, table by table, from each table's location.
    loaded = {}
    for table in (events_table, invocations_table):
        create_table(con, table)
        location = glue.get_table(DatabaseName=table.database, Name=table.name)["Table"]["StorageDescriptor"]["Location"]
        prefix = location.removeprefix(f"s3://{bucket}/")
        rows = 0
        for item in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
            rows += insert_object(con, table, item["Key"], objects.get(item["Key"]))
        loaded[table.name] = rows
    assert loaded == {"claude_code_events": len(EVENTS), "invocation_logs": len(INVOCATIONS)}

    queries = {}
    for query_id in out["athena_named_query_ids"].values():
        query = athena.get_named_query(NamedQueryId=query_id)["NamedQuery"]
        queries[query["Name"].removeprefix(PREFIX)] = query["QueryString"]
    return {"con": con, "today": today, "queries": queries, "events": events, "invocations": invocations}


def run(lake: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return run_athena_query(lake["con"], lake["queries"][name])


def assert_rows(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert [list(r) for r in actual[:1]] == [list(r) for r in expected[:1]], "columns"
    assert len(actual) == len(expected), (actual, expected)
    for got, want in zip(actual, expected):
        for column, value in want.items():
            if isinstance(value, float):  # the query rounds: to 4 places (USD) or 2 (percent)
                assert float(got[column]) == pytest.approx(value, abs=0.50001e-4 if "pct" not in column else 0.0050001), (column, got, want)
            else:
                assert got[column] == value, (column, got, want)


# ---------------------------------------------------------------------------------------------
# Expected rows, computed from the records.
def _sum_tokens(rows: list[tuple]) -> dict[str, Any]:
    i = sum(r[4] or 0 for r in rows)
    o = sum(r[5] or 0 for r in rows)
    cr = sum(r[6] or 0 for r in rows)
    cw = sum(r[7] or 0 for r in rows)
    return {"requests": len(rows), "input_tokens": i, "output_tokens": o, "cache_read_tokens": cr, "cache_write_tokens": cw,
            "cost_usd": price_cost(i, o, cr, cw)}


def in_window(lake: dict[str, Any], day: date) -> bool:
    return day >= lake["today"] - timedelta(days=usage_queries.WINDOW_DAYS)


def grouped(items: list, key: Callable) -> dict[Any, list]:
    out: dict[Any, list] = defaultdict(list)
    for item in items:
        out[key(item)].append(item)
    return out


def recent_invocations(lake) -> list[dict]:
    return [i for i in lake["invocations"] if in_window(lake, i["day"])]


def test_every_saved_query_parses_as_trino_and_has_a_check_here(lake):
    assert set(lake["queries"]) == set(usage_queries.named_queries()) == set(CHECKED)
    for name, text in lake["queries"].items():
        run(lake, name)  # parses as Trino, transpiles, runs


def test_tokens_and_cost_by_model_are_the_price_table_times_the_tokens(lake):
    groups = grouped(recent_invocations(lake), lambda i: i["row"][1])
    expected = sorted(({"model_id": m, **_sum_tokens([i["row"] for i in rows])} for m, rows in groups.items()),
                      key=lambda r: (-r["cost_usd"], r["model_id"]))
    actual = run(lake, "tokens-cost-by-model")
    assert_rows(actual, expected)
    assert 99999 not in {r["input_tokens"] for r in actual}  # the 40-day-old record is outside the window


def test_tokens_and_cost_by_principal_put_the_heaviest_caller_first(lake):
    groups = grouped(recent_invocations(lake), lambda i: i["row"][0])
    expected = sorted(({"principal_arn": p, **_sum_tokens([i["row"] for i in rows])} for p, rows in groups.items()),
                      key=lambda r: (-r["cost_usd"], r["principal_arn"]))
    actual = run(lake, "tokens-cost-by-principal")
    assert_rows(actual, expected)
    assert actual[0]["principal_arn"] == ALICE


def test_tokens_and_cost_per_day(lake):
    groups = grouped(recent_invocations(lake), lambda i: i["day"].strftime("%Y/%m/%d"))
    expected = [{"day": d, **_sum_tokens([i["row"] for i in groups[d]])} for d in sorted(groups)]
    assert len(expected) == 3
    assert_rows(run(lake, "tokens-cost-per-day"), expected)


def test_cache_hit_rate_is_cache_reads_over_all_prompt_tokens(lake):
    expected = []
    for model, rows in sorted(grouped(recent_invocations(lake), lambda i: i["row"][1]).items()):
        t = _sum_tokens([i["row"] for i in rows])
        prompt = t["input_tokens"] + t["cache_read_tokens"] + t["cache_write_tokens"]
        expected.append({"model_id": model, "cache_read_tokens": t["cache_read_tokens"], "prompt_tokens": prompt,
                         "cache_hit_rate_pct": 100.0 * t["cache_read_tokens"] / prompt})
    assert_rows(run(lake, "cache-hit-rate"), expected)


def test_error_rate_and_throttles_per_day_and_model(lake):
    expected = []
    groups = grouped(recent_invocations(lake), lambda i: (i["day"].strftime("%Y/%m/%d"), i["row"][1]))
    for (day, model), rows in sorted(groups.items()):
        errors = sum(1 for i in rows if i["row"][8])
        expected.append({"day": day, "model_id": model, "requests": len(rows), "errors": errors,
                         "throttles": sum(1 for i in rows if i["row"][8] == "ThrottlingException"),
                         "error_rate_pct": 100.0 * errors / len(rows)})
    actual = run(lake, "error-rate-and-throttles")
    assert_rows(actual, expected)
    assert sum(r["throttles"] for r in actual) == 1 and sum(r["errors"] for r in actual) == 2


# Claude Code events --------------------------------------------------------------------------
def _event_tokens(events: list[dict]) -> dict[str, Any]:
    def total(name: str) -> int:
        return sum(int(e["attributes"][name]) for e in events)

    i, o, cr, cw = (total(n) for n in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens"))
    return {"input_tokens": i, "output_tokens": o, "cache_read_tokens": cr, "cache_write_tokens": cw,
            "cost_usd": price_cost(i, o, cr, cw),
            "reported_cost_usd": sum(float(e["attributes"]["cost_usd"]) for e in events)}


def api_requests(lake) -> list[dict]:
    return [e for e in lake["events"] if e["name"] == "api_request" and in_window(lake, e["day"])]


def test_claude_code_cost_by_user_puts_the_user_with_the_most_tokens_first(lake):
    expected = sorted(({"user_email": u, "sessions": len({e["session"] for e in rows}), "requests": len(rows), **_event_tokens(rows)}
                       for u, rows in grouped(api_requests(lake), lambda e: e["user"]).items()),
                      key=lambda r: (-r["cost_usd"], r["user_email"]))
    actual = run(lake, "claude-code-cost-by-user")
    assert_rows(actual, expected)
    most_tokens = max(expected, key=lambda r: r["input_tokens"] + r["output_tokens"] + r["cache_read_tokens"] + r["cache_write_tokens"])
    assert actual[0]["user_email"] == most_tokens["user_email"] == "bob@example.com"


def test_claude_code_cost_by_team_from_the_resource_attributes(lake):
    expected = sorted(({"team": t or "unassigned", "users": len({e["user"] for e in rows}), **_event_tokens(rows)}
                       for t, rows in grouped(api_requests(lake), lambda e: e["team"]).items()),
                      key=lambda r: (-r["cost_usd"], r["team"]))
    actual = run(lake, "claude-code-cost-by-team")
    assert_rows(actual, expected)
    assert {r["team"] for r in actual} == {"platform", "data", "unassigned"}


def test_claude_code_cost_by_model_per_day(lake):
    groups = grouped(api_requests(lake), lambda e: (e["day"].isoformat(), e["attributes"]["model"]))
    expected = [{"day": d, "model": m, "requests": len(rows), **_event_tokens(rows)} for (d, m), rows in sorted(groups.items())]
    assert_rows(run(lake, "claude-code-cost-by-model-per-day"), expected)


def test_claude_code_active_users_sessions_and_prompts_per_day(lake):
    groups = grouped([e for e in lake["events"] if in_window(lake, e["day"])], lambda e: e["day"].isoformat())
    expected = [{"day": d, "active_users": len({e["user"] for e in rows}), "sessions": len({e["session"] for e in rows}),
                 "prompts": sum(1 for e in rows if e["name"] == "user_prompt")} for d, rows in sorted(groups.items())]
    actual = run(lake, "claude-code-active-users-per-day")
    assert_rows(actual, expected)
    assert actual[-1]["active_users"] == 3  # today: alice, bob and carol


def test_claude_code_api_errors_by_status(lake):
    errors = [e for e in lake["events"] if e["name"] == "api_error" and in_window(lake, e["day"])]
    groups = grouped(errors, lambda e: (e["day"].isoformat(), str(e["attributes"]["status_code"])))
    expected = [{"day": d, "status_code": s, "errors": len(rows), "users": len({e["user"] for e in rows})}
                for (d, s), rows in sorted(groups.items())]
    actual = run(lake, "claude-code-api-errors")
    assert_rows(actual, expected)
    assert sum(r["errors"] for r in actual if r["status_code"] == "429") == 2


def test_claude_code_top_sessions_by_cost(lake):
    groups = grouped(api_requests(lake), lambda e: (e["session"], e["user"]))
    expected = sorted(({"session_id": s, "user_email": u, "requests": len(rows),
                        "api_duration_ms": sum(int(e["attributes"]["duration_ms"]) for e in rows), **_event_tokens(rows)}
                       for (s, u), rows in groups.items()),
                      key=lambda r: (-r["cost_usd"], r["session_id"]))
    actual = run(lake, "claude-code-top-sessions")
    assert_rows(actual, expected)
    assert actual[0]["session_id"] == "s-bob-2"


CHECKED = {
    "tokens-cost-by-model", "tokens-cost-by-principal", "tokens-cost-per-day", "cache-hit-rate", "error-rate-and-throttles",
    "claude-code-cost-by-user", "claude-code-cost-by-team", "claude-code-cost-by-model-per-day",
    "claude-code-active-users-per-day", "claude-code-api-errors", "claude-code-top-sessions",
}


def test_the_questions_superset_gets_count_the_same_records(lake):
    """Superset's saved questions read the same table as the saved queries: run on the same records,
    they give the same per-user totals, and every api_request and api_error of the window once."""
    # Superset's lake database has the Glue database as its default schema, as DuckDB's search path here.
    [database] = set(re.findall(r'(\w+)\.claude_code_events\b', lake["queries"]["claude-code-cost-by-user"].replace('"', "")))
    lake["con"].execute(f"SET search_path = '{database}'")
    try:
        answers = {q.label: run_athena_query(lake["con"], q.sql) for q in lake_questions.questions()}
    finally:
        lake["con"].execute("RESET search_path")
    per_user = {r["user_email"]: r for r in answers["bcce: tokens and cost per user"]}
    expected = {u: {"requests": len(rows), **_event_tokens(rows)} for u, rows in grouped(api_requests(lake), lambda e: e["user"]).items()}
    assert set(per_user) == set(expected)
    for user, want in expected.items():
        assert_rows([per_user[user]], [{"user_email": user, **want}])
    hourly = answers["bcce: requests and errors per hour"]
    errors = [e for e in lake["events"] if e["name"] == "api_error" and in_window(lake, e["day"])]
    assert (sum(r["requests"] for r in hourly), sum(r["errors"] for r in hourly)) == (len(api_requests(lake)), len(errors))
    daily = answers["bcce: active users per day"]
    assert max(r["active_users"] for r in daily) == 3
