"""Accounts x regions: the targets a run works on, narrowed by --account and --region, and the
credentials of one target (an assumed role or a named profile), never shared with another."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bcce_tf.config import Config, Target
from bcce_tf.errors import TargetUnreachableError, UsageError

from bcce_tf.fanout import CHILD_ENV, RESULT_ENV  # noqa: F401 - set in each child's environment
MAX_PARALLELISM = 32


@dataclass(frozen=True)
class TargetRef:
    """One (account, region): its own Terraform root, state key and credentials."""

    account_id: str | None  # None = the caller's account (no `targets` in the config)
    region: str
    target: Target | None = None

    @property
    def label(self) -> str:
        return f"{self.account_id}/{self.region}" if self.account_id else self.region

    @property
    def file_label(self) -> str:
        return self.label.replace("/", "-")


def check_options(account: str | None, parallelism: int | None) -> None:
    """The shape of --account and --parallelism, checked before any command runs."""
    if account is not None and not re.fullmatch(r"[0-9]{12}", account):
        raise UsageError(f"--account must be a 12-digit AWS account id, not '{account}'")
    if parallelism is not None and not 1 <= parallelism <= MAX_PARALLELISM:
        raise UsageError(f"--parallelism must be from 1 to {MAX_PARALLELISM}, not {parallelism}")


def expand(config: Config, *, account: str | None = None, region: str | None = None) -> list[TargetRef]:
    """Every (account, region) of the config, in config order, narrowed by --account / --region."""
    if account is not None and not re.fullmatch(r"[0-9]{12}", account):
        raise UsageError(f"--account must be a 12-digit AWS account id, not '{account}'")
    if not config.targets:
        if account is not None:
            raise UsageError("--account needs `targets` in the config (each with account_id and role_arn or profile)")
        chosen = [r for r in config.regions if region is None or r == region]
        if not chosen:
            raise UsageError(f"--region {region} is not one of the config's regions ({', '.join(config.regions)})")
        return [TargetRef(None, r) for r in chosen]
    refs = [TargetRef(t.account_id, r, t) for t in config.targets for r in (t.regions or config.regions)]
    if account is not None:
        refs = [ref for ref in refs if ref.account_id == account]
        if not refs:
            raise UsageError(f"--account {account} is not one of the config's targets "
                             f"({', '.join(t.account_id for t in config.targets)})")
    if region is not None:
        refs = [ref for ref in refs if ref.region == region]
        if not refs:
            raise UsageError(f"--region {region} is not a region of the selected targets")
    return refs


def parallelism(requested: int | None, count: int) -> int:
    """--parallelism, else min(4, number of targets); never more children than targets."""
    if requested is None:
        return max(1, min(4, count))
    if not 1 <= requested <= MAX_PARALLELISM:
        raise UsageError(f"--parallelism must be from 1 to {MAX_PARALLELISM}, not {requested}")
    return max(1, min(requested, count))


def session_name(correlation_id: str) -> str:
    """RoleSessionName: bcce-<correlation id>, in the characters and length STS allows."""
    cleaned = re.sub(r"[^\w+=,.@-]", "-", correlation_id or "run")
    return f"bcce-{cleaned}"[:64]


def credentials_env(target: Target, *, region: str, correlation_id: str, endpoint_url: str | None,
                    caller_profile: str | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The AWS_* variables of one target: the assumed role's temporary credentials, or its profile.
    Raises TargetUnreachableError (exit 27) when the account cannot be reached."""
    from bcce_tf.aws import AwsClients
    from bcce_tf.errors import BcceError

    if target.profile is not None:
        clients = AwsClients(profile=target.profile, endpoint_url=endpoint_url, correlation_id=correlation_id, environ=environ)
        try:
            identity = clients.call("sts", region, "get_caller_identity")
        except BcceError as exc:
            raise TargetUnreachableError(account_id=target.account_id, reason=f"profile '{target.profile}' failed: {exc}") from None
        except Exception as exc:  # botocore's ProfileNotFound and friends, raised before any call
            raise TargetUnreachableError(account_id=target.account_id,
                                         reason=f"profile '{target.profile}' failed: {type(exc).__name__}: {exc}") from None
        if identity.get("Account") != target.account_id:
            raise TargetUnreachableError(account_id=target.account_id,
                                         reason=f"profile '{target.profile}' is in account {identity.get('Account')}")
        return {"AWS_PROFILE": target.profile}
    assert target.role_arn is not None
    clients = AwsClients(profile=caller_profile, endpoint_url=endpoint_url, correlation_id=correlation_id, environ=environ)
    params: dict[str, Any] = {"RoleArn": target.role_arn, "RoleSessionName": session_name(correlation_id),
                              "DurationSeconds": target.session_duration_seconds}
    if target.external_id is not None:
        params["ExternalId"] = target.external_id
    try:
        answer = clients.call("sts", region, "assume_role", **params)
    except BcceError as exc:
        raise TargetUnreachableError(account_id=target.account_id, reason=f"could not assume {target.role_arn}: {exc}") from None
    creds = answer["Credentials"]
    return {"AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
            "AWS_SESSION_TOKEN": creds["SessionToken"]}


def endpoint_label(endpoint_url: str | None) -> str:
    """The endpoint part of a breaker name: host:port of --endpoint-url, or 'aws'."""
    if not endpoint_url:
        return "aws"
    from urllib.parse import urlparse

    parsed = urlparse(endpoint_url)
    return (parsed.netloc or endpoint_url).replace(":", "_")


# GitHub Actions runs at most 256 jobs from one matrix in a workflow run.
GITHUB_MATRIX_MAX_JOBS = 256


def describe(refs: list[TargetRef]) -> list[dict[str, Any]]:
    """The selected targets as records: account, region, how bcce reaches the account."""
    out: list[dict[str, Any]] = []
    for ref in refs:
        item: dict[str, Any] = {"target": ref.label, "region": ref.region}
        if ref.account_id is not None:
            item["account_id"] = ref.account_id
        if ref.target is not None:
            item.update({"role_arn": ref.target.role_arn} if ref.target.role_arn else {"profile": ref.target.profile})
        out.append(item)
    return out


def github_matrix(refs: list[TargetRef]) -> dict[str, Any]:
    """A GitHub Actions `strategy.matrix` (`include`: one job per target, with `account` and
    `region` for `bcce --account ... --region ...`); read it with fromJSON() from a job output."""
    if len(refs) > GITHUB_MATRIX_MAX_JOBS:
        raise UsageError(f"--format github-matrix: {len(refs)} targets, but a GitHub Actions matrix runs at most "
                         f"{GITHUB_MATRIX_MAX_JOBS} jobs; narrow the run with --account or --region")
    include = []
    for ref in refs:
        job = {"target": ref.label, "region": ref.region}
        if ref.account_id is not None:
            job["account"] = ref.account_id
        include.append(job)
    return {"include": include}
