from __future__ import annotations

import json
import logging
import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import platformdirs
import pytest
from moto.server import ThreadedMotoServer

from bcce_tf.errors import AwsError, CircuitOpenError, CredentialsError, UsageError
from bcce_tf.exit_codes import ExitCode
from bcce_tf.resilience.breaker import (
    BreakerSettings,
    BreakerState,
    CircuitBreaker,
    DynamoDBBreakerStore,
    FileBreakerStore,
    breaker_name,
    default_state_path,
    format_utc,
    list_breakers,
    reset_all,
    reset_breaker,
)

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z
NAME = "terraform-apply:bcce:us-east-1"


@dataclass
class FakeClock:
    now: float = START

    def __call__(self) -> float:
        return self.now


@dataclass
class Transitions:
    seen: list[tuple[str, str, str]] = field(default_factory=list)

    def __call__(self, name: str, old: BreakerState, new: BreakerState) -> None:
        self.seen.append((name, str(old), str(new)))


class Boom(RuntimeError):
    pass


def fail() -> None:
    raise Boom("apply failed: ServiceUnavailable")


@pytest.fixture
def store(tmp_path: Path) -> FileBreakerStore:
    return FileBreakerStore(tmp_path / "circuit-breakers.json")


def make_breaker(
    store: Any, clock: FakeClock, transitions: Transitions | None = None, **options: Any
) -> CircuitBreaker:
    settings = {"fail_max": 3, "reset_timeout": 60, **options}
    return CircuitBreaker(NAME, store, clock=clock, on_transition=transitions, **settings)


