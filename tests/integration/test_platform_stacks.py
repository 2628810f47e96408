"""Network, analytics and monitoring applied for real (provider 3.39 against the emulator).

Each test applies its component (with security, which every component needs), checks what was
created through the AWS API, checks that a second plan has nothing to do, destroys, and checks
that nothing is left behind. The emulator answers a few calls moto lacks through the additions in
bcce_tf/emulator/platform.py (named-query delete, Logs Insights query definitions, budget
notification subscribers); nothing is excluded from these runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bcce_tf import usage_queries
from bcce_tf.components.network import INTERFACE_ENDPOINT_SERVICES
from tests.support.stack import StackRun, emulator_config, render_for_emulator

pytestmark = pytest.mark.integration

ACCOUNT = "123456789012"


def leftovers(emulator, region: str = "us-east-1") -> dict[str, list[Any]]:
    """Everything a bcce stack could leave in a region (and the account-global services)."""

    def c(service: str):
        return emulator.client(service, region)

    kms = c("kms")
    ec2 = c("ec2")
    found: dict[str, list[Any]] = {
        "buckets": [b["Name"] for b in c("s3").list_buckets()["Buckets"]],
        "log_groups": [g["logGroupName"] for g in c("logs").describe_log_groups()["logGroups"]],
        "query_definitions": [q["name"] for q in c("logs").describe_query_definitions()["queryDefinitions"]],
        "glue_databases": [d["Name"] for d in c("glue").get_databases()["DatabaseList"]],
        "athena_workgroups": [w["Name"] for w in c("athena").list_work_groups()["WorkGroups"] if w["Name"] != "primary"],
        "firehose_streams": c("firehose").list_delivery_streams()["DeliveryStreamNames"],
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")],
        "vpc_endpoints": [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() != "deleted"],
        "flow_logs": [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]],
        "alarms": [a["AlarmName"] for a in c("cloudwatch").describe_alarms()["MetricAlarms"]],
        "dashboards": [d["DashboardName"] for d in c("cloudwatch").list_dashboards()["DashboardEntries"]],
        "topics": [t["TopicArn"] for t in c("sns").list_topics()["Topics"]],
        "subscriptions": [s["SubscriptionArn"] for s in c("sns").list_subscriptions()["Subscriptions"]],
        "trails": [t["Name"] for t in c("cloudtrail").describe_trails()["trailList"]],
        "iam_roles": [r["RoleName"] for r in c("iam").list_roles()["Roles"]],
        "budgets": [b["BudgetName"] for b in c("budgets").describe_budgets(AccountId=ACCOUNT).get("Budgets", [])],
        "kms_aliases": [a["AliasName"] for a in kms.list_aliases()["Aliases"] if not a["AliasName"].startswith("alias/aws/")],
        "kms_keys": [k["KeyId"] for k in kms.list_keys()["Keys"]
                     if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"],
    }
    return {kind: items for kind, items in found.items() if items}


def both(step: Callable[[StackRun], object], runs: Sequence[StackRun]) -> list[object]:
    """Run one step on several independent stacks (one per region) side by side."""
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        return list(pool.map(step, runs))


def converge_and_destroy(emulator, *runs: StackRun) -> None:
    codes = both(StackRun.plan_exit_code, runs)
    assert codes == [0] * len(runs), f"a second plan must show no changes: {dict(zip((r.rendered.target.key for r in runs), codes))}"
    both(StackRun.destroy, runs)
    for region in {run.rendered.target.region for run in runs}:
        assert leftovers(emulator, region) == {}, f"destroy left resources behind in {region}"


def role_policy(emulator, role_name: str) -> dict[str, Any]:
    role = emulator.client("iam").get_role(RoleName=role_name)["Role"]
    document = role["AssumeRolePolicyDocument"]
    return json.loads(document) if isinstance(document, str) else document


def test_network_component_applies_converges_and_destroys(emulator, provider_mirror, tmp_path):
    config = emulator_config(components=["network"], organization_id="acme", privatelink=True, network={"vpc_cidr": "10.42.0.0/16"})
    run = render_for_emulator(config, tmp_path, emulator.url, provider_mirror)
    assert run.rendered.components == ("security", "network")
    ec2 = emulator.client("ec2")
    known = set(ec2.describe_vpc_endpoint_services()["ServiceNames"])
    assert {f"com.amazonaws.us-east-1.{name}" for name in INTERFACE_ENDPOINT_SERVICES} <= known
    run.init()
    run.apply()

    out = run.outputs()
    vpc_id = out["vpc_id"]
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.42.0.0/16"
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    subnets = ec2.describe_subnets(Filters=in_vpc)["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.42.0.0/18", "10.42.64.0/18"]
    assert len({s["AvailabilityZone"] for s in subnets}) == 2
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets)
    assert ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"] == []
    for table in ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]:
        assert all(r.get("GatewayId", "local") == "local" or r.get("GatewayId", "").startswith("vpce-") for r in table["Routes"])

    endpoints = {e["ServiceName"].rsplit(".", 1)[-1]: e for e in ec2.describe_vpc_endpoints(Filters=in_vpc)["VpcEndpoints"]}
    assert set(endpoints) == set(INTERFACE_ENDPOINT_SERVICES) | {"s3"}
    assert endpoints["s3"]["VpcEndpointType"] == "Gateway"
    assert out["bedrock_runtime_endpoint_id"] == endpoints["bedrock-runtime"]["VpcEndpointId"]
    group_id = None
    for name in INTERFACE_ENDPOINT_SERVICES:
        endpoint = endpoints[name]
        assert endpoint["VpcEndpointType"] == "Interface" and endpoint["PrivateDnsEnabled"] is True
        assert sorted(endpoint["SubnetIds"]) == sorted(out["private_subnet_ids"])
        [group] = endpoint["Groups"]
        group_id = group["GroupId"]
    rules = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert [(p["FromPort"], p["ToPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in rules["IpPermissions"]] == [(443, 443, ["10.42.0.0/16"])]
    assert rules["IpPermissionsEgress"] == []
    default = ec2.describe_security_groups(Filters=in_vpc + [{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    assert default["IpPermissions"] == [] and default["IpPermissionsEgress"] == []

    [flow] = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert out["vpc_flow_log_group"] == "/bcce/bcce-acme/vpc-flow-logs"
    [group_info] = emulator.client("logs").describe_log_groups(logGroupNamePrefix=out["vpc_flow_log_group"])["logGroups"]
    assert (flow["LogDestinationType"], flow["LogDestination"].removesuffix(":*")) == ("cloud-watch-logs", group_info["arn"].removesuffix(":*"))
    assert flow["TrafficType"] == "ALL"
    assert group_info["kmsKeyId"] == out["kms_key_arn"]
    role_name = flow["DeliverLogsPermissionArn"].rsplit("/", 1)[-1]
    trust = role_policy(emulator, role_name)["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert set(trust["Condition"]) == {"StringEquals", "ArnLike"}

    converge_and_destroy(emulator, run)


def test_analytics_component_applies_converges_and_destroys(emulator, provider_mirror, tmp_path):
    config = emulator_config(components=["analytics"], organization_id="acme", log_retention_days=90,
                             analytics={"athena_bytes_scanned_cutoff_gb": 10})
    run = render_for_emulator(config, tmp_path, emulator.url, provider_mirror)
    assert run.rendered.components == ("security", "analytics")
    run.init()
    run.apply()

    out = run.outputs()
    s3 = emulator.client("s3")
    key_arn = out["kms_key_arn"]
    for bucket in (out["lake_bucket"], out["athena_results_bucket"]):
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
        assert (rule["SSEAlgorithm"], rule["KMSMasterKeyID"]) == ("aws:kms", key_arn)
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
        assert "aws:SecureTransport" in s3.get_bucket_policy(Bucket=bucket)["Policy"]
        assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"] == out["access_log_bucket"]
    assert out["lake_bucket"] == "bcce-acme-123456789012-us-east-1-lake"
    [tiering] = s3.get_bucket_lifecycle_configuration(Bucket=out["lake_bucket"])["Rules"]
    assert [(t["Days"], t["StorageClass"]) for t in tiering["Transitions"]] == [(30, "STANDARD_IA"), (90, "GLACIER"), (365, "DEEP_ARCHIVE")]

    glue = emulator.client("glue")
    events = glue.get_table(DatabaseName=out["glue_database"], Name="claude_code_events")["Table"]
    assert [k["Name"] for k in events["PartitionKeys"]] == ["dt"]
    assert events["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert events["StorageDescriptor"]["Location"] == f"s3://{out['lake_bucket']}/claude-code-events/"
    assert {c["Name"]: c["Type"] for c in events["StorageDescriptor"]["Columns"]}["attributes"] == "map<string,string>"
    assert events["Parameters"]["storage.location.template"] == f"s3://{out['lake_bucket']}/claude-code-events/dt=${{dt}}/"
    invocations = glue.get_table(DatabaseName=out["glue_database"], Name="invocation_logs")["Table"]
    assert invocations["StorageDescriptor"]["Location"] == (
        f"s3://{out['lake_bucket']}/bedrock-invocation-logs/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/us-east-1/")
    assert {c["Name"] for c in invocations["StorageDescriptor"]["Columns"]} >= {"timestamp", "identity", "modelid", "input", "output", "errorcode"}
    assert invocations["Parameters"]["projection.dt.format"] == "yyyy/MM/dd"

    athena = emulator.client("athena")
    workgroup = athena.get_work_group(WorkGroup=out["athena_workgroup"])["WorkGroup"]["Configuration"]
    assert workgroup["EnforceWorkGroupConfiguration"] is True
    assert workgroup["BytesScannedCutoffPerQuery"] == 10 * 1024**3
    result = workgroup["ResultConfiguration"]
    assert result["OutputLocation"] == f"s3://{out['athena_results_bucket']}/results/"
    assert result["EncryptionConfiguration"] == {"EncryptionOption": "SSE_KMS", "KmsKey": key_arn}
    arn = f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/{out['athena_workgroup']}"
    assert {t["Key"]: t["Value"] for t in athena.list_tags_for_resource(ResourceARN=arn)["Tags"]}["ManagedBy"] == "bcce"
    queries = [athena.get_named_query(NamedQueryId=i)["NamedQuery"] for i in out["athena_named_query_ids"].values()]
    assert sorted(q["Name"] for q in queries) == sorted(f"bcce-acme-{n}" for n in usage_queries.named_queries())
    for q in queries:
        table = "claude_code_events" if q["Name"].startswith("bcce-acme-claude-code-") else "invocation_logs"
        assert f'"{out["glue_database"]}"."{table}"' in q["QueryString"], q["Name"]
        assert "@" not in q["QueryString"], q["Name"]

    logs = emulator.client("logs")
    [group] = logs.describe_log_groups(logGroupNamePrefix="/bcce/claude-code/")["logGroups"]
    assert (group["logGroupName"], group["retentionInDays"], group["kmsKeyId"]) == ("/bcce/claude-code/acme", 90, key_arn)
    stream = emulator.client("firehose").describe_delivery_stream(DeliveryStreamName=out["usage_firehose_stream"])["DeliveryStreamDescription"]
    destination = stream["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert destination["BucketARN"] == f"arn:aws:s3:::{out['lake_bucket']}"
    assert destination["EncryptionConfiguration"]["KMSEncryptionConfig"]["AWSKMSKeyARN"] == key_arn
    assert destination["Prefix"].startswith("raw/")  # provider 3.x: no CloudWatch Logs unwrapping
    assert destination["ErrorOutputPrefix"].startswith("errors/")
    [subscription] = logs.describe_subscription_filters(logGroupName="/bcce/claude-code/acme")["subscriptionFilters"]
    assert subscription["destinationArn"] == stream["DeliveryStreamARN"]
    trust = role_policy(emulator, subscription["roleArn"].rsplit("/", 1)[-1])["Statement"][0]
    assert trust["Principal"] == {"Service": "logs.amazonaws.com"} and "aws:SourceArn" in json.dumps(trust["Condition"])

    # A Claude Code api_request event, as the awscloudwatchlogs exporter writes it, travels
    # subscription -> Firehose -> data lake.
    event = {"body": "claude_code.api_request", "severity_number": 9, "severity_text": "INFO",
             "attributes": {"event.name": "api_request", "event.timestamp": "2026-01-05T10:00:00.000Z",
                            "user.email": "dev@example.com", "session.id": "s-1", "model": "claude-sonnet-4-5",
                            "input_tokens": "1200", "output_tokens": "300", "cost_usd": "0.0081", "duration_ms": "2100"},
             "resource": {"service.name": "claude-code"}, "scope": {"name": "com.anthropic.claude_code.events", "version": "2.0.0"}}
    logs.create_log_stream(logGroupName="/bcce/claude-code/acme", logStreamName="probe")
    logs.put_log_events(logGroupName="/bcce/claude-code/acme", logStreamName="probe",
                        logEvents=[{"timestamp": 1767607200000, "message": json.dumps(event)}])
    delivered = s3.list_objects_v2(Bucket=out["lake_bucket"], Prefix="raw/").get("Contents", [])
    assert delivered, "the usage event did not reach the data lake"

    converge_and_destroy(emulator, run)


def test_monitoring_component_applies_converges_and_destroys(emulator, provider_mirror, tmp_path):
    config = emulator_config(components=["monitoring"], organization_id="acme",
                             monitoring={"alarm_email": "ops@example.com", "monthly_budget_usd": 2500})
    run = render_for_emulator(config, tmp_path, emulator.url, provider_mirror)
    assert run.rendered.components == ("security", "monitoring")
    run.init()
    run.apply()

    out = run.outputs()
    sns = emulator.client("sns")
    attributes = sns.get_topic_attributes(TopicArn=out["alerts_topic_arn"])["Attributes"]
    assert attributes["KmsMasterKeyId"] == out["kms_key_arn"]
    policy = json.loads(attributes["Policy"])
    publishers = {s["Principal"].get("Service") for s in policy["Statement"] if s["Effect"] == "Allow"}
    assert {"cloudwatch.amazonaws.com", "budgets.amazonaws.com"} <= publishers
    [email] = sns.list_subscriptions_by_topic(TopicArn=out["alerts_topic_arn"])["Subscriptions"]
    assert (email["Protocol"], email["Endpoint"]) == ("email", "ops@example.com")

    alarms = {a["AlarmName"]: a for a in emulator.client("cloudwatch").describe_alarms(AlarmNamePrefix="bcce-acme-")["MetricAlarms"]}
    assert set(alarms) == set(out["alarm_names"])
    assert all(a["AlarmActions"] == [out["alerts_topic_arn"]] for a in alarms.values())
    assert (alarms["bcce-acme-bedrock-throttles"]["Namespace"], alarms["bcce-acme-bedrock-throttles"]["MetricName"]) == ("AWS/Bedrock", "InvocationThrottles")
    assert {m["Id"] for m in alarms["bcce-acme-claude-code-error-rate"]["Metrics"]} == {"error_rate", "errors", "requests"}
    body = json.loads(emulator.client("cloudwatch").get_dashboard(DashboardName=out["monitoring_dashboard"])["DashboardBody"])
    assert any("AWS/Bedrock" in json.dumps(w) for w in body["widgets"])
    assert not any(w["type"] == "log" for w in body["widgets"])  # no analytics, no Logs Insights widgets

    budgets = emulator.client("budgets")
    budget = budgets.describe_budget(AccountId=ACCOUNT, BudgetName=out["budget_name"])["Budget"]
    assert (budget["BudgetType"], float(budget["BudgetLimit"]["Amount"]), budget["BudgetLimit"]["Unit"]) == ("COST", 2500.0, "USD")
    notices = budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName=out["budget_name"])["Notifications"]
    assert sorted((n["NotificationType"], n["Threshold"]) for n in notices) == [("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 80), ("FORECASTED", 100)]
    subscribers = budgets.describe_subscribers_for_notification(AccountId=ACCOUNT, BudgetName=out["budget_name"], Notification=notices[0])["Subscribers"]
    assert {(s["SubscriptionType"], s["Address"]) for s in subscribers} == {("SNS", out["alerts_topic_arn"]), ("EMAIL", "ops@example.com")}
    definitions = emulator.client("logs").describe_query_definitions(queryDefinitionNamePrefix="bcce/")["queryDefinitions"]
    assert [(d["name"], d["logGroupNames"]) for d in definitions] == [("bcce/bcce-acme/bedrock-api-calls", ["/bcce/bcce-acme/audit"])]

    converge_and_destroy(emulator, run)


def test_platform_in_two_regions_applies_side_by_side(emulator, provider_mirror, tmp_path):
    config = emulator_config(components=["security", "network", "analytics", "monitoring"], organization_id="acme",
                             regions=["us-east-1", "eu-west-1"], monitoring={"alarm_email": "ops@example.com"})
    runs = [render_for_emulator(config, tmp_path, emulator.url, provider_mirror, region=region) for region in config.regions]
    for run in runs:
        assert run.rendered.components == ("security", "network", "analytics", "monitoring")
        tfvars = json.loads((run.directory / "bcce.auto.tfvars.json").read_text())
        assert tfvars["region"] == run.rendered.target.region
    assert runs[0].directory != runs[1].directory

    # One account, two regions applied at the same time: global names (IAM roles, budget,
    # dashboards) must not collide. The runs wait on the emulator mostly, so they overlap well.
    both(lambda run: (run.init(), run.apply()), runs)
    first, second = (run.outputs() for run in runs)
    assert first["budget_name"] == "bcce-acme-monthly" and second.get("budget_name") is None  # null outputs are not listed
    assert len(emulator.client("budgets").describe_budgets(AccountId=ACCOUNT)["Budgets"]) == 1
    assert first["lake_bucket"].endswith("-us-east-1-lake") and second["lake_bucket"].endswith("-eu-west-1-lake")
    assert first["monitoring_dashboard"] != second["monitoring_dashboard"]
    eu_endpoints = emulator.client("ec2", "eu-west-1").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [second["vpc_id"]]}])["VpcEndpoints"]
    assert "com.amazonaws.eu-west-1.bedrock-runtime" in {e["ServiceName"] for e in eu_endpoints}
    body = json.loads(emulator.client("cloudwatch", "eu-west-1").get_dashboard(DashboardName=second["monitoring_dashboard"])["DashboardBody"])
    assert any(w["type"] == "log" and "/bcce/claude-code/acme" in w["properties"]["query"] for w in body["widgets"])
    definitions = emulator.client("logs", "eu-west-1").describe_query_definitions(queryDefinitionNamePrefix="bcce/")["queryDefinitions"]
    assert len(definitions) == 4

    converge_and_destroy(emulator, *runs)
