"""The services of a deployed stack, read live: endpoints, delivery, query, catalogue, alarms,
budget, dashboards, guardrail and the telemetry collector."""

from __future__ import annotations

from bcce_tf.errors import AwsError
from bcce_tf.health.aws_answers import REAPPLY, gone, is_missing
from bcce_tf.health.inventory import Inventory
from bcce_tf.readiness.checks.base import CheckContext, Outcome


def vpc_endpoint(ctx: CheckContext, inventory: Inventory, endpoint_id: str, private_dns: bool) -> Outcome:
    try:
        found = ctx.call("ec2", inventory.region, "describe_vpc_endpoints", VpcEndpointIds=[endpoint_id]).get("VpcEndpoints", [])
    except AwsError as exc:
        return gone(exc, f"endpoint {endpoint_id}")
    if not found:
        return Outcome.failed(f"endpoint {endpoint_id} no longer exists", REAPPLY)
    endpoint = found[0]
    state = str(endpoint.get("State", "?")).lower()
    service = endpoint.get("ServiceName", "?")
    if state != "available":
        return Outcome.failed(f"endpoint {endpoint_id} ({service}) is {state}, not available", REAPPLY)
    if private_dns and not endpoint.get("PrivateDnsEnabled"):
        return Outcome.failed(f"endpoint {endpoint_id} ({service}) is available but private DNS is off: "
                              "clients resolve the public endpoint", REAPPLY)
    return Outcome.passed(f"endpoint {endpoint_id} ({service}) available" + (", private DNS on" if private_dns else ""))


def firehose(ctx: CheckContext, inventory: Inventory, name: str) -> Outcome:
    try:
        stream = ctx.call("firehose", inventory.region, "describe_delivery_stream", DeliveryStreamName=name)
    except AwsError as exc:
        return gone(exc, f"delivery stream {name}")
    status = stream["DeliveryStreamDescription"].get("DeliveryStreamStatus", "?")
    if status != "ACTIVE":
        return Outcome.failed(f"delivery stream {name} is {status}, not ACTIVE: usage events are not delivered", REAPPLY)
    return Outcome.passed(f"delivery stream {name} ACTIVE")


def athena_workgroup(ctx: CheckContext, inventory: Inventory, name: str) -> Outcome:
    try:
        group = ctx.call("athena", inventory.region, "get_work_group", WorkGroup=name)["WorkGroup"]
    except AwsError as exc:
        if is_missing(exc) or "not found" in str(exc.fields.get("detail", "")).lower():
            return Outcome.failed(f"workgroup {name} no longer exists", REAPPLY)
        raise
    if group.get("State") != "ENABLED":
        return Outcome.failed(f"workgroup {name} is {group.get('State')}", f"aws athena update-work-group --work-group {name} --state ENABLED")
    return Outcome.passed(f"workgroup {name} ENABLED")


def glue_table(ctx: CheckContext, inventory: Inventory, database: str, table: str) -> Outcome:
    try:
        ctx.call("glue", inventory.region, "get_table", DatabaseName=database, Name=table)
    except AwsError as exc:
        if is_missing(exc, "EntityNotFoundException"):
            return Outcome.failed(f"table {database}.{table} no longer exists: Athena queries over it fail", REAPPLY)
        raise
    return Outcome.passed(f"table {database}.{table} exists")


def alarms(ctx: CheckContext, inventory: Inventory, names: tuple[str, ...]) -> Outcome:
    found = {a["AlarmName"]: a for a in ctx.call("cloudwatch", inventory.region, "describe_alarms",
                                                  AlarmNames=list(names)).get("MetricAlarms", [])}
    missing = sorted(set(names) - set(found))
    if missing:
        return Outcome.failed(f"alarm(s) no longer exist: {', '.join(missing)}", REAPPLY)
    firing = sorted(name for name, alarm in found.items() if alarm.get("StateValue") == "ALARM")
    if firing:
        reasons = "; ".join(f"{name}: {found[name].get('StateReason', '')}" for name in firing)
        return Outcome.warning(f"{len(firing)} of {len(names)} alarm(s) in ALARM: {reasons}",
                               "look at what each alarm watches (bcce's CloudWatch dashboard) and fix the cause")
    return Outcome.passed(f"{len(names)} alarm(s), none in ALARM")


