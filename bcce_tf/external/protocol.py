"""Terraform's external data source protocol, exactly.

The program reads one JSON object of strings on stdin (Terraform leaves out null values and
sends `{}` when there is no query), prints one JSON object whose values are all strings on stdout
and exits 0. On failure it writes a one-line message to stderr, prints nothing on stdout and
exits non-zero. It runs on every plan and refresh: no side effects, and quick.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from typing import IO

from bcce_tf.errors import BcceError, UsageError
from bcce_tf.resilience.text import shorten

Query = dict[str, str]
Result = dict[str, str]
Program = Callable[[Query], Mapping[str, object]]


def read_query(stream: IO[str], allowed: tuple[str, ...]) -> Query:
    """The query object; empty input counts as `{}`. Null and empty values count as absent."""
    text = stream.read()
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"the query on stdin is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict):
        raise UsageError(f"the query on stdin must be a JSON object, not {type(data).__name__}")
    query: Query = {}
    for key, value in data.items():
        if key not in allowed:
            import difflib

            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"unknown query key '{key}'{hint}; allowed: {', '.join(allowed)}")
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise UsageError(f"query value '{key}' must be a string, got {type(value).__name__}")
        query[key] = value
    return query


# An AWS profile is the name of a `[profile NAME]` section: no brackets, spaces or control characters.
PROFILE_RE = re.compile(r"^[A-Za-z0-9_.@+=,:/-]{1,128}$")


def check_query(query: Query) -> None:
    """The values of the keys the programs share: region, profile, endpoint_url; one line each."""
    from bcce_tf import regions

    if "region" in query:
        regions.check(query["region"], "query key 'region'")
    if "profile" in query and not PROFILE_RE.fullmatch(query["profile"]):
        raise UsageError("query key 'profile': an AWS profile name is 1-128 letters, digits and _ . @ + = , : / -")
    url = query.get("endpoint_url")
    if url is not None and not re.fullmatch(r"https?://[^\s]+", url):
        raise UsageError("query key 'endpoint_url': must be an http(s) URL without spaces")


def as_string(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ",".join(as_string(v) for v in value)
    raise TypeError(f"cannot send a {type(value).__name__} through the external data protocol")


def encode_result(result: Mapping[str, object]) -> str:
    return json.dumps({str(k): as_string(v) for k, v in result.items()}, sort_keys=True, separators=(",", ":"))


def one_line(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, BcceError) else f"{type(exc).__name__}: {exc}"
    return shorten(text, 1000)


def run(
    program: Program,
    allowed: tuple[str, ...],
    *,
    stdin: IO[str],
    stdout: IO[str],
    stderr: IO[str],
) -> int:
    """Read the query, run `program`, print its result; any failure is one line on stderr."""
    logging.disable(logging.CRITICAL)  # stderr carries the one failure line and nothing else
    try:
        query = read_query(stdin, allowed)
        text = encode_result(program(query))
    except KeyboardInterrupt:
        stderr.write("interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the protocol: every failure is one line on stderr
        stderr.write(one_line(exc) + "\n")
        stderr.flush()
        code = int(exc.exit_code) if isinstance(exc, BcceError) else 1
        return code or 1
    finally:
        logging.disable(logging.NOTSET)
    stdout.write(text + "\n")
    stdout.flush()
    return 0


def first(*values: str | None) -> str | None:
    """The first value that is set and not empty."""
    for value in values:
        if value:
            return value
    return None


def env_default(environ: Mapping[str, str], *names: str) -> str | None:
    return first(*(environ.get(name) for name in names))


def default_environ() -> Mapping[str, str]:
    return os.environ
