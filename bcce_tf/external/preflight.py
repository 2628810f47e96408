"""`bcce external preflight`: the readiness score as external data, for a Terraform postcondition.

Query (all optional): config (path to bcce.json; default ./bcce.json, else ./.bcce.config.json),
min_score (default: BCCE_MIN_SCORE, else the config's readiness.min_score), region (one of the
config's regions; default all), profile, endpoint_url.
Result: score, status (ready|blocked), min_score, failed, warnings and not_checked (comma-separated
check ids), blocked_because, checks (how many ran), digest (sha256 of the config file's content
and the query, canonically encoded).

A blocked account is an answer, not a failure: the program exits 0 and the postcondition decides.
Nothing is written: circuit breakers live in memory for the run, and no run history is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from bcce_tf.errors import ConfigFileError, UsageError
from bcce_tf.external import protocol
from bcce_tf.readiness.model import Status

ALLOWED = ("config", "min_score", "region", "profile", "endpoint_url")


def digest(config_text: bytes, query: Mapping[str, str]) -> str:
    canonical = json.dumps({"config": config_text.decode("utf-8", "replace"), "query": dict(sorted(query.items()))},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def parse_min_score(raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise UsageError(f"min_score must be a whole number from 0 to 100, got '{raw}'") from None
    if not 0 <= value <= 100:
        raise UsageError(f"min_score must be from 0 to 100, got {value}")
    return value


def preflight(query: protocol.Query, environ: Mapping[str, str] = os.environ, *,
              config_path: Path | None = None, profile: str | None = None,
              endpoint_url: str | None = None, cwd: Path | None = None) -> dict[str, str]:
    from bcce_tf.config import find_config, load_config
    from bcce_tf.readiness import assess, resolve_min_score
    from bcce_tf.readiness.clients import readiness_clients

    protocol.check_query(query)
    base = cwd or Path.cwd()
    given = query.get("config")
    path = find_config(Path(given) if given else config_path, base)
    if not path.is_absolute():
        path = base / path
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise ConfigFileError(path=path, problem="file not found") from None
    except OSError as exc:
        raise ConfigFileError(path=path, problem=f"cannot be read: {exc.strerror}") from None
    config = load_config(path)
    min_score = parse_min_score(query["min_score"]) if "min_score" in query else resolve_min_score(None, config, environ)
    region = query.get("region")
    if region and region not in config.regions:
        raise UsageError(f"region '{region}' is not one of the config's regions ({', '.join(config.regions)})")
    profile = protocol.first(query.get("profile"), profile, environ.get("AWS_PROFILE"))
    endpoint_url = protocol.first(query.get("endpoint_url"), endpoint_url, environ.get("AWS_ENDPOINT_URL"))
    if endpoint_url and not endpoint_url.startswith(("http://", "https://")):
        raise UsageError(f"endpoint_url must be an http(s) URL, not '{endpoint_url}'")
    clients = readiness_clients(profile=profile, endpoint_url=endpoint_url, ephemeral=True, environ=environ,
                                correlation_id=environ.get("BCCE_CORRELATION_ID"))
    report = assess(config, clients, regions=[region] if region else None, min_score=min_score, environ=environ)
    return {
        "score": str(report.score),
        "status": report.status,
        "min_score": str(min_score),
        "failed": ",".join(report.ids(Status.FAILED)),
        "warnings": ",".join(report.ids(Status.WARNING)),
        "not_checked": ",".join(report.ids(Status.NOT_CHECKED)),
        "blocked_because": "; ".join(report.blocked_because()),
        "checks": str(len(report.results)),
        "digest": digest(text, query),
    }


def main(stdin: IO[str] | None = None, stdout: IO[str] | None = None, stderr: IO[str] | None = None, *,
         config_path: Path | None = None, profile: str | None = None, endpoint_url: str | None = None) -> int:
    return protocol.run(
        lambda q: preflight(q, os.environ, config_path=config_path, profile=profile, endpoint_url=endpoint_url),
        ALLOWED, stdin=stdin or sys.stdin, stdout=stdout or sys.stdout, stderr=stderr or sys.stderr,
    )


if __name__ == "__main__":
    raise SystemExit(main())