def budget(ctx: CheckContext, inventory: Inventory, name: str, account: str) -> Outcome:
    try:
        found = ctx.call("budgets", inventory.region, "describe_budget", AccountId=account, BudgetName=name)["Budget"]
    except AwsError as exc:
        return gone(exc, f"budget {name}")
    limit = float(found.get("BudgetLimit", {}).get("Amount", 0) or 0)
    unit = found.get("BudgetLimit", {}).get("Unit", "USD")
    spend = found.get("CalculatedSpend", {})
    actual = float(spend.get("ActualSpend", {}).get("Amount", 0) or 0)
    forecast_raw = spend.get("ForecastedSpend", {}).get("Amount")
    forecast = float(forecast_raw) if forecast_raw is not None else None
    said = f"budget {name}: actual {actual:.2f} {unit}" + (f", forecast {forecast:.2f}" if forecast is not None else ", no forecast yet") + f" of limit {limit:.2f}"
    if limit and actual > limit:
        return Outcome.failed(said + ": over the limit", "see 'bcce cost estimate' and the Cost Explorer breakdown; lower usage or raise cost.monthly_budget_usd")
    if limit and forecast is not None and forecast > limit:
        return Outcome.warning(said + ": the forecast is over the limit", "see 'bcce cost estimate'; lower usage or raise cost.monthly_budget_usd")
    return Outcome.passed(said)


def dashboards_instance(ctx: CheckContext, inventory: Inventory, instance_id: str) -> Outcome:
    try:
        reservations = ctx.call("ec2", inventory.region, "describe_instances", InstanceIds=[instance_id]).get("Reservations", [])
    except AwsError as exc:
        return gone(exc, f"instance {instance_id}")
    instances = [i for r in reservations for i in r.get("Instances", [])]
    state = instances[0].get("State", {}).get("Name", "?") if instances else "gone"
    if state != "running":
        return Outcome.failed(f"dashboards instance {instance_id} is {state}", f"aws ec2 start-instances --instance-ids {instance_id}")
    return Outcome.passed(f"dashboards instance {instance_id} running")


def dashboards_database(ctx: CheckContext, inventory: Inventory, identifier: str) -> Outcome:
    try:
        found = ctx.call("rds", inventory.region, "describe_db_instances", DBInstanceIdentifier=identifier).get("DBInstances", [])
    except AwsError as exc:
        if is_missing(exc, "DBInstanceNotFound", "DBInstanceNotFoundFault"):
            return Outcome.failed(f"database {identifier} no longer exists", REAPPLY)
        raise
    status = found[0].get("DBInstanceStatus", "?") if found else "gone"
    if status != "available":
        return Outcome.failed(f"database {identifier} is {status}, not available",
                              f"aws rds start-db-instance --db-instance-identifier {identifier}" if status == "stopped" else REAPPLY)
    return Outcome.passed(f"database {identifier} available")


def guardrail(ctx: CheckContext, inventory: Inventory, guardrail_id: str) -> Outcome:
    found = ctx.call("bedrock", inventory.region, "get_guardrail", guardrailIdentifier=guardrail_id)
    status = found.get("status", "?")
    if status != "READY":
        return Outcome.failed(f"guardrail {guardrail_id} is {status}, not READY", REAPPLY)
    return Outcome.passed(f"guardrail {guardrail_id} READY (version {found.get('version', '?')})")


def ecs_service(ctx: CheckContext, inventory: Inventory, cluster: str, name: str) -> Outcome:
    found = ctx.call("ecs", inventory.region, "describe_services", cluster=cluster, services=[name])
    services = [s for s in found.get("services", []) if s.get("status") != "INACTIVE"]
    if not services:
        return Outcome.failed(f"service {name} no longer exists in cluster {cluster}", REAPPLY)
    service = services[0]
    desired, running = service.get("desiredCount", 0), service.get("runningCount", 0)
    if running < desired:
        return Outcome.failed(f"service {name}: {running} of {desired} desired task(s) running",
                              f"see the stopped tasks' reasons: aws ecs list-tasks --cluster {cluster} --desired-status STOPPED")
    return Outcome.passed(f"service {name}: {running} of {desired} desired task(s) running")
