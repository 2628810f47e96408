"""Read the data lake the way Athena does, with DuckDB: tables from the Glue catalogue, rows from S3.

- Columns and types come from the Glue table as deployed (glue:GetTable), Hive types turned into
  DuckDB types with sqlglot.
- Rows are read as the OpenX JSON SerDe reads them with case.insensitive=true: a JSON key matches
  a column or struct field whatever its case; keys a table does not declare are ignored; map keys
  are kept as they are; a JSON number or boolean in a map<string,string> becomes its text.
- The partition column comes from the object's key, matched against the table's
  storage.location.template and projection.<key>.format (partition projection).
- Saved queries are Athena SQL (Trino); they are transpiled to DuckDB with sqlglot.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

# Java date pattern letters used by partition projection, as regular expressions.
_DATE_PATTERN = {"yyyy": r"\d{4}", "MM": r"\d{2}", "dd": r"\d{2}", "HH": r"\d{2}"}


def duckdb_type(hive_type: str) -> str:
    return exp.DataType.build(hive_type, dialect="hive").sql("duckdb")


@dataclass(frozen=True)
class GlueTable:
    database: str
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, hive type)
    partition_key: str
    key_pattern: re.Pattern[str]  # matches an object key below the table, group "dt" = partition value

    @classmethod
    def from_glue(cls, table: dict[str, Any]) -> GlueTable:
        [partition] = table["PartitionKeys"]
        key = partition["Name"]
        params = table["Parameters"]
        template = params["storage.location.template"]
        bucket_and_prefix = template.removeprefix("s3://")
        prefix = bucket_and_prefix.split("/", 1)[1]
        value = params[f"projection.{key}.format"]
        for letters, rx in _DATE_PATTERN.items():
            value = value.replace(letters, rx)
        before, after = prefix.split("${" + key + "}")
        pattern = re.compile("^" + re.escape(before) + f"(?P<{key}>{value})" + re.escape(after))
        columns = tuple((c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"])
        return cls(table["DatabaseName"], table["Name"], columns, key, pattern)

    def partition_of(self, object_key: str) -> str | None:
        found = self.key_pattern.match(object_key)
        return found.group(self.partition_key) if found else None


def _serde_value(value: Any, hive_type: str) -> Any:
    """A JSON value as the OpenX SerDe hands it to a column of this type (case-insensitive keys)."""
    parsed = exp.DataType.build(hive_type, dialect="hive")
    return _convert(value, parsed)


def _convert(value: Any, kind: exp.DataType) -> Any:
    if value is None:
        return None
    if kind.this == exp.DataType.Type.STRUCT:
        if not isinstance(value, dict):
            return None
        lowered = {str(k).lower(): v for k, v in value.items()}
        out = {}
        for field in kind.expressions:  # ColumnDef: name and type
            name = field.name.lower()
            out[name] = _convert(lowered.get(name), field.args["kind"])
        return out
    if kind.this == exp.DataType.Type.MAP:
        if not isinstance(value, dict):
            return None
        value_kind = kind.expressions[1]
        return {str(k): _convert(v, value_kind) for k, v in value.items()}
    if kind.this in (exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR):
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else json.dumps(value)
    return value


def serde_row(record: dict[str, Any], table: GlueTable) -> dict[str, Any]:
    lowered = {str(k).lower(): v for k, v in record.items()}
    return {name: _serde_value(lowered.get(name.lower()), hive_type) for name, hive_type in table.columns}


def create_table(con: duckdb.DuckDBPyConnection, table: GlueTable) -> None:
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{table.database}"')
    columns = ", ".join(f'"{name}" {duckdb_type(kind)}' for name, kind in table.columns)
    con.execute(f'CREATE TABLE "{table.database}"."{table.name}" ({columns}, "{table.partition_key}" VARCHAR)')


def insert_object(con: duckdb.DuckDBPyConnection, table: GlueTable, object_key: str, body: bytes) -> int:
    """Insert the JSON lines of one (gzip) object; returns how many rows it held."""
    partition = table.partition_of(object_key)
    assert partition is not None, f"{object_key} is not below a partition of {table.name}"
    text = gzip.decompress(body).decode() if body[:2] == b"\x1f\x8b" else body.decode()
    structure = json.dumps({name: duckdb_type(kind) for name, kind in table.columns})
    rows = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        row = serde_row(json.loads(line), table)
        con.execute(f'INSERT INTO "{table.database}"."{table.name}" SELECT unnest(json_transform(?::JSON, ?)), ?',
                    [json.dumps(row), structure, partition])
        rows += 1
    return rows


def run_athena_query(con: duckdb.DuckDBPyConnection, athena_sql: str) -> list[dict[str, Any]]:
    """Run a saved Athena query on DuckDB: it must parse as Trino, then it is transpiled."""
    sqlglot.parse_one(athena_sql, read="trino")  # raises on what Athena's engine would not parse
    [duck_sql] = sqlglot.transpile(athena_sql, read="athena", write="duckdb")
    cursor = con.execute(duck_sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def firehose_extract_cloudwatch_logs(envelope_gzip: bytes) -> tuple[bytes, int]:
    """What Firehose's Decompression, CloudWatchLogProcessing (DataMessageExtraction) and
    AppendDelimiterToRecord processors make of one subscription record, with GZIP output:
    the message of each log event, one per line. Returns (object body, newest event timestamp ms).
    CONTROL_MESSAGE records carry no events and are dropped."""
    envelope = json.loads(gzip.decompress(envelope_gzip))
    if envelope.get("messageType") != "DATA_MESSAGE":
        return b"", 0
    lines = "".join(event["message"] + "\n" for event in envelope["logEvents"])
    return gzip.compress(lines.encode()), max(event["timestamp"] for event in envelope["logEvents"])
