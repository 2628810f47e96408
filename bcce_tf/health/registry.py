"""Which live checks each `bcce doctor --component` runs, built from what the state says was deployed.

COMPONENTS maps a component name to a function that, given the inventories of the stacks, returns
the checks to run; adding a component is one line here (and its module)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bcce_tf.health import cost, security, services
from bcce_tf.health.inventory import Inventory
from bcce_tf.readiness.checks.base import Check, CheckContext, Outcome
from bcce_tf.readiness.model import Category, Impact


@dataclass(frozen=True)
class Planned:
    component: str
    stack: str
    name: str
    check: Check


def _planned(component: str, inventory: Inventory | None, name: str, run: Callable[..., Outcome], *args: object,
             category: Category = Category.CONFIGURATION) -> Planned:
    stack = inventory.stack if inventory is not None else ""
    check_id = f"{component}.{name}" + (f"@{stack}" if stack else "")
    check = Check(id=check_id.replace(" ", "_"), title=name, category=category, impact=Impact.HIGH, run=run, args=args)
    return Planned(component=component, stack=stack, name=name, check=check)


def _credentials(ctx: CheckContext) -> Outcome:
    identity = ctx.identity()
    return Outcome.passed(f"account {identity.account} as {identity.arn}")


def credentials_checks(inventories: Sequence[Inventory]) -> list[Planned]:
    return [_planned("credentials", None, "caller", _credentials, category=Category.SECURITY)]


def _state(ctx: CheckContext, inventory: Inventory) -> Outcome:
    if inventory.empty:
        return Outcome.failed(f"the state of {inventory.stack} holds no resources: nothing is deployed",
                              "run 'bcce deploy' (or 'bcce plan' then 'bcce apply')")
    return Outcome.passed(f"state readable: {len(inventory.resources)} checked resource(s)"
                          + (f", written by Terraform {inventory.terraform_version}" if inventory.terraform_version else ""))


def stacks_checks(inventories: Sequence[Inventory]) -> list[Planned]:
    return [_planned("stacks", inv, "state", _state, inv) for inv in inventories]


def security_checks(inventories: Sequence[Inventory]) -> list[Planned]:
    planned: list[Planned] = []
    for inv in inventories:
        key = security.stack_key(inv)
        if key is not None:
            planned.append(_planned("security", inv, "kms-key", security.kms_key, inv, key, category=Category.SECURITY))
        for bucket in inv.of("aws_s3_bucket"):
            name = str(bucket.get("bucket"))
            planned += [
                _planned("security", inv, f"bucket-encryption:{name}", security.bucket_encryption, inv, name, key, category=Category.SECURITY),
                _planned("security", inv, f"bucket-versioning:{name}", security.bucket_versioning, inv, name, category=Category.SECURITY),
                _planned("security", inv, f"bucket-public-access:{name}", security.bucket_public_access, inv, name, category=Category.SECURITY),
            ]
        for trail in inv.of("aws_cloudtrail"):
            planned.append(_planned("security", inv, f"trail:{trail.get('name')}", security.trail, inv, str(trail.get("name")), category=Category.SECURITY))
    return planned


def services_checks(inventories: Sequence[Inventory]) -> list[Planned]:
    planned: list[Planned] = []
    for inv in inventories:
        for endpoint in inv.of("aws_vpc_endpoint"):
            private_dns = bool(endpoint.get("private_dns_enabled")) and endpoint.get("vpc_endpoint_type") == "Interface"
            planned.append(_planned("services", inv, f"vpc-endpoint:{endpoint.get('id')}", services.vpc_endpoint, inv,
                                    str(endpoint.get("id")), private_dns))
        for stream in inv.of("aws_kinesis_firehose_delivery_stream"):
            planned.append(_planned("services", inv, f"firehose:{stream.get('name')}", services.firehose, inv, str(stream.get("name"))))
        for group in inv.of("aws_athena_workgroup"):
            planned.append(_planned("services", inv, f"athena-workgroup:{group.get('name')}", services.athena_workgroup, inv, str(group.get("name"))))
        for table in inv.of("aws_glue_catalog_table"):
            db, name = str(table.get("database_name")), str(table.get("name"))
            planned.append(_planned("services", inv, f"glue-table:{db}.{name}", services.glue_table, inv, db, name))
        alarm_names = tuple(sorted(str(a.get("alarm_name")) for a in inv.of("aws_cloudwatch_metric_alarm")))
        if alarm_names:
            planned.append(_planned("services", inv, "alarms", services.alarms, inv, alarm_names))
        for found in inv.of("aws_budgets_budget"):
            planned.append(_planned("services", inv, f"budget:{found.get('name')}", services.budget, inv,
                                    str(found.get("name")), str(found.get("account_id"))))
        for instance in inv.of("aws_instance"):
            planned.append(_planned("services", inv, f"dashboards-instance:{instance.get('id')}", services.dashboards_instance, inv, str(instance.get("id"))))
        for db in inv.of("aws_db_instance"):
            planned.append(_planned("services", inv, f"dashboards-database:{db.get('identifier')}", services.dashboards_database, inv, str(db.get("identifier"))))
        for rail in inv.of("aws_bedrock_guardrail"):
            planned.append(_planned("services", inv, f"guardrail:{rail.get('name')}", services.guardrail, inv, str(rail.get("guardrail_id"))))
        for service in inv.of("aws_ecs_service"):
            planned.append(_planned("services", inv, f"telemetry-service:{service.get('name')}", services.ecs_service, inv,
                                    str(service.get("cluster")), str(service.get("name"))))
    return planned


def orphans_checks(inventories: Sequence[Inventory]) -> list[Planned]:
    from bcce_tf.health.orphans import orphans_check

    known = tuple(sorted({arn for inv in inventories for arn in inv.arns}))
    return [_planned("orphans", inv, "tagged-not-in-state", orphans_check, inv, known) for inv in inventories]


def cost_checks(inventories: Sequence[Inventory]) -> list[Planned]:
    from datetime import date

    del inventories  # Cost Explorer is account-wide: the spend is found by the Stack tag, not by the state
    return [_planned("cost", None, "month-to-date", cost.month_to_date, date.today(), category=Category.COST),
            _planned("cost", None, "cost-allocation-tags", cost.allocation_tags, category=Category.COST)]


def no_checks(inventories: Sequence[Inventory]) -> list[Planned]:
    """aws-clients makes no calls of its own: doctor reads the factory's statistics after the others ran."""
    del inventories
    return []


# Component name -> the checks it runs over the stacks' inventories.
COMPONENTS: dict[str, Callable[[Sequence[Inventory]], list[Planned]]] = {
    "credentials": credentials_checks,
    "stacks": stacks_checks,
    "security": security_checks,
    "services": services_checks,
    "orphans": orphans_checks,


    "cost": cost_checks,
    "aws-clients": no_checks,
}
# Components that need the stacks' states (the others run without rendering or Terraform).
NEEDS_STATE = ("stacks", "security", "services", "orphans")
