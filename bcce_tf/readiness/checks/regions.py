"""Region checks: each configured region exists, offers Bedrock and every service the selected
components use (from the SSM global-infrastructure parameters AWS publishes), and lists the
Claude models the config allows."""

from __future__ import annotations

from fnmatch import fnmatchcase

from bcce_tf.components import services_for
from bcce_tf.errors import BcceError
from bcce_tf.readiness.checks.base import Check, CheckContext, Outcome, describe_error
from bcce_tf.readiness.model import Category, Impact

INFRA_PREFIX = "/aws/service/global-infrastructure/regions"
BATCH = 10  # names per ssm:GetParameters request

# bcce's service names (keys of bcce_tf.aws_services.SERVICES) -> names in the SSM
# global-infrastructure parameters; any one of the names is enough.
SSM_NAMES: dict[str, tuple[str, ...]] = {
    "sso-admin": ("identity-center", "sso"),
}
# Global services: one endpoint for the partition, not listed per region.
GLOBAL_SERVICES = frozenset({"budgets"})
# Where the global-infrastructure parameters are read, per partition (they are the same in every
# region of a partition, and a region that does not exist has no endpoint to ask).
LOOKUP_REGIONS = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}


def partition_of(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def lookup_region(region: str) -> str:
    return LOOKUP_REGIONS[partition_of(region)]


def required_services(components: tuple[str, ...]) -> list[str]:
    services = set(services_for(components)) | {"bedrock"}
    return sorted(services - GLOBAL_SERVICES)


def _get_parameters(ctx: CheckContext, region: str, names: list[str]) -> set[str]:
    """The names among `names` that exist as SSM parameters."""
    found: set[str] = set()
    for start in range(0, len(names), BATCH):
        answer = ctx.call("ssm", lookup_region(region), "get_parameters", Names=names[start:start + BATCH])
        found |= {p["Name"] for p in answer.get("Parameters", [])}
    return found


def region_exists(ctx: CheckContext, region: str) -> Outcome:
    name = f"{INFRA_PREFIX}/{region}"
    if name in ctx.once(f"ssm-region:{region}", lambda: _get_parameters(ctx, region, [name])):
        return Outcome.passed(f"{region} is listed in {INFRA_PREFIX}")
    return Outcome.failed(f"{region} is not an AWS region ({name} does not exist)")


def region_services(ctx: CheckContext, region: str) -> Outcome:
    if f"{INFRA_PREFIX}/{region}" not in ctx.once(f"ssm-region:{region}", lambda: _get_parameters(ctx, region, [f"{INFRA_PREFIX}/{region}"])):
        return Outcome.failed(f"{region} is not an AWS region, so it offers none of the services")
    wanted = required_services(ctx.components)
    names = {service: SSM_NAMES.get(service, (service,)) for service in wanted}
    parameters = sorted({f"{INFRA_PREFIX}/{region}/services/{n}" for options in names.values() for n in options})
    found = _get_parameters(ctx, region, parameters)
    missing = [s for s, options in names.items() if not any(f"{INFRA_PREFIX}/{region}/services/{n}" in found for n in options)]
    if missing:
        return Outcome.failed(f"{region} does not offer: {', '.join(missing)}",
                              "choose a region that offers these services (see the AWS Regional Services list)")
    skipped = sorted(set(services_for(ctx.components)) & GLOBAL_SERVICES)
    note = f" (global: {', '.join(skipped)})" if skipped else ""
    return Outcome.passed(f"{region} offers all {len(wanted)}: {', '.join(wanted)}{note}")


def bedrock_models(ctx: CheckContext, region: str) -> Outcome:
    try:
        answer = ctx.call("bedrock", region, "list_foundation_models", byProvider="Anthropic")
    except BcceError as exc:
        return Outcome.not_checked(f"Bedrock did not list its models: {describe_error(exc)}")
    models = [m["modelId"] for m in answer.get("modelSummaries", [])]
    patterns = ctx.config.allowed_model_patterns
    allowed = sorted(m for m in models if any(fnmatchcase(m, p) for p in patterns))
    if not allowed:
        return Outcome.failed(f"none of the {len(models)} Anthropic models in {region} match {', '.join(patterns)}")
    shown = ", ".join(allowed[:5]) + (f" and {len(allowed) - 5} more" if len(allowed) > 5 else "")
    return Outcome.passed(f"{len(allowed)} allowed Claude model(s): {shown}")


def checks(ctx: CheckContext) -> list[Check]:
    c = Category.REGION
    found = []
    for region in ctx.regions:
        found += [
            Check(f"region.exists.{region}", f"{region} is an AWS region", c, Impact.CRITICAL, region_exists, (region,),
                  remediation="fix the region name in bcce.json `regions`"),
            Check(f"region.services.{region}", f"{region} offers Bedrock and the services used", c, Impact.CRITICAL,
                  region_services, (region,)),
            Check(f"region.bedrock-models.{region}", f"Claude models are offered in {region}", c, Impact.HIGH,
                  bedrock_models, (region,),
                  remediation="pick a region where Anthropic models are offered, or widen allowed_model_patterns"),
        ]
    return found
