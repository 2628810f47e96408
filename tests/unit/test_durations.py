"""Apply duration estimates from recorded durations (injected history: no files, no clocks)."""

from __future__ import annotations

import json

import pytest

from bcce_tf.durations import (DEFAULT_SECONDS, FALLBACK_SECONDS, KEEP_SAMPLES, History, Observation, estimate,
                               estimate_line, history_text, history_view, human, observations, outcome_line, record)


def complete(kind: str, action: str, elapsed: float, addr: str = "") -> str:
    return json.dumps({"@level": "info", "@message": f"{addr or kind}: Creation complete after {elapsed}s", "type": "apply_complete",
                       "hook": {"resource": {"addr": addr or f"{kind}.this", "resource_type": kind, "resource_name": "this"},
                                "action": action, "id_key": "id", "id_value": "x", "elapsed_seconds": elapsed}})


def test_observations_read_apply_complete_events_only():
    stream = [
        json.dumps({"type": "version", "terraform": "1.15.5"}),
        json.dumps({"type": "apply_start", "hook": {"resource": {"resource_type": "aws_kms_key"}, "action": "create"}}),
        complete("aws_kms_key", "create", 3),
        complete("data_thing", "read", 1),
        "not json", "{broken",
        complete("aws_s3_bucket", "update", 0.5),
        json.dumps({"type": "apply_complete", "hook": {"resource": {"resource_type": "aws_x"}, "action": "create"}}),
    ]
    assert observations(stream) == [Observation("aws_kms_key", "create", 3.0), Observation("aws_s3_bucket", "update", 0.5)]


def test_estimate_uses_the_median_seen_then_the_table_then_the_default():
    history = History(samples={"aws_kms_key create": [2.0, 30.0, 4.0]})
    found = estimate([("aws_kms_key", "create"), ("aws_db_instance", "create"), ("aws_glue_catalog_table", "create")], history)
    by_type = {line.resource_type: line for line in found.lines}
    assert by_type["aws_kms_key"].seconds_each == 4.0 and by_type["aws_kms_key"].source == "seen 3 time(s)"
    assert by_type["aws_db_instance"].seconds_each == FALLBACK_SECONDS[("aws_db_instance", "create")]
    assert by_type["aws_db_instance"].source == "table"
    assert by_type["aws_glue_catalog_table"].seconds_each == DEFAULT_SECONDS and by_type["aws_glue_catalog_table"].source == "default"
    assert found.seconds == 600.0, "the slowest single change bounds the apply from below"
    assert estimate_line(found) == "Estimated apply time: 10 min (1 of 3 change(s) priced from earlier applies on this machine)"


def test_many_changes_are_spread_over_terraforms_parallelism():
    history = History(samples={"aws_s3_bucket create": [10.0]})
    found = estimate([("aws_s3_bucket", "create")] * 30, history)
    assert found.lines[0].count == 30
    assert found.seconds == pytest.approx(30.0)  # 30 x 10 s over 10 at a time
    assert estimate([("aws_s3_bucket", "create")] * 30, history, parallelism=1).seconds == pytest.approx(300.0)


def test_a_replace_counts_as_a_delete_and_a_create():
    history = History(samples={"aws_instance delete": [40.0], "aws_instance create": [50.0]})
    found = estimate([("aws_instance", "replace")], history)
    assert [(l.action, l.seconds_each) for l in found.lines] == [("create", 50.0), ("delete", 40.0)]


def test_nothing_to_apply():
    found = estimate([], History())
    assert found.empty and found.seconds == 0
    assert estimate_line(found) == "Estimated apply time: nothing to apply"
    assert outcome_line(found, 3.2) == "applied in 3 s"


def test_recorded_errors_correct_the_next_estimate():
    history = History(samples={"aws_vpc_endpoint create": [60.0]})
    first = estimate([("aws_vpc_endpoint", "create")], history)
    assert first.seconds == 60.0 and first.correction == 1.0
    # two applies took twice and three times their estimate: the next one is corrected by the median
    history = record(history, [], estimated=60.0, actual=120.0)
    history = record(history, [], estimated=60.0, actual=180.0)
    history = record(history, [], estimated=60.0, actual=150.0)
    corrected = estimate([("aws_vpc_endpoint", "create")], history)
    assert corrected.correction == pytest.approx(2.5) and corrected.raw_seconds == 60.0
    assert corrected.seconds == pytest.approx(150.0)
    assert "corrected x2.50 by the last estimates' error" in estimate_line(corrected)
    assert outcome_line(corrected, 14 * 60) == "applied in 14 min (estimated 2 min)"


def test_record_keeps_the_last_samples_and_never_changes_its_input():
    history = History(samples={"aws_kms_key create": [1.0]})
    new = record(history, [Observation("aws_kms_key", "create", float(n)) for n in range(KEEP_SAMPLES + 5)])
    assert history.samples == {"aws_kms_key create": [1.0]}
    assert len(new.samples["aws_kms_key create"]) == KEEP_SAMPLES
    assert new.samples["aws_kms_key create"][-1] == KEEP_SAMPLES + 4
    assert record(history, [], estimated=None, actual=5.0).errors == []
    assert record(history, [], estimated=0.0, actual=5.0).errors == []


def test_history_round_trips_and_ignores_damaged_entries():
    history = record(History(), [Observation("aws_kms_key", "create", 2.5)], estimated=10.0, actual=12.0)
    assert History.from_dict(json.loads(json.dumps(history.to_dict()))) == history
    damaged = History.from_dict({"samples": {"aws_kms_key create": [1, "x"], "bad": "no"}, "errors": [{"estimated": "x"}, 3]})
    assert damaged == History(samples={"aws_kms_key create": [1.0]}, errors=[])
    assert History.from_dict([1, 2]) == History()


def test_human_durations():
    assert [human(s) for s in (0.2, 12, 89, 90, 14 * 60, 3900)] == ["1 s", "12 s", "89 s", "2 min", "14 min", "1 h 05 min"]


def test_debug_view_of_the_history():
    history = History(samples={"aws_kms_key create": [2.0, 4.0, 9.0]}, errors=[{"estimated": 10.0, "actual": 15.0}])
    view = history_view(history)
    assert view["types"] == [{"resource_type": "aws_kms_key", "action": "create", "samples": 3, "median_seconds": 4.0, "max_seconds": 9.0}]
    assert view["errors"] == [{"estimated": 10.0, "actual": 15.0, "ratio": 1.5}] and view["correction"] == 1.5
    text = history_text(view, "/s/apply-durations.json")
    assert text[1] == "  aws_kms_key create  median 4.0 s, max 9.0 s (3 sample(s))"
    assert "actual for estimated: 15 s for 10 s; next estimates x1.50" in text[2]
    assert "none recorded yet" in history_text(history_view(History()), "/s")[1]
