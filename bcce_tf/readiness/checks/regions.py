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
    "elasticloadbalancing": ("elb", "elasticloadbalancing"),
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


def _listed_models(ctx: CheckContext, region: str) -> list[str]:
    def lookup() -> list[str]:
        answer = ctx.call("bedrock", region, "list_foundation_models", byProvider="Anthropic")
        return [m["modelId"] for m in answer.get("modelSummaries", [])]

    return ctx.once(f"bedrock-models:{region}", lookup)


def _allowed(ctx: CheckContext, models: list[str]) -> list[str]:
    patterns = ctx.config.allowed_model_patterns
    return sorted(m for m in models if any(fnmatchcase(m, p) for p in patterns))


def bedrock_models(ctx: CheckContext, region: str) -> Outcome:
    try:
        models = _listed_models(ctx, region)
    except BcceError as exc:
        return Outcome.not_checked(f"Bedrock did not list its models: {describe_error(exc)}")
    patterns = ctx.config.allowed_model_patterns
    allowed = _allowed(ctx, models)
    if not allowed:
        return Outcome.failed(f"none of the {len(models)} Anthropic models in {region} match {', '.join(patterns)}")
    shown = ", ".join(allowed[:5]) + (f" and {len(allowed) - 5} more" if len(allowed) > 5 else "")
    return Outcome.passed(f"{len(allowed)} allowed Claude model(s): {shown}")


# What GetFoundationModelAvailability answers when a model is usable, per field.
READY_ANSWER = {"agreement": "AVAILABLE", "authorizationStatus": "AUTHORIZED",
                "entitlementAvailability": "AVAILABLE", "regionAvailability": "AVAILABLE"}
MODEL_ACCESS_FIX = (
    "the platform team, once per account (or in the organization's management account): submit "
    "Anthropic's first-use form (Bedrock console model catalog, or bedrock:PutUseCaseForModelAccess), "
    "then accept each model's offer (aws bedrock list-foundation-model-agreement-offers --model-id M; "
    "aws bedrock create-foundation-model-agreement --model-id M --offer-token T) with a role allowed "
    "bedrock:CreateFoundationModelAgreement and aws-marketplace:Subscribe, aws-marketplace:Unsubscribe, "
    "aws-marketplace:ViewSubscriptions, on an account with a valid payment method; developers never "
    "need marketplace permissions"
)


def model_problems(answer: dict) -> list[str]:
    """Why GetFoundationModelAvailability says a model cannot be used yet (empty: it can)."""
    agreement = (answer.get("agreementAvailability") or {}).get("status", "?")
    problems = []
    if agreement != "AVAILABLE":
        detail = (answer.get("agreementAvailability") or {}).get("errorMessage")
        problems.append(f"agreement {agreement}" + (f" ({detail})" if detail else ""))
    for field in ("authorizationStatus", "entitlementAvailability", "regionAvailability"):
        value = answer.get(field, "?")
        if value != READY_ANSWER[field]:
            problems.append(f"{field} {value}")
    return problems


def model_access(ctx: CheckContext, region: str) -> Outcome:
    try:
        allowed = _allowed(ctx, _listed_models(ctx, region))
    except BcceError as exc:
        return Outcome.not_checked(f"Bedrock did not list its models: {describe_error(exc)}")
    if not allowed:
        return Outcome.not_checked(f"no allowed Claude model is offered in {region} (see region.bedrock-models.{region})")
    ready, blocked = [], []
    for model in allowed:
        try:
            answer = ctx.call("bedrock", region, "get_foundation_model_availability", modelId=model)
        except BcceError as exc:
            return Outcome.not_checked(f"bedrock:GetFoundationModelAvailability for {model}: {describe_error(exc)}")
        problems = model_problems(answer)
        if problems:
            blocked.append(f"{model}: {', '.join(problems)}")
        else:
            ready.append(model)
    if not blocked:
        return Outcome.passed(f"all {len(ready)} allowed Claude model(s) are available to the account in {region}")
    not_in_region = [b for b in blocked if "regionAvailability NOT_AVAILABLE" in b]
    fix = MODEL_ACCESS_FIX + ("; a model not offered in this region is reached through its cross-region "
                              "inference profile (us./eu./apac./global. prefix) or another region" if not_in_region else "")
    evidence = f"{len(blocked)} of {len(allowed)} allowed model(s) not usable in {region}: " + "; ".join(blocked)
    if ready:
        return Outcome.warning(evidence + f" (usable: {', '.join(ready)})", fix)
    return Outcome.failed(evidence, fix)


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
            Check(f"region.model-access.{region}", f"The account may use each allowed Claude model in {region}", c,
                  Impact.HIGH, model_access, (region,), remediation=MODEL_ACCESS_FIX),
        ]
    return found
