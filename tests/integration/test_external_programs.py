"""bcce's external data programs fed the way Terraform feeds them: a child process, the query as
JSON on stdin, a JSON object of strings expected on stdout, a one-line message on stderr and a
non-zero exit on failure, and nothing written but the account cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
BCCE = str(Path(sys.executable).parent / "bcce")
ACCOUNT = ["-m", "bcce_tf.external.account"]
PREFLIGHT = ["-m", "bcce_tf.external.preflight"]


def feed(argv: list[str], query: object | None, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    stdin = "" if query is None else (query if isinstance(query, str) else json.dumps(query, sort_keys=True, separators=(",", ":")))
    program = argv if argv[0] == BCCE else [sys.executable, *argv]
    return subprocess.run(program, input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False)


def strings_object(stdout: str) -> dict[str, str]:
    data = json.loads(stdout)
    assert isinstance(data, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()), data
    return data


def assert_failed(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    assert message in result.stderr, result.stderr


@pytest.fixture()
def env(emulator, tmp_path) -> dict[str, str]:  # noqa: ANN001
    values = dict(os.environ)
    values.update(
        AWS_ENDPOINT_URL=emulator.url,
        BCCE_CACHE_DIR=str(tmp_path / "cache"),
        BCCE_STATE_DIR=str(tmp_path / "state"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    )
    return values


@pytest.fixture()
def workdir(tmp_path) -> Path:  # noqa: ANN001
    path = tmp_path / "work"
    path.mkdir()
    (path / "bcce.json").write_text(json.dumps({"regions": ["us-east-1"], "components": ["security"],
                                                "monitoring": {"alarm_email": "ops@example.com"}}))
    return path


def written_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("argv", [ACCOUNT, [BCCE, "external", "account"]])
@pytest.mark.parametrize("query", [None, {}, {"region": "eu-central-1"}])
def test_account_answers_with_strings(env, workdir, tmp_path, argv, query):
    result = feed(argv, query, env, workdir)
    assert result.returncode == 0, result.stderr
    data = strings_object(result.stdout)
    assert data == {"account_id": "123456789012", "partition": "aws",
                    "caller_arn": "arn:aws:sts::123456789012:user/moto", "is_root": "false",
                    "region": (query or {}).get("region", "us-east-1")}
    # no side effects: only the account cache was written; no breaker state, no run history
    assert written_files(tmp_path / "cache")[0].startswith("external/account-")
    assert len(written_files(tmp_path / "cache")) == 1
    assert not (tmp_path / "state").exists()
    assert written_files(workdir) == ["bcce.json"]


def test_account_lookup_is_cached_for_a_short_time(env, workdir, tmp_path):
    assert feed(ACCOUNT, {}, env, workdir).returncode == 0
    [cache] = (tmp_path / "cache" / "external").iterdir()
    data = json.loads(cache.read_text())
    data["identity"]["caller_arn"] = "arn:aws:sts::123456789012:assumed-role/from-cache/x"
    cache.write_text(json.dumps(data))
    cached = strings_object(feed(ACCOUNT, {}, env, workdir).stdout)
    assert cached["caller_arn"] == "arn:aws:sts::123456789012:assumed-role/from-cache/x"
    fresh = strings_object(feed(ACCOUNT, {}, {**env, "BCCE_ACCOUNT_CACHE_SECONDS": "0"}, workdir).stdout)
    assert fresh["caller_arn"] == "arn:aws:sts::123456789012:user/moto"
    other = strings_object(feed(ACCOUNT, {"profile": ""}, {**env, "AWS_ACCESS_KEY_ID": "AKIAOTHERKEY"}, workdir).stdout)
    assert other["caller_arn"] == "arn:aws:sts::123456789012:user/moto", "other credentials, other cache entry"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('{"region": 5}', "query value 'region' must be a string"),
        ('["us-east-1"]', "must be a JSON object"),
        ('{"account": "1"}', "unknown query key 'account'"),
        ("{broken", "not JSON"),
        ({"endpoint_url": "ftp://x"}, "'endpoint_url': must be an http(s) URL"),
    ],
)
def test_account_rejects_bad_queries(env, workdir, query, message):
    assert_failed(feed(ACCOUNT, query, env, workdir), message)


def test_account_without_an_answer_fails_with_one_line(env, workdir, tmp_path):
    env = {**env, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    result = feed(ACCOUNT, {}, env, workdir)
    assert_failed(result, "aws:sts:us-east-1")
    assert not (tmp_path / "cache").exists(), "a failure is not cached"
    assert not (tmp_path / "state").exists()


def test_preflight_answers_ready_and_blocked_with_strings(env, workdir, tmp_path, emulator):
    unready = strings_object(feed(PREFLIGHT, {"config": "bcce.json", "min_score": "0"}, env, workdir).stdout)
    assert unready["status"] == "blocked", "no trail logs: a critical failure, whatever the threshold"
    assert "critical check failed: security.cloudtrail.us-east-1" in unready["blocked_because"]
    assert "security.cloudtrail.us-east-1" in unready["failed"].split(",")

    emulator.make_ready("us-east-1")
    ready = feed(PREFLIGHT, {"config": "bcce.json", "min_score": "0"}, env, workdir)
    assert ready.returncode == 0, ready.stderr
    data = strings_object(ready.stdout)
    assert set(data) == {"score", "status", "min_score", "failed", "warnings", "not_checked", "blocked_because",
                         "checks", "digest"}
    assert data["status"] == "ready" and data["min_score"] == "0" and data["blocked_because"] == ""
    assert int(unready["score"]) < int(data["score"]) < 100
    assert "permissions.simulation" in data["not_checked"].split(",")
    assert "security.root-mfa" in data["failed"].split(",")
    assert "security.cloudtrail.us-east-1" not in data["failed"].split(",")
    blocked = strings_object(feed([BCCE, "external", "preflight"], {"config": "bcce.json", "min_score": "100"}, env, workdir).stdout)
    assert blocked["status"] == "blocked" and blocked["score"] == data["score"]
    assert f"score {data['score']} is below the minimum 100" in blocked["blocked_because"]
    assert blocked["digest"] != data["digest"], "the query is part of the digest"
    assert written_files(workdir) == ["bcce.json"]
    assert not (tmp_path / "state").exists() and not (tmp_path / "cache").exists()


def test_preflight_digest_follows_the_config_content(env, workdir):
    query = {"config": str(workdir / "bcce.json"), "min_score": "0", "region": "us-east-1"}
    first = strings_object(feed(PREFLIGHT, query, env, workdir).stdout)["digest"]
    again = strings_object(feed(PREFLIGHT, query, env, workdir).stdout)["digest"]
    assert first == again
    (workdir / "bcce.json").write_text(json.dumps({"regions": ["us-east-1"], "components": ["infrastructure"]}))
    assert strings_object(feed(PREFLIGHT, query, env, workdir).stdout)["digest"] != first


def test_preflight_uses_the_config_threshold_without_min_score(env, workdir):
    (workdir / "bcce.json").write_text(json.dumps({"regions": ["us-east-1"], "readiness": {"min_score": 3}}))
    data = strings_object(feed(PREFLIGHT, None, env, workdir).stdout)
    assert data["min_score"] == "3"
    data = strings_object(feed(PREFLIGHT, None, {**env, "BCCE_MIN_SCORE": "9"}, workdir).stdout)
    assert data["min_score"] == "9"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"config": "missing.json"}, "missing.json: file not found"),
        ({"min_score": "120"}, "min_score must be from 0 to 100"),
        ({"region": "eu-west-3"}, "region 'eu-west-3' is not one of the config's regions (us-east-1)"),
        ({"threshold": "10"}, "unknown query key 'threshold'"),
    ],
)
def test_preflight_failures_are_one_line(env, workdir, query, message):
    assert_failed(feed(PREFLIGHT, query, env, workdir), message)


def test_preflight_reports_an_invalid_config_by_field(env, workdir):
    (workdir / "bcce.json").write_text(json.dumps({"regions": ["mars-1"]}))
    assert_failed(feed(PREFLIGHT, {}, env, workdir), "field 'regions'")
