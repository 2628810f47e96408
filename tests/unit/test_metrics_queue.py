"""The queue of unsent data points (a file in a temporary state directory) and the sending loop,
with an injected clock and an injected PutMetricData call."""

from __future__ import annotations

import pytest

from bcce_tf.metrics.points import Datum
from bcce_tf.metrics.publish import BATCH_SIZE, enabled, environment_setting, send
from bcce_tf.metrics.queue import MAX_AGE_SECONDS, MetricQueue, Target
from bcce_tf.config import Config
from bcce_tf.errors import UsageError

NOW = 1_800_000_000.0
EMULATOR = Target("http://127.0.0.1:4566")
AWS = Target()


def point(i: int, region: str = "us-east-1", namespace: str = "BCCE/Deployments", at: float = NOW - 60) -> Datum:
    return Datum(namespace, "Deployments", (("Stack", "bcce"), ("Region", region), ("Operation", f"op{i}")), 1.0, "Count", at)


def queue(tmp_path, **kwargs) -> tuple[MetricQueue, list[str]]:
    warnings: list[str] = []
    return MetricQueue(tmp_path / "q.jsonl", clock=lambda: NOW, warn=warnings.append, **kwargs), warnings


def test_points_survive_between_queue_objects_with_their_timestamps(tmp_path):
    first, _ = queue(tmp_path)
    first.add(EMULATOR, [point(1, at=NOW - 3600)])
    second, _ = queue(tmp_path)
    [entry] = second.pending()
    assert entry.target == EMULATOR and entry.datum.timestamp == NOW - 3600


def test_points_older_than_cloudwatch_accepts_are_dropped_with_a_warning(tmp_path):
    q, warnings = queue(tmp_path)
    q.add(AWS, [point(1, at=NOW - MAX_AGE_SECONDS - 1), point(2)])
    assert [e.datum.dimensions[2][1] for e in q.pending()] == ["op2"]
    assert any("older than CloudWatch accepts" in w for w in warnings)


def test_the_bound_drops_the_oldest_and_says_so(tmp_path):
    q, warnings = queue(tmp_path, max_points=3)
    q.add(AWS, [point(i) for i in range(5)])
    assert [e.datum.dimensions[2][1] for e in q.pending()] == ["op2", "op3", "op4"]
    assert any("dropped the 2 oldest" in w for w in warnings)


def test_a_damaged_line_is_skipped_not_fatal(tmp_path):
    q, warnings = queue(tmp_path)
    q.add(AWS, [point(1)])
    with (tmp_path / "q.jsonl").open("a") as stream:
        stream.write("{not json\n")
    q.add(AWS, [point(2)])
    assert len(q.pending()) == 2
    assert any("damaged" in w for w in warnings)


def test_send_stops_at_the_first_failed_batch_and_keeps_it_and_the_rest(tmp_path):
    q, _ = queue(tmp_path)
    q.add(EMULATOR, [point(i) for i in range(BATCH_SIZE + 10)] + [point(0, region="eu-west-1")])
    q.add(AWS, [point(99)])
    calls: list[tuple[str, str, int]] = []

    def put(region, namespace, data):
        calls.append((region, namespace, len(data)))
        if len(calls) == 2:
            raise ConnectionResetError("connection reset by peer")

    result = send(q, EMULATOR, put)
    assert calls == [("eu-west-1", "BCCE/Deployments", 1), ("us-east-1", "BCCE/Deployments", BATCH_SIZE)]
    assert (result.sent, result.kept) == (1, BATCH_SIZE + 10)
    assert "connection reset" in result.error
    left = q.pending()
    assert sum(1 for e in left if e.target == AWS) == 1, "points of another endpoint are never sent here"

    result = send(q, EMULATOR, lambda region, namespace, data: None)
    assert (result.sent, result.kept, result.error) == (BATCH_SIZE + 10, 0, "")
    assert [e.target for e in q.pending()] == [AWS]


def test_one_request_per_region_and_namespace(tmp_path):
    q, _ = queue(tmp_path)
    q.add(AWS, [point(1), point(2, namespace="BCCE/Resilience"), point(3, region="eu-west-1")])
    calls = []
    send(q, AWS, lambda region, namespace, data: calls.append((region, namespace, len(data))))
    assert sorted(calls) == [("eu-west-1", "BCCE/Deployments", 1), ("us-east-1", "BCCE/Deployments", 1), ("us-east-1", "BCCE/Resilience", 1)]


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("0", False), ("off", False), ("1", True), ("TRUE", True)])
def test_environment_switch(value, expected):
    assert environment_setting({} if value is None else {"BCCE_PUBLISH_METRICS": value}) is expected


def test_either_switch_turns_publishing_off_and_a_bad_value_is_a_usage_error():
    on, off = Config.model_validate({}), Config.model_validate({"monitoring": {"publish_metrics": False}})
    assert enabled(on, {}) and not enabled(on, {"BCCE_PUBLISH_METRICS": "0"})
    assert not enabled(off, {"BCCE_PUBLISH_METRICS": "1"}), "the environment cannot turn on what the config turned off"
    with pytest.raises(UsageError, match="BCCE_PUBLISH_METRICS must be 0 or 1"):
        environment_setting({"BCCE_PUBLISH_METRICS": "maybe"})


def test_missing_credentials_are_told_apart_from_a_dead_endpoint(tmp_path):
    from bcce_tf.errors import CredentialsError

    q, _ = queue(tmp_path)
    q.add(AWS, [point(1)])

    def refuse(region, namespace, data):
        raise CredentialsError(detail="NoCredentialsError: Unable to locate credentials")

    result = send(q, AWS, refuse)
    assert result.credentials and result.kept == 1
    assert not send(q, AWS, lambda *a: (_ for _ in ()).throw(OSError("connection refused"))).credentials
