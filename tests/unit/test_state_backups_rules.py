"""State backups, the pure parts: names, pruning, what is pushed on restore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bcce_tf.errors import DataProtectedError
from bcce_tf.state_backups import (
    backup_name,
    describe,
    is_backup_name,
    keep_from_env,
    parse_state,
    push_document,
    resource_count,
    to_prune,
)

STATE = {"version": 4, "serial": 7, "lineage": "abc", "resources": [
    {"mode": "managed", "type": "aws_kms_key", "name": "stack", "instances": [{"attributes": {}}]},
    {"mode": "managed", "type": "aws_s3_bucket", "name": "logs", "instances": [{}, {}]},
    {"mode": "data", "type": "aws_caller_identity", "name": "me", "instances": [{}]},
]}


def test_names_sort_by_time_and_say_what_came_next():
    first = backup_name(1_780_000_000.123, "apply", 7)
    later = backup_name(1_780_000_060.5, "destroy", 8)
    assert first == "20260528T202640.123Z-apply-serial7.tfstate"
    assert sorted([later, first]) == [first, later]
    assert is_backup_name(first) and is_backup_name(later)
    for bad in ("../../etc/passwd", "terraform.tfstate", first + ".tmp", "x" + first):
        assert not is_backup_name(bad)


def test_describe_reads_time_operation_serial_and_resource_count():
    backup = describe(Path("/b") / "20260528T203320.123Z-destroy-serial7.tfstate", STATE)
    assert (backup.taken, backup.operation, backup.serial, backup.lineage, backup.resources) == (
        "2026-05-28T20:33:20.123Z", "destroy", 7, "abc", 3)
    assert resource_count({"resources": []}) == 0


def test_no_state_or_not_a_state_is_none():
    assert parse_state(b"") is None and parse_state(b"\n") is None
    assert parse_state(b"{not json") is None and parse_state(b"[]") is None
    assert parse_state(b'{"serial": "7", "lineage": "x"}') is None
    assert parse_state(b'{"version": 4, "serial": 0, "lineage": "", "resources": []}') is None, "S3: never written"
    assert parse_state(json.dumps(STATE).encode())["serial"] == 7


def test_only_the_newest_are_kept():
    names = [backup_name(1_780_000_000 + i, "apply", i) for i in range(5)]
    assert to_prune(names + ["notes.txt"], 3) == names[:2]
    assert to_prune(names, 10) == []


def test_the_pushed_state_is_the_backup_with_a_serial_above_the_current_one():
    assert push_document(STATE, {**STATE, "serial": 12})["serial"] == 13
    assert push_document(STATE, None)["serial"] == 8
    pushed = push_document(STATE, {**STATE, "serial": 3})
    assert pushed["serial"] == 8 and pushed["resources"] == STATE["resources"]
    with pytest.raises(DataProtectedError, match="lineage abc, the stack's state has lineage other"):
        push_document(STATE, {**STATE, "lineage": "other"})


def test_how_many_to_keep():
    assert keep_from_env({}) == 10 and keep_from_env({"BCCE_STATE_BACKUPS_KEEP": "3"}) == 3
    with pytest.raises(Exception, match="BCCE_STATE_BACKUPS_KEEP='0' is not valid: expected a whole number of backups, at least 1"):
        keep_from_env({"BCCE_STATE_BACKUPS_KEEP": "0"})
