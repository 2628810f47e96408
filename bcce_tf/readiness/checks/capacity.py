"""Capacity checks: Service Quotas against what the account already uses plus what the plan adds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bcce_tf.components.network import INTERFACE_ENDPOINT_SERVICES
from bcce_tf.config import Config
from bcce_tf.errors import AwsError, BcceError
from bcce_tf.readiness.checks.base import Check, CheckContext, Outcome, count_pages, describe_error
from bcce_tf.readiness.model import Category, Impact

NEAR_LIMIT = 0.9  # warn when the deployment leaves less than 10 % of a quota free


def vpcs_in_use(ctx: CheckContext, region: str) -> int:
    return count_pages(ctx, "ec2", region, "describe_vpcs", "Vpcs")


def gateway_endpoints_in_use(ctx: CheckContext, region: str) -> int:
    return count_pages(ctx, "ec2", region, "describe_vpc_endpoints", "VpcEndpoints",
                       Filters=[{"Name": "vpc-endpoint-type", "Values": ["Gateway"]}])


def security_groups_in_use(ctx: CheckContext, region: str) -> int:
    return count_pages(ctx, "ec2", region, "describe_security_groups", "SecurityGroups")


def elastic_ips_in_use(ctx: CheckContext, region: str) -> int:
    return len(ctx.call("ec2", region, "describe_addresses").get("Addresses", []))


@dataclass(frozen=True)
class QuotaNeed:
    key: str
    title: str
    service_code: str
    quota_code: str
    impact: Impact
    # Usage today in the region; None for a per-VPC quota of the VPC the plan creates (empty today).
    in_use: Callable[[CheckContext, str], int] | None


VPCS = QuotaNeed("vpcs", "VPCs per Region", "vpc", "L-F678F1CE", Impact.HIGH, vpcs_in_use)
INTERFACE_ENDPOINTS = QuotaNeed("interface-endpoints", "Interface VPC endpoints per VPC", "vpc", "L-29B6F2EB",
                                Impact.MEDIUM, None)
GATEWAY_ENDPOINTS = QuotaNeed("gateway-endpoints", "Gateway VPC endpoints per Region", "vpc", "L-1B52E74A",
                              Impact.MEDIUM, gateway_endpoints_in_use)
SECURITY_GROUPS = QuotaNeed("security-groups", "VPC security groups per Region", "vpc", "L-E79EC296",
                            Impact.MEDIUM, security_groups_in_use)
ELASTIC_IPS = QuotaNeed("elastic-ips", "EC2-VPC Elastic IPs", "ec2", "L-0263D0A3", Impact.MEDIUM, elastic_ips_in_use)


def planned(config: Config, components: tuple[str, ...]) -> list[tuple[QuotaNeed, int]]:
    """What one region's stack creates that counts against a quota (keep in step with terraform/modules)."""
    needs: list[tuple[QuotaNeed, int]] = []
    if "network" in components:
        needs.append((VPCS, 1))
        needs.append((GATEWAY_ENDPOINTS, 1))  # the S3 gateway endpoint
        # The new VPC's default security group, plus the endpoints' group with privatelink.
        needs.append((SECURITY_GROUPS, 2 if config.privatelink else 1))
        if config.privatelink:
            needs.append((INTERFACE_ENDPOINTS, len(INTERFACE_ENDPOINT_SERVICES)))
    # No component allocates Elastic IPs (no NAT gateway, no public instance): ELASTIC_IPS is
    # listed for components that will.
    return [(need, count) for need, count in needs if count > 0]


def quota_value(ctx: CheckContext, region: str, need: QuotaNeed) -> float:
    try:
        answer = ctx.call("service-quotas", region, "get_service_quota", ServiceCode=need.service_code, QuotaCode=need.quota_code)
    except AwsError as exc:
        if exc.fields.get("code") != "NoSuchResourceException":
            raise
        answer = ctx.call("service-quotas", region, "get_aws_default_service_quota",
                          ServiceCode=need.service_code, QuotaCode=need.quota_code)
    return float(answer["Quota"]["Value"])


def quota_check(ctx: CheckContext, region: str, need: QuotaNeed, count: int) -> Outcome:
    try:
        limit = quota_value(ctx, region, need)
    except BcceError as exc:
        return Outcome.not_checked(f"quota {need.quota_code} ({need.title}) unknown: {describe_error(exc)}")
    label = f"{need.title} ({need.quota_code}) = {limit:g}"
    if need.in_use is None:
        used, usage = 0, f"the new VPC needs {count}"
    else:
        used = need.in_use(ctx, region)
        usage = f"{used} in use + {count} planned = {used + count}"
    total = used + count
    if total > limit:
        return Outcome.failed(f"{usage} exceeds {label}",
                              f"request a quota increase for {need.quota_code} in {region} (Service Quotas console), "
                              "or free some up")
    if total > NEAR_LIMIT * limit:
        return Outcome.warning(f"{usage} of {label}: near the limit",
                               f"consider a quota increase for {need.quota_code} in {region}")
    return Outcome.passed(f"{usage} of {label}")


def checks(ctx: CheckContext) -> list[Check]:
    found = []
    for region in ctx.regions:
        for need, count in planned(ctx.config, ctx.components):
            found.append(Check(f"capacity.{need.key}.{region}", f"{need.title} in {region}", Category.CAPACITY,
                               need.impact, quota_check, (region, need, count)))
    return found