def trip(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        with pytest.raises(Boom):
            breaker.call(fail)


def test_breaker_opens_after_fail_max_consecutive_failures(store: FileBreakerStore) -> None:
    clock, transitions = FakeClock(), Transitions()
    breaker = make_breaker(store, clock, transitions)

    trip(breaker, 2)
    assert breaker.state is BreakerState.CLOSED
    trip(breaker, 1)

    assert breaker.state is BreakerState.OPEN
    assert breaker.record.failures == 3
    assert breaker.record.last_failure_reason == "Boom: apply failed: ServiceUnavailable"
    assert transitions.seen == [(NAME, "closed", "open")]


def test_a_success_resets_the_consecutive_count(store: FileBreakerStore) -> None:
    breaker = make_breaker(store, FakeClock())

    trip(breaker, 2)
    assert breaker.call(lambda: "ok") == "ok"
    trip(breaker, 2)

    assert breaker.state is BreakerState.CLOSED
    assert breaker.record.failures == 2


def test_open_breaker_fails_fast_without_calling_and_names_itself(store: FileBreakerStore) -> None:
    clock = FakeClock()
    breaker = make_breaker(store, clock)
    trip(breaker, 3)
    clock.now += 10
    calls: list[int] = []

    with pytest.raises(CircuitOpenError) as caught:
        breaker.call(calls.append, 1)

    assert calls == []
    assert caught.value.exit_code is ExitCode.CIRCUIT_OPEN
    assert str(caught.value) == (
        f"circuit breaker '{NAME}' is open since 2026-01-01T00:00:00Z after 3 failures; "
        f"next attempt allowed at 2026-01-01T00:01:00Z (or run: bcce reset-circuit-breaker {NAME})"
    )


def test_probe_after_reset_timeout_closes_on_success(store: FileBreakerStore) -> None:
    clock, transitions = FakeClock(), Transitions()
    breaker = make_breaker(store, clock, transitions)
    trip(breaker, 3)
    clock.now += 60

    assert breaker.call(lambda: "healthy") == "healthy"

    assert breaker.state is BreakerState.CLOSED
    assert breaker.record.failures == 0
    assert transitions.seen == [(NAME, "closed", "open"), (NAME, "open", "half-open"), (NAME, "half-open", "closed")]


def test_probe_failure_reopens_with_a_new_opened_at(store: FileBreakerStore) -> None:
    clock, transitions = FakeClock(), Transitions()
    breaker = make_breaker(store, clock, transitions)
    trip(breaker, 3)
    clock.now += 75

    trip(breaker, 1)

    record = breaker.record
    assert record.state is BreakerState.OPEN
    assert record.opened_at == START + 75
    assert record.failures == 4
    assert transitions.seen[-2:] == [(NAME, "open", "half-open"), (NAME, "half-open", "open")]
    with pytest.raises(CircuitOpenError, match="next attempt allowed at 2026-01-01T00:02:15Z"):
        breaker.call(lambda: None)


def test_only_one_caller_gets_the_half_open_probe(store: FileBreakerStore) -> None:
    clock = FakeClock()
    first, second = make_breaker(store, clock), make_breaker(FileBreakerStore(store.path), clock)
    trip(first, 3)
    clock.now += 60

    first.admit()
    with pytest.raises(CircuitOpenError):
        second.admit()
    first.record_success()

    second.admit()
    assert second.state is BreakerState.CLOSED


def test_a_probe_abandoned_past_its_lease_is_given_to_the_next_caller(store: FileBreakerStore) -> None:
    clock = FakeClock()
    crashed, survivor = make_breaker(store, clock, probe_lease=300), make_breaker(store, clock, probe_lease=300)
    trip(crashed, 3)
    clock.now += 60
    crashed.admit()

    clock.now += 299
    with pytest.raises(CircuitOpenError):
        survivor.admit()
    clock.now += 1
    survivor.admit()
    survivor.record_success()

    assert survivor.state is BreakerState.CLOSED


@pytest.mark.parametrize("excluded", [CredentialsError(detail="expired"), UsageError("bad flag")], ids=type)
def test_excluded_errors_neither_count_nor_keep_the_probe(store: FileBreakerStore, excluded: Exception) -> None:
    clock = FakeClock()
    breaker, other = make_breaker(store, clock), make_breaker(store, clock)

    def rejected() -> None:
        raise excluded

    with pytest.raises(type(excluded)):
        breaker.call(rejected)
    assert breaker.record.failures == 0

    trip(breaker, 3)
    clock.now += 60
    with pytest.raises(type(excluded)):
        breaker.call(rejected)

    assert breaker.state is BreakerState.HALF_OPEN
    other.admit()  # the probe was handed back, so another caller may take it


def test_record_failure_lets_the_caller_decide_what_counts(store: FileBreakerStore) -> None:
    breaker = make_breaker(store, FakeClock(), fail_max=2)

    breaker.record_failure("retries exhausted: Throttling")
    breaker.record_failure("retries exhausted: Throttling")

    assert breaker.state is BreakerState.OPEN
    assert breaker.record.last_failure_reason == "retries exhausted: Throttling"


def test_state_persists_across_store_objects_on_the_same_file(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "state" / "circuit-breakers.json"
    trip(make_breaker(FileBreakerStore(path), clock), 3)

    reopened = make_breaker(FileBreakerStore(path), clock)

    assert reopened.state is BreakerState.OPEN
    assert reopened.record.failures == 3
    on_disk = json.loads(path.read_text())
    assert on_disk["breakers"][NAME]["state"] == "open"


def _fail_repeatedly(path: str, times: int, barrier: Any) -> None:
    breaker = CircuitBreaker(NAME, FileBreakerStore(Path(path)), fail_max=50, reset_timeout=600)
    barrier.wait()
    for _ in range(times):
        breaker.record_failure("concurrent")


def _try_probe(path: str, barrier: Any, admitted: Any) -> None:
    breaker = CircuitBreaker(NAME, FileBreakerStore(Path(path)), fail_max=1, reset_timeout=0)
    barrier.wait()
    try:
        breaker.admit()
    except CircuitOpenError:
        return
    with admitted.get_lock():
        admitted.value += 1


def _run_processes(target: Any, args_for: Any, count: int) -> None:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(count)
    processes = [context.Process(target=target, args=args_for(barrier)) for _ in range(count)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0


def test_concurrent_processes_count_every_failure(tmp_path: Path) -> None:
    path = tmp_path / "circuit-breakers.json"

    _run_processes(_fail_repeatedly, lambda barrier: (str(path), 25, barrier), count=4)

    record = FileBreakerStore(path).read(NAME)
    assert record is not None
    assert record.failures == 100
    assert record.state is BreakerState.OPEN


def test_concurrent_processes_get_exactly_one_probe(tmp_path: Path) -> None:
    path = tmp_path / "circuit-breakers.json"
    CircuitBreaker(NAME, FileBreakerStore(path), fail_max=1, reset_timeout=0).record_failure("down")
    admitted = multiprocessing.get_context("fork").Value("i", 0)

    _run_processes(_try_probe, lambda barrier: (str(path), barrier, admitted), count=6)

    assert admitted.value == 1


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"breakers": {"x": {"state": "open"}}}', ""])
def test_corrupt_file_is_moved_aside_and_breakers_start_fresh(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "circuit-breakers.json"
    path.write_text(content)
    store = FileBreakerStore(path, clock=FakeClock())

    with caplog.at_level(logging.WARNING, logger="bcce.resilience"):
        assert list_breakers(store) == []

    aside = tmp_path / "circuit-breakers.json.corrupt-20260101T000000Z"
    assert aside.read_text() == content
    assert "moved it to" in caplog.text and str(aside) in caplog.text
    make_breaker(store, FakeClock()).record_failure("x")
    assert [r.name for r in list_breakers(store)] == [NAME]


def test_unreadable_state_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "circuit-breakers.json"
    path.mkdir()

    assert FileBreakerStore(path, clock=FakeClock()).read_all() == {}
    assert (tmp_path / "circuit-breakers.json.corrupt-20260101T000000Z").is_dir()


def test_list_and_reset_one_all_and_unknown(store: FileBreakerStore) -> None:
    clock, transitions = FakeClock(), Transitions()
    for name in ("aws:sts:us-east-1", "terraform-apply:bcce:eu-west-1"):
        CircuitBreaker(name, store, fail_max=1, clock=clock).record_failure("down")
    CircuitBreaker("aws:kms:us-east-1", store, fail_max=5, clock=clock).record_failure("slow")

    listed = list_breakers(store)
    assert [(r.name, r.state, r.failures) for r in listed] == [
        ("aws:kms:us-east-1", BreakerState.CLOSED, 1),
        ("aws:sts:us-east-1", BreakerState.OPEN, 1),
        ("terraform-apply:bcce:eu-west-1", BreakerState.OPEN, 1),
    ]
    assert listed[1].retry_at == START + 60 and listed[1].last_transition == "closed -> open"

    after = reset_breaker(store, "aws:sts:us-east-1", clock=clock, on_transition=transitions)
    assert (after.state, after.failures) == (BreakerState.CLOSED, 0)
    assert transitions.seen == [("aws:sts:us-east-1", "open", "closed")]
    assert store.read("terraform-apply:bcce:eu-west-1").state is BreakerState.OPEN

    with pytest.raises(UsageError) as caught:
        reset_breaker(store, "aws:sts:eu-west-9")
    assert str(caught.value) == (
        "no circuit breaker named 'aws:sts:eu-west-9'; "
        "known: aws:kms:us-east-1, aws:sts:us-east-1, terraform-apply:bcce:eu-west-1"
    )

    reset_all(store, clock=clock)
    assert {(r.state, r.failures) for r in list_breakers(store)} == {(BreakerState.CLOSED, 0)}


def test_reset_with_no_breakers_says_so(store: FileBreakerStore) -> None:
    with pytest.raises(UsageError, match="no circuit breakers have been recorded yet"):
        reset_breaker(store, "aws:sts:us-east-1")


def test_breaker_name_joins_its_parts() -> None:
    assert breaker_name("terraform-apply", "bcce", "us-east-1") == "terraform-apply:bcce:us-east-1"
    assert breaker_name("aws", "sts", "us-east-1") == "aws:sts:us-east-1"
    with pytest.raises(ValueError):
        breaker_name("aws", "", "us-east-1")


def test_default_state_path_honours_bcce_state_dir(tmp_path: Path) -> None:
    assert default_state_path({"BCCE_STATE_DIR": str(tmp_path)}) == tmp_path / "circuit-breakers.json"
    assert default_state_path({}) == Path(platformdirs.user_state_dir("bcce")) / "circuit-breakers.json"
    assert FileBreakerStore(environ={"BCCE_STATE_DIR": str(tmp_path)}).path == tmp_path / "circuit-breakers.json"


def test_breaker_settings_from_env() -> None:
    environ = {"BCCE_BREAKER_FAIL_MAX": "3", "BCCE_BREAKER_RESET_SECONDS": "120"}

    assert BreakerSettings.from_env(environ) == BreakerSettings(fail_max=3, reset_timeout=120)
    assert BreakerSettings.from_env(environ, fail_max=7, reset_timeout=None) == BreakerSettings(7, 120)
    assert BreakerSettings.from_env({}) == BreakerSettings(5, 60)
    with pytest.raises(UsageError, match="BCCE_BREAKER_FAIL_MAX='0' is not valid"):
        BreakerSettings.from_env({"BCCE_BREAKER_FAIL_MAX": "0"})


def test_format_utc() -> None:
    assert format_utc(START + 61.9) == "2026-01-01T00:01:01Z"
    assert format_utc(None) == "-"


# DynamoDB store, against a moto server reached over HTTP.


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def dynamodb(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(variable, raising=False)
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return session.client("dynamodb", endpoint_url=moto_endpoint)


@pytest.fixture
def table(dynamodb: Any, request: pytest.FixtureRequest) -> str:
    name = f"bcce-breakers-{request.node.name}".replace("[", "-").replace("]", "")[:200]
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def test_dynamodb_store_runs_a_breaker_and_shares_its_state(dynamodb: Any, table: str) -> None:
    clock, transitions = FakeClock(), Transitions()
    breaker = make_breaker(DynamoDBBreakerStore(dynamodb, table), clock, transitions)

    trip(breaker, 3)
    other = make_breaker(DynamoDBBreakerStore(dynamodb, table), clock)

    assert other.state is BreakerState.OPEN
    with pytest.raises(CircuitOpenError):
        other.call(lambda: None)
    clock.now += 60
    assert other.call(lambda: "ok") == "ok"
    assert breaker.state is BreakerState.CLOSED
    assert transitions.seen == [(NAME, "closed", "open")]
    item = dynamodb.get_item(TableName=table, Key={"name": {"S": NAME}})["Item"]
    assert item["state"] == {"S": "closed"} and item["failures"] == {"N": "0"}


def test_dynamodb_store_reapplies_a_change_that_lost_a_race(dynamodb: Any, table: str) -> None:
    store, rival = DynamoDBBreakerStore(dynamodb, table), DynamoDBBreakerStore(dynamodb, table)
    breaker = CircuitBreaker(NAME, store, fail_max=10)
    breaker.record_failure("first")
    interfered: list[bool] = []

    def failure_with_a_rival_write_in_between(record: Any) -> Any:
        if not interfered:
            interfered.append(True)
            rival.update(NAME, lambda r: type(r)(**{**r.to_dict(), "failures": r.failures + 1}))
        return type(record)(**{**record.to_dict(), "failures": record.failures + 1})

    update = store.update(NAME, failure_with_a_rival_write_in_between)

    assert update.after.failures == 3
    assert store.read(NAME).failures == 3
    assert store.read(NAME).version == 3


def test_dynamodb_store_lists_and_resets(dynamodb: Any, table: str) -> None:
    store = DynamoDBBreakerStore(dynamodb, table)
    for name in ("aws:sts:us-east-1", "aws:kms:us-east-1"):
        CircuitBreaker(name, store, fail_max=1).record_failure("down")

    assert [r.name for r in list_breakers(store)] == ["aws:kms:us-east-1", "aws:sts:us-east-1"]
    reset_all(store)
    assert {r.state for r in list_breakers(store)} == {BreakerState.CLOSED}
    with pytest.raises(UsageError, match="known: aws:kms:us-east-1, aws:sts:us-east-1"):
        reset_breaker(store, "aws:s3:us-east-1")


def test_dynamodb_store_reports_a_missing_table_as_an_aws_error(dynamodb: Any) -> None:
    store = DynamoDBBreakerStore(dynamodb, "no-such-table")

    with pytest.raises(AwsError, match="dynamodb:GetItem failed: ResourceNotFoundException"):
        CircuitBreaker(NAME, store).admit()


def test_every_state_file_lives_in_the_one_state_directory(tmp_path: Path) -> None:
    from bcce_tf import history, paths
    from bcce_tf.resilience import breaker_store

    environ = {"BCCE_STATE_DIR": str(tmp_path)}
    assert paths.state_dir(environ) == tmp_path
    assert breaker_store.STATE_DIR_ENV == paths.STATE_DIR_ENV == "BCCE_STATE_DIR"
    assert default_state_path(environ).parent == history.history_path(environ).parent == tmp_path
