"""`bcce external account`: the AWS account Terraform is about to work in, as external data.

Query (all optional): profile, endpoint_url, region.
Result: account_id, partition, caller_arn, is_root ("true"/"false"), region.

The answer is cached per profile, endpoint and access key for a short time (300 s by default,
BCCE_ACCOUNT_CACHE_SECONDS; 0 turns the cache off) in the user cache directory (BCCE_CACHE_DIR
overrides it), so that every plan and refresh does not ask STS again. Nothing else is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

from bcce_tf.errors import UsageError
from bcce_tf.external import protocol
from bcce_tf.fsutil import atomic_write_text

ALLOWED = ("profile", "endpoint_url", "region")
CACHE_ENV = "BCCE_CACHE_DIR"
TTL_ENV = "BCCE_ACCOUNT_CACHE_SECONDS"
DEFAULT_TTL = 300.0
DEFAULT_REGION = "us-east-1"
CACHE_FORMAT = 1


def cache_dir(environ: Mapping[str, str]) -> Path:
    configured = (environ.get(CACHE_ENV) or "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("bcce", appauthor=False))


def cache_ttl(environ: Mapping[str, str]) -> float:
    raw = (environ.get(TTL_ENV) or "").strip()
    if not raw:
        return DEFAULT_TTL
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= 86400:
        raise UsageError(f"{TTL_ENV} must be a number of seconds from 0 to 86400, got '{raw}'")
    return value


def cache_path(environ: Mapping[str, str], profile: str | None, endpoint_url: str | None) -> Path:
    # The access key id (never the secret) tells apart credentials given through the environment.
    key = json.dumps([profile or "", endpoint_url or "", environ.get("AWS_ACCESS_KEY_ID", "")])
    return cache_dir(environ) / "external" / f"account-{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


def read_cache(path: Path, ttl: float, now: float) -> dict[str, str] | None:
    if ttl <= 0:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stored = float(data["stored_at"])
        identity = data["identity"]
        if data.get("format") != CACHE_FORMAT or not 0 <= now - stored < ttl:
            return None
        if not all(isinstance(identity.get(k), str) for k in ("account_id", "caller_arn")):
            return None
        return {"account_id": identity["account_id"], "caller_arn": identity["caller_arn"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_cache(path: Path, identity: dict[str, str], now: float) -> None:
    """Best effort: a cache that cannot be written only makes the next run slower."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps({"format": CACHE_FORMAT, "stored_at": now, "identity": identity}), 0o600)
    except OSError:
        pass


def lookup(profile: str | None, endpoint_url: str | None, region: str, environ: Mapping[str, str]) -> dict[str, str]:
    from bcce_tf.readiness.clients import readiness_clients

    clients = readiness_clients(profile=profile, endpoint_url=endpoint_url, ephemeral=True, environ=environ,
                                correlation_id=environ.get("BCCE_CORRELATION_ID"))
    answer = clients.call("sts", region, "get_caller_identity")
    return {"account_id": str(answer["Account"]), "caller_arn": str(answer["Arn"])}


def resolve_region(query_region: str | None, profile: str | None, environ: Mapping[str, str]) -> str:
    from bcce_tf import regions

    if query_region:
        return regions.check(query_region, "query key 'region'")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if environ.get(name):
            return regions.check(environ[name], name)
    try:
        import boto3

        return boto3.session.Session(profile_name=profile).region_name or DEFAULT_REGION
    except Exception:  # noqa: BLE001 - an unknown profile fails later with a clear message
        return DEFAULT_REGION


def account(query: protocol.Query, environ: Mapping[str, str] = os.environ, *,
            profile: str | None = None, endpoint_url: str | None = None,
            clock=time.time) -> dict[str, str]:  # noqa: ANN001
    protocol.check_query(query)
    profile = protocol.first(query.get("profile"), profile, environ.get("AWS_PROFILE"))
    endpoint_url = protocol.first(query.get("endpoint_url"), endpoint_url, environ.get("AWS_ENDPOINT_URL"))
    if endpoint_url and not endpoint_url.startswith(("http://", "https://")):
        raise UsageError(f"endpoint_url must be an http(s) URL, not '{endpoint_url}'")
    region = resolve_region(query.get("region"), profile, environ)
    ttl = cache_ttl(environ)
    path = cache_path(environ, profile, endpoint_url)
    now = clock()
    identity = read_cache(path, ttl, now)
    if identity is None:
        identity = lookup(profile, endpoint_url, region, environ)
        if ttl > 0:
            write_cache(path, identity, now)
    arn = identity["caller_arn"]
    parts = arn.split(":")
    return {
        "account_id": identity["account_id"],
        "partition": parts[1] if len(parts) > 1 and parts[1] else "aws",
        "caller_arn": arn,
        "is_root": "true" if arn.endswith(":root") else "false",
        "region": region,
    }


def main(stdin: IO[str] | None = None, stdout: IO[str] | None = None, stderr: IO[str] | None = None,
         *, profile: str | None = None, endpoint_url: str | None = None) -> int:
    return protocol.run(lambda q: account(q, os.environ, profile=profile, endpoint_url=endpoint_url), ALLOWED,
                        stdin=stdin or sys.stdin, stdout=stdout or sys.stdout, stderr=stderr or sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
