"""Configuration checks: names AWS will accept, and switches that work together."""

from __future__ import annotations

import ipaddress
import re

from bcce_tf.components import component_module
from bcce_tf.config import BUCKET_SUFFIXES, COMPONENTS, NAME_RE, bucket_name
from bcce_tf.readiness.checks.base import Check, CheckContext, Outcome
from bcce_tf.readiness.model import Category, Impact

WORST_CASE_ACCOUNT = "0" * 12
ROLE_NAME_RE = r"^[\w+=,.@-]{1,64}$"
KMS_ALIAS_RE = r"^alias/[a-zA-Z0-9/_-]{1,250}$"
GUARDRAILS_MESSAGE = "guardrails need hashicorp/aws 5.x (provider.generation 5)"


def bucket_problem(name: str) -> str | None:
    """Why S3 would refuse `name` as a general purpose bucket name, or None."""
    if not 3 <= len(name) <= 63:
        return f"{len(name)} characters (3-63 allowed)"
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", name):
        return "only lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
    if ".." in name or ".-" in name or "-." in name:
        return "no adjacent dots, nor a dot next to a hyphen"
    try:
        ipaddress.ip_address(name)
        return "must not look like an IP address"
    except ValueError:
        pass
    if name.startswith(("xn--", "sthree-", "amzn-s3-demo-")) or name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3")):
        return "uses a prefix or suffix S3 reserves"
    return None


def names_valid(ctx: CheckContext) -> Outcome:
    config = ctx.config
    problems: list[str] = []
    for field_name in ("stack_name", "organization_id"):
        value = getattr(config, field_name)
        if not re.fullmatch(NAME_RE, value):
            problems.append(f"{field_name} '{value}' must match {NAME_RE}")
    identity = ctx.identity_or_none()
    account = identity.account if identity else WORST_CASE_ACCOUNT
    prefix = f"{config.stack_name}-{config.organization_id}"
    buckets = [bucket_name(config.stack_name, config.organization_id, account, r, s) for r in ctx.regions for s in BUCKET_SUFFIXES]
    if config.backend.type == "s3" and config.backend.bucket:
        buckets.append(config.backend.bucket)
    for name in buckets:
        problem = bucket_problem(name)
        if problem:
            problems.append(f"bucket '{name}': {problem}")
    roles = sorted({pattern.format(prefix=prefix, region=r) for c in ctx.components
                    for pattern in getattr(component_module(c), "IAM_ROLE_NAMES", ()) for r in ctx.regions})
    for role in roles:
        if not re.fullmatch(ROLE_NAME_RE, role):
            problems.append(f"IAM role '{role}': {len(role)} characters (64 allowed) of letters, digits and _+=,.@-")
    alias = f"alias/{prefix}"
    if not re.fullmatch(KMS_ALIAS_RE, alias) or alias.startswith("alias/aws"):
        problems.append(f"KMS alias '{alias}' is not allowed (alias/ then letters, digits, / _ -; not alias/aws)")
    if problems:
        return Outcome.failed("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""),
                              "shorten or fix stack_name / organization_id in bcce.json")
    longest = max(buckets, key=len)
    where = f"account {account}" if identity else "worst-case account id (caller unknown)"
    return Outcome.passed(f"{len(buckets)} bucket names (longest {len(longest)}: {longest}, {where}), "
                          f"{len(roles)} IAM role names and KMS alias {alias} are valid")


def guardrails_provider(ctx: CheckContext) -> Outcome:
    config = ctx.config
    requested = config.guardrails and ("all" in config.components or "guardrails" in config.components)
    if not requested:
        return Outcome.passed("guardrails are not part of the selected components")
    if config.provider.generation < 5:
        return Outcome.failed(f"guardrails requested with provider.generation {config.provider.generation}: {GUARDRAILS_MESSAGE}",
                              "set provider.generation to 5, or set guardrails to false")
    return Outcome.passed(f"guardrails with provider.generation {config.provider.generation}")


def combinations(ctx: CheckContext) -> Outcome:
    config = ctx.config
    if not ctx.components:
        return Outcome.failed(f"components {config.components} enable nothing with these switches",
                              f"choose components among {', '.join(COMPONENTS)}")
    notes: list[str] = []
    fixes: list[str] = []
    if config.cloudtrail_multi_region and len(config.regions) > 1 and "security" in ctx.components:
        notes.append(f"cloudtrail_multi_region with {len(config.regions)} regions creates one multi-region trail per region")
        fixes.append("turn cloudtrail_multi_region off, or deploy security in one region")
    if config.backend.type == "s3" and not config.backend.lock_table:
        notes.append("S3 state backend without a lock table: two runs can write the state at once")
        fixes.append("set backend.lock_table (bcce state bootstrap creates one)")
    if "monitoring" in ctx.components and not config.monitoring.alarm_email:
        notes.append("monitoring without monitoring.alarm_email: alarms and budget alerts reach no one")
        fixes.append("set monitoring.alarm_email")
    if notes:
        return Outcome.warning("; ".join(notes), "; ".join(fixes))
    return Outcome.passed(f"{', '.join(ctx.components)} with the config's switches")


def state_versioning(ctx: CheckContext) -> Outcome:
    """With the S3 backend, the state bucket keeps every earlier state only when versioning is on."""
    from bcce_tf.errors import AwsError

    backend = ctx.config.backend
    region = backend.region or ctx.home_region
    try:
        answer = ctx.call("s3", region, "get_bucket_versioning", Bucket=backend.bucket)
    except AwsError as exc:
        if str(exc.fields.get("code", "")) in ("NoSuchBucket", "404"):
            return Outcome.warning(f"state bucket {backend.bucket} does not exist yet",
                                   "run 'bcce state bootstrap': it creates the bucket with versioning on")
        raise
    status = answer.get("Status")
    if status == "Enabled":
        return Outcome.passed(f"state bucket {backend.bucket} has versioning Enabled: every earlier state is kept")
    seen = f"versioning {status}" if status else "versioning never enabled"
    return Outcome.warning(f"state bucket {backend.bucket}: {seen}; an overwritten or deleted state cannot be recovered",
                           f"aws s3api put-bucket-versioning --bucket {backend.bucket} --versioning-configuration Status=Enabled "
                           "(or run 'bcce state bootstrap')")


def checks(ctx: CheckContext) -> list[Check]:
    c = Category.CONFIGURATION
    found = [
        Check("configuration.names", "Names are valid for AWS", c, Impact.HIGH, names_valid),
        Check("configuration.guardrails-provider", "Guardrails can be created", c, Impact.HIGH, guardrails_provider),
        Check("configuration.combinations", "Settings work together", c, Impact.MEDIUM, combinations),
    ]
    if ctx.config.backend.type == "s3" and ctx.config.backend.bucket:
        found.append(Check("configuration.state-versioning", "State bucket keeps earlier versions", c, Impact.MEDIUM,
                           state_versioning))
    return found


