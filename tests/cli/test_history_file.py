"""The run history file: concurrent writers never interleave a record, rotation keeps earlier files,
and `bcce doctor` skips a damaged line with a warning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from bcce_tf import history
from bcce_tf.__main__ import run
from bcce_tf.history import Rotation, RunRecord

REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from bcce_tf.history import Rotation, RunRecord, append
    path, name, count, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    Path(str(go) + "." + name).touch()          # ready
    while not go.exists():                        # both start appending at the same moment
        time.sleep(0.001)
    for index in range(count):
        append(RunRecord(operation="apply", correlation_id=f"{name}-{index:04d}", start="2026-12-04T10:00:00.000Z",
                         error=name * 3000), path, Rotation(max_bytes=64 * 1024, keep=1000))
""")


def _record(index: int) -> RunRecord:
    return RunRecord(operation="plan", correlation_id=f"run-{index:04d}", start="2026-12-04T10:00:00.000Z", outcome="success")


def test_two_processes_appending_at_once_leave_every_record_whole(tmp_path):
    path, go, count = tmp_path / "runs.jsonl", tmp_path / "go", 150
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(count), str(go)], env=env)
               for name in ("a", "b")]
    for _ in range(12_000):  # until both have imported bcce (at most a minute)
        if all(Path(f"{go}.{name}").exists() for name in ("a", "b")):
            break
        time.sleep(0.005)
    go.touch()
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]

    files = history.history_files(path, 1000)
    assert len(files) > 10, "the 64 KiB limit rotated the history many times"
    seen = []
    for file in files:
        records, damaged = history.parse_lines(file.read_bytes(), file)
        assert damaged == [], f"{file}: a record was interleaved or cut"
        assert file.stat().st_size <= 64 * 1024
        for record in records:
            name = record["correlation_id"][0]
            assert record["error"] == name * 3000
            seen.append(record["correlation_id"])
    assert sorted(seen) == sorted(f"{name}-{index:04d}" for name in "ab" for index in range(count)), "nothing lost"
    for name in "ab":  # each writer's own records stay in order across the rotated files
        mine = [r["correlation_id"] for r in history.read(path, limit=10_000) if r["correlation_id"][0] == name]
        assert mine == sorted(mine)


def test_rotation_keeps_the_configured_number_of_files(tmp_path, monkeypatch):
    path = tmp_path / "runs.jsonl"
    line_size = len(history.encode(_record(0)))
    rotation = Rotation(max_bytes=max(1024, line_size * 10), keep=2)
    per_file = rotation.max_bytes // line_size
    for index in range(per_file * 4):
        history.append(_record(index), path, rotation)
    assert [file.name for file in history.history_files(path, 10)] == ["runs.jsonl", "runs.jsonl.1", "runs.jsonl.2"]
    monkeypatch.setenv("BCCE_HISTORY_KEEP", "2")
    records = history.read(path, limit=10_000)
    ids = [record["correlation_id"] for record in records]
    assert ids == [f"run-{index:04d}" for index in range(per_file, per_file * 4)], "the oldest file was dropped, in order"
    assert [r["correlation_id"] for r in history.read(path, limit=3)] == ids[-3:]


def test_rotation_limit_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BCCE_HISTORY_MAX_BYTES", "1024")
    monkeypatch.setenv("BCCE_HISTORY_KEEP", "1")
    path = tmp_path / "runs.jsonl"
    for index in range(40):
        history.append(_record(index), path)
    assert [file.name for file in history.history_files(path, 5)] == ["runs.jsonl", "runs.jsonl.1"]
    assert all(file.stat().st_size <= 1024 for file in history.history_files(path, 5))


def test_doctor_skips_a_damaged_line_with_a_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = history.history_path(dict(os.environ))
    history.append(_record(1), path)
    with path.open("ab") as handle:
        handle.write(b'{"operation": "apply", "correlation_id": "cut-sho\n')
    history.append(_record(2), path)

    assert run(["doctor", "--component", "history", "--json"]) == 0
    captured = capsys.readouterr()
    assert [r["correlation_id"] for r in json.loads(captured.out)["runs"]] == ["run-0001", "run-0002"]
    assert f"{path}:2: damaged run record skipped (not JSON" in captured.err
    assert "Traceback" not in captured.err
