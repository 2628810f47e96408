"""The external data protocol, pure: query parsing, string-only results, one-line failures."""

from __future__ import annotations

import io
import json

import pytest

from bcce_tf.errors import ConfigFileError, UsageError
from bcce_tf.external import account, preflight, protocol

ALLOWED = ("a", "b")


def run(program, stdin: str):  # noqa: ANN001, ANN201
    out, err = io.StringIO(), io.StringIO()
    code = protocol.run(program, ALLOWED, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("stdin", ["", "  \n", "{}"])
def test_an_absent_query_is_an_empty_object(stdin):
    assert protocol.read_query(io.StringIO(stdin), ALLOWED) == {}


def test_nulls_and_empty_strings_count_as_absent():
    assert protocol.read_query(io.StringIO('{"a": null, "b": ""}'), ALLOWED) == {}
    assert protocol.read_query(io.StringIO('{"a": "1"}'), ALLOWED) == {"a": "1"}


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("[1]", "must be a JSON object, not list"),
        ("{nope", "not JSON"),
        ('{"c": "1"}', "unknown query key 'c'; allowed: a, b"),
        ('{"a": 1}', "query value 'a' must be a string, got int"),
    ],
)
def test_bad_queries_fail_with_one_line(stdin, message):
    code, out, err = run(lambda q: {"x": "y"}, stdin)
    assert code == int(UsageError.exit_code)
    assert out == ""
    assert message in err
    assert err.count("\n") == 1 and err.endswith("\n")


def test_results_are_one_object_of_strings():
    code, out, err = run(lambda q: {"n": 3, "ok": True, "no": False, "none": None, "ids": ["a", "b"], "s": "x"}, "{}")
    assert code == 0 and err == ""
    assert json.loads(out) == {"n": "3", "ok": "true", "no": "false", "none": "", "ids": "a,b", "s": "x"}
    assert out.count("\n") == 1


def test_a_failing_program_prints_nothing_on_stdout():
    def fail(query):  # noqa: ANN001, ANN202
        raise ConfigFileError(path="bcce.json", problem="file not found\n(create one)")

    code, out, err = run(fail, "{}")
    assert code == int(ConfigFileError.exit_code)
    assert out == ""
    assert err == "bcce.json: file not found (create one)\n"


def test_an_unexpected_error_exits_1_with_its_type():
    code, out, err = run(lambda q: {}["missing"], "{}")
    assert (code, out) == (1, "")
    assert err.startswith("KeyError: ")


def test_a_value_that_cannot_be_a_string_fails_the_run():
    code, out, err = run(lambda q: {"d": {"nested": "no"}}, "{}")
    assert code == 1 and out == ""
    assert "cannot send a dict" in err


def test_preflight_digest_is_canonical():
    first = preflight.digest(b'{"a": 1}', {"min_score": "70", "config": "/x/bcce.json"})
    again = preflight.digest(b'{"a": 1}', {"config": "/x/bcce.json", "min_score": "70"})
    assert first == again and len(first) == 64
    assert preflight.digest(b'{"a": 2}', {"min_score": "70", "config": "/x/bcce.json"}) != first
    assert preflight.digest(b'{"a": 1}', {"min_score": "71", "config": "/x/bcce.json"}) != first


@pytest.mark.parametrize("bad", ["-1", "101", "high", "7.5"])
def test_preflight_min_score_must_be_0_to_100(bad):
    with pytest.raises(UsageError, match="min_score"):
        preflight.parse_min_score(bad)


def test_account_cache_expires_and_ignores_damage(tmp_path):
    path = tmp_path / "c.json"
    account.write_cache(path, {"account_id": "111122223333", "caller_arn": "arn:aws:iam::111122223333:user/a"}, 1000.0)
    assert account.read_cache(path, 300, 1100.0) == {"account_id": "111122223333", "caller_arn": "arn:aws:iam::111122223333:user/a"}
    assert account.read_cache(path, 300, 1300.0) is None, "expired"
    assert account.read_cache(path, 300, 900.0) is None, "from the future"
    assert account.read_cache(path, 0, 1100.0) is None, "cache off"
    path.write_text("{broken")
    assert account.read_cache(path, 300, 1100.0) is None


def test_account_cache_key_tells_profiles_endpoints_and_keys_apart(tmp_path):
    env = {"BCCE_CACHE_DIR": str(tmp_path)}
    paths = {
        account.cache_path(env, None, None),
        account.cache_path(env, "dev", None),
        account.cache_path(env, None, "http://127.0.0.1:5000"),
        account.cache_path({**env, "AWS_ACCESS_KEY_ID": "AKIAOTHER"}, None, None),
    }
    assert len(paths) == 4
    assert all(p.parent == tmp_path / "external" for p in paths)
    assert all("AKIA" not in p.name for p in paths)


def test_account_cache_ttl_setting():
    assert account.cache_ttl({}) == 300
    assert account.cache_ttl({"BCCE_ACCOUNT_CACHE_SECONDS": "0"}) == 0
    with pytest.raises(UsageError):
        account.cache_ttl({"BCCE_ACCOUNT_CACHE_SECONDS": "forever"})
