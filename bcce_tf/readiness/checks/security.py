"""Security checks: who is calling, how the account audits itself, and what the config asks for."""

from __future__ import annotations

from bcce_tf.errors import CredentialsError
from bcce_tf.readiness.checks.base import Check, CheckContext, Outcome, describe_error
from bcce_tf.readiness.model import Category, Impact

RECOMMENDED_RETENTION_DAYS = 365


def credentials_valid(ctx: CheckContext) -> Outcome:
    try:
        identity = ctx.identity()
    except CredentialsError as exc:
        return Outcome.failed(describe_error(exc))
    return Outcome.passed(f"account {identity.account} as {identity.arn}")


def not_root(ctx: CheckContext) -> Outcome:
    try:
        identity = ctx.identity()
    except Exception as exc:  # noqa: BLE001 - the credentials check reports the cause
        return Outcome.not_checked(f"caller identity unknown: {describe_error(exc)}")
    if identity.is_root:
        return Outcome.failed(f"calling as the root user ({identity.arn})")
    return Outcome.passed(f"calling as {identity.kind} {identity.arn}")


def root_mfa(ctx: CheckContext) -> Outcome:
    summary = ctx.call("iam", ctx.home_region, "get_account_summary")["SummaryMap"]
    if "AccountMFAEnabled" not in summary:
        return Outcome.not_checked("iam:GetAccountSummary did not report AccountMFAEnabled")
    if int(summary["AccountMFAEnabled"]) == 1:
        return Outcome.passed("AccountMFAEnabled = 1")
    return Outcome.failed("AccountMFAEnabled = 0: the root user has no MFA device")


def cloudtrail_logging(ctx: CheckContext, region: str) -> Outcome:
    trails = ctx.call("cloudtrail", region, "describe_trails", includeShadowTrails=True).get("trailList", [])
    covering = [t for t in trails if t.get("HomeRegion") == region or t.get("IsMultiRegionTrail")]
    if not covering:
        return Outcome.failed(f"no CloudTrail trail covers {region}")
    idle = []
    for trail in covering:
        home = trail.get("HomeRegion") or region
        status = ctx.call("cloudtrail", home, "get_trail_status", Name=trail.get("TrailARN") or trail["Name"])
        scope = "multi-region" if trail.get("IsMultiRegionTrail") else "this region"
        if status.get("IsLogging"):
            return Outcome.passed(f"trail {trail['Name']} is logging ({scope})")
        idle.append(trail["Name"])
    return Outcome.failed(f"trail(s) {', '.join(idle)} cover {region} but are not logging",
                          "start logging on the trail: aws cloudtrail start-logging --name <trail>")


def config_recording(ctx: CheckContext, region: str) -> Outcome:
    statuses = ctx.call("config", region, "describe_configuration_recorder_status").get("ConfigurationRecordersStatus", [])
    if not statuses:
        return Outcome.failed(f"no AWS Config recorder in {region}")
    recording = [s["name"] for s in statuses if s.get("recording")]
    if recording:
        return Outcome.passed(f"recorder {recording[0]} is recording")
    names = ", ".join(s.get("name", "?") for s in statuses)
    return Outcome.failed(f"recorder {names} exists but is not recording",
                          "start it: aws configservice start-configuration-recorder --configuration-recorder-name <name>")


def encryption_requested(ctx: CheckContext) -> Outcome:
    if "security" in ctx.components:
        return Outcome.passed("security component enabled: a KMS stack key (rotated) encrypts every bucket and log group")
    return Outcome.failed("the security component is not part of this deployment: nothing creates the stack key")


def audit_logging_requested(ctx: CheckContext) -> Outcome:
    if "security" not in ctx.components:
        return Outcome.failed("the security component is not part of this deployment: no audit trail is created")
    days = ctx.config.log_retention_days
    evidence = f"stack trail to an encrypted bucket and log group, kept {days} days"
    if days < RECOMMENDED_RETENTION_DAYS:
        return Outcome.warning(evidence, f"keep audit logs at least {RECOMMENDED_RETENTION_DAYS} days (log_retention_days)")
    return Outcome.passed(evidence)


def network_isolation_requested(ctx: CheckContext) -> Outcome:
    if ctx.config.privatelink and "network" in ctx.components:
        return Outcome.passed("privatelink on: Bedrock, STS, Logs and CloudWatch reached through interface endpoints")
    if ctx.config.privatelink:
        return Outcome.warning("privatelink is on but the network component is not selected",
                               "add the network (or infrastructure) component")
    return Outcome.warning("privatelink is off: Bedrock traffic uses the public endpoints",
                           "set privatelink to true in bcce.json")


def checks(ctx: CheckContext) -> list[Check]:
    c = Category.SECURITY
    found = [
        Check("security.credentials", "AWS credentials are valid", c, Impact.CRITICAL, credentials_valid,
              remediation="configure credentials (aws configure / AWS_PROFILE / SSO login) for the target account"),
        Check("security.not-root", "Not running as the root user", c, Impact.CRITICAL, not_root,
              remediation="use an IAM role (or Identity Center permission set) instead of root credentials"),
        Check("security.root-mfa", "Root user has MFA", c, Impact.HIGH, root_mfa,
              remediation="enable MFA for the root user in the IAM console"),
    ]
    for region in ctx.regions:
        # Critical: without a logging trail nothing records who granted Bedrock access or called it, so
        # an account that scores well otherwise is still refused (the stack's own trail exists only after apply).
        found += [
            Check(f"security.cloudtrail.{region}", f"CloudTrail is logging in {region}", c, Impact.CRITICAL,
                  cloudtrail_logging, (region,),
                  remediation="create an account or organization trail that logs every region, and start it"),
            Check(f"security.config-recorder.{region}", f"AWS Config is recording in {region}", c, Impact.MEDIUM,
                  config_recording, (region,),
                  remediation="set up AWS Config (recorder + delivery channel) and start the recorder"),
        ]
    found += [
        Check("security.encryption", "Config asks for encryption at rest", c, Impact.HIGH, encryption_requested,
              remediation="keep the security component in `components`"),
        Check("security.audit-logging", "Config asks for audit logging", c, Impact.HIGH, audit_logging_requested,
              remediation="keep the security component in `components`"),
        Check("security.network-isolation", "Config asks for network isolation", c, Impact.MEDIUM,
              network_isolation_requested, remediation="set privatelink to true"),
    ]
    return found
