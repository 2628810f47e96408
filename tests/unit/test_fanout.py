"""The child command line, the error line taken from a child's log, and the final table."""

from __future__ import annotations

import pytest

from bcce_tf import fanout


@pytest.mark.parametrize("args, expected", [
    (["plan", "--force"], ["plan", "--force"]),
    (["--region", "eu-west-1", "--parallelism", "3", "plan", "--fail-fast"], ["plan"]),
    (["--account=111111111111", "plan", "--region=us-east-1", "--json"], ["plan", "--json"]),
    (["-c", "x.json", "apply", "--account", "222222222222", "--auto-approve"], ["-c", "x.json", "apply", "--auto-approve"]),
])
def test_each_child_gets_its_own_account_and_region_and_no_fan_out_options(args, expected):
    assert fanout.child_args(args, "333333333333", "ap-southeast-2") == [
        *expected, "--account", "333333333333", "--region", "ap-southeast-2"]


def test_the_reason_is_the_last_error_line_in_text_or_json_logs():
    text = "bcce run abc\nwarning: slow\nerror: first\nmore\nerror: target account 1: profile 'p' failed\n"
    assert fanout.last_error(text) == "target account 1: profile 'p' failed"
    json_log = '{"level": "info", "message": "x"}\n{"level": "error", "message": "state lock held"}\n'
    assert fanout.last_error(json_log) == "state lock held"
    assert fanout.last_error("all fine\n") == ""


def test_table_has_a_row_per_target_and_the_reason_of_a_failure():
    rows = [
        {"target": "111111111111/us-east-1", "result": "changes", "exit_code": 2, "duration_seconds": 12.34,
         "log": "/w/.bcce/runs/r/a.log", "changed": 11, "readiness_score": 87},
        {"target": "222222222222/us-east-1", "result": "failed", "exit_code": 27, "duration_seconds": 0.5,
         "log": "/w/.bcce/runs/r/b.log", "error": "target account 222222222222: denied"},
    ]
    lines = fanout.render_table(rows).splitlines()
    assert lines[0].split() == list(fanout.COLUMNS)
    assert lines[1].split() == ["111111111111/us-east-1", "changes", "11", "12.3s", "87/100", "2", "/w/.bcce/runs/r/a.log"]
    assert lines[2].split() == ["222222222222/us-east-1", "failed", "-", "0.5s", "-", "27", "/w/.bcce/runs/r/b.log"]
    assert lines[3] == "222222222222/us-east-1: target account 222222222222: denied"


def test_only_a_child_writes_a_result():
    assert not fanout.is_child({})
    assert fanout.is_child({fanout.CHILD_ENV: "111111111111/us-east-1"})
    fanout.write_result({"changed": 1}, environ={})  # no result file named: nothing happens, nothing raised
