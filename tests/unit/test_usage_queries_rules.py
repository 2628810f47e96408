"""The saved Athena queries: Trino SQL, one table marker each, prices only from the price table."""

from __future__ import annotations

import re

import pytest

from bcce_tf import usage_queries
from bcce_tf.cost import PRICES

sqlglot = pytest.importorskip("sqlglot")


def test_every_query_parses_as_trino_and_reads_one_table():
    queries = usage_queries.named_queries()
    assert len(queries) == 11
    for name, q in queries.items():
        text = q["query"]
        tables = {m for m in (usage_queries.INVOCATIONS, usage_queries.EVENTS) if m in text}
        assert len(tables) == 1, name
        sqlglot.parse_one(text.replace(tables.pop(), "t"), read="trino")
        assert 1 <= len(q["description"]) <= 1024 and len(name) <= 100


def test_the_only_numbers_that_are_prices_come_from_the_price_table():
    per_million = {repr(PRICES[k].usd) for k in ("claude_input", "claude_output", "claude_cache_read", "claude_cache_write")}
    for name, q in usage_queries.named_queries().items():
        if "cost_usd" not in q["query"] or name.startswith("cache-"):
            continue
        multipliers = set(re.findall(r"\* (\d+\.\d+)", q["query"]))
        assert multipliers == per_million, name
