"""The run history's pure parts: line encoding, damaged-line detection, rotation plan, settings."""

from __future__ import annotations

import json
from pathlib import Path

from bcce_tf.history import (
    DEFAULT_KEEP,
    DEFAULT_MAX_BYTES,
    Rotation,
    RunRecord,
    encode,
    needs_rotation,
    parse_lines,
    rotation_from_env,
    rotation_moves,
)

PATH = Path("/state/runs.jsonl")


def _line(**fields: object) -> bytes:
    return encode(RunRecord(operation="apply", correlation_id="c" * 16, start="2026-12-04T10:00:00.000Z", **fields))


def test_a_record_is_one_line_ending_in_a_newline():
    line = _line(error="first line\nsecond line")
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line)["error"] == "first line\nsecond line"


def test_damaged_lines_are_skipped_and_named_by_file_and_line():
    data = b"".join([
        _line(outcome="success"),
        b'{"operation": "apply", "correlation_id": "half-writ',  # line 2: cut short
        b"\n",
        b"\xff\xfe not text\n",  # line 3
        b"[1, 2]\n",  # line 4
        b"\n",  # blank line 5 is not a record, and no damage either
        b'{"operation": "plan", "correlation_id": "x", "attempts": 3}\n',  # line 6: readers index attempts
        b'{"operation": "plan", "correlation_id": "x", "attempts": {"plan": "two"}}\n',  # line 7
        b'{"start": "2026"}\n',  # line 8: not a run record
        _line(outcome="terraform-error", exit_code=5),
    ])
    records, damaged = parse_lines(data, PATH)
    assert [r["outcome"] for r in records] == ["success", "terraform-error"]
    assert [d.line for d in damaged] == [2, 3, 4, 6, 7, 8]
    assert damaged[0].message().startswith("/state/runs.jsonl:2: damaged run record skipped (not JSON")
    assert "not UTF-8" in damaged[1].reason
    assert "list, not an object" in damaged[2].reason
    assert "attempts" in damaged[3].reason and "attempts" in damaged[4].reason


def test_a_last_line_without_newline_is_read_when_whole():
    records, damaged = parse_lines(_line().rstrip(b"\n"), PATH)
    assert len(records) == 1 and not damaged


def test_rotation_happens_only_when_the_line_would_pass_the_limit():
    rotation = Rotation(max_bytes=1000, keep=2)
    assert not needs_rotation(0, 5000, rotation), "an empty file takes even an oversized record"
    assert not needs_rotation(900, 100, rotation)
    assert needs_rotation(901, 100, rotation)


def test_rotation_renames_the_oldest_first_and_the_current_file_last():
    moves = rotation_moves(PATH, Rotation(max_bytes=1024, keep=3))
    assert [(a.name, b.name) for a, b in moves] == [
        ("runs.jsonl.2", "runs.jsonl.3"), ("runs.jsonl.1", "runs.jsonl.2"), ("runs.jsonl", "runs.jsonl.1")]
    assert [(a.name, b.name) for a, b in rotation_moves(PATH, Rotation(max_bytes=1024, keep=1))] == [
        ("runs.jsonl", "runs.jsonl.1")]


def test_rotation_settings_come_from_the_environment():
    assert rotation_from_env({}) == (Rotation(DEFAULT_MAX_BYTES, DEFAULT_KEEP), [])
    rotation, warnings = rotation_from_env({"BCCE_HISTORY_MAX_BYTES": "2048", "BCCE_HISTORY_KEEP": "5"})
    assert rotation == Rotation(2048, 5) and warnings == []


def test_an_invalid_rotation_setting_is_named_and_its_default_used():
    rotation, warnings = rotation_from_env({"BCCE_HISTORY_MAX_BYTES": "ten", "BCCE_HISTORY_KEEP": "0"})
    assert rotation == Rotation(DEFAULT_MAX_BYTES, DEFAULT_KEEP)
    assert warnings == [
        f"BCCE_HISTORY_MAX_BYTES='ten' is not valid: expected a whole number of bytes, at least 1024; using {DEFAULT_MAX_BYTES}",
        f"BCCE_HISTORY_KEEP='0' is not valid: expected a whole number of rotated files, at least 1; using {DEFAULT_KEEP}",
    ]
