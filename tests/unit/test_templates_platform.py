"""Security, network, analytics and monitoring templates, rendered for both provider generations.

Every rendered .tf must parse (python-hcl2), and the properties the platform promises are checked on
the parsed HCL: encryption, log file validation, lifecycle tiers, endpoint set, no internet route.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bcce_tf.components import component_module
from bcce_tf.components.network import INTERFACE_ENDPOINT_SERVICES
from bcce_tf.config import Config
from bcce_tf.render import TFVARS_FILENAME, RenderOptions, StackTarget, render_files
from tests.support.hcl import parse

PLATFORM = ("security", "network", "analytics", "monitoring")
GENERATIONS = (3, 5)
COMBINATIONS = (("security",), ("security", "network"), ("security", "analytics"), ("security", "monitoring"), PLATFORM)


def render(generation: int, components: tuple[str, ...] = PLATFORM, **overrides: Any) -> dict[str, str]:
    data: dict[str, Any] = {"provider": {"generation": generation}, "components": list(components)}
    data.update(overrides)
    config = Config.model_validate(data)
    files, _, _ = render_files(config, StackTarget(config.stack_name, "us-east-1"), RenderOptions(components=components))
    return files


def resources(doc: dict[str, Any], kind: str, section: str = "resource") -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for block in doc.get(section, []):
        for k, named in block.items():
            if k == kind:
                found.update(named)
    return found


def modules(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: body for block in doc.get("module", []) for name, body in block.items()}


def named_blocks(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for block in doc.get(kind, []) for name, body in block.items()}


def one(block: Any) -> dict[str, Any]:
    return block[0] if isinstance(block, list) else block


@pytest.mark.parametrize("generation", GENERATIONS)
@pytest.mark.parametrize("components", COMBINATIONS, ids=lambda c: "+".join(c))
@pytest.mark.parametrize("privatelink", [True, False])
def test_every_rendered_file_parses(generation, components, privatelink):
    files = render(generation, components, privatelink=privatelink)
    tf_files = [name for name in files if name.endswith(".tf")]
    assert tf_files
    for name in tf_files:
        parse(files[name])  # raises on a syntax error


@pytest.mark.parametrize("generation", GENERATIONS)
def test_trail_validates_log_files_and_is_encrypted(generation):
    doc = parse(render(generation)["modules/security/main.tf"])
    trail = resources(doc, "aws_cloudtrail")["audit"]
    assert trail["enable_log_file_validation"] is True
    assert trail["kms_key_id"] == "${aws_kms_key.stack.arn}"
    assert trail["is_multi_region_trail"] == "${var.cloudtrail_multi_region}"
    assert trail["s3_bucket_name"] == "${module.audit_bucket.id}"
    key = resources(doc, "aws_kms_key")["stack"]
    assert key["enable_key_rotation"] is True


@pytest.mark.parametrize("generation", GENERATIONS)
def test_key_policy_names_each_service_with_conditions(generation):
    doc = parse(render(generation)["modules/security/main.tf"])
    statements = {s["sid"]: s for s in resources(doc, "aws_iam_policy_document", "data")["key"]["statement"]}
    trail = statements["CloudTrailEncryptsThisTrail"]
    variables = {c["variable"] for c in trail["condition"]}
    assert variables == {"aws:SourceArn", "kms:EncryptionContext:aws:cloudtrail:arn"}
    assert one(statements["AlarmsPublishToEncryptedTopics"]["principals"])["identifiers"] == ["cloudwatch.amazonaws.com"]
    budgets = statements["BudgetsPublishToEncryptedTopics"]
    assert one(budgets["principals"])["identifiers"] == ["budgets.amazonaws.com"]
    assert {c["variable"] for c in budgets["condition"]} == {"aws:SourceAccount", "aws:SourceArn"}
    via = [c for c in statements["AccountPrincipalsThroughStackServices"]["condition"] if c["variable"] == "kms:ViaService"]
    assert {v.split(".")[0] for v in via[0]["values"]} == {"s3", "firehose", "sns"}
    logs = statements["CloudWatchLogsInThisAccount"]
    assert one(logs["principals"])["identifiers"] == ["logs.${var.region}.amazonaws.com"]
    assert [(c["test"], c["variable"], c["values"]) for c in logs["condition"]] == [
        ("ArnLike", "kms:EncryptionContext:aws:logs:arn", ["arn:${var.partition}:logs:${var.region}:${var.account_id}:*"])]
    assert "kms:GenerateDataKey*" in logs["actions"] and "kms:Decrypt*" in logs["actions"]


def test_key_policy_lets_bedrock_write_invocation_logs_only_where_invocation_logging_is_rendered():
    def statements(generation, components=PLATFORM):
        doc = parse(render(generation, components)["modules/security/main.tf"])
        return {s["sid"]: s for s in resources(doc, "aws_iam_policy_document", "data")["key"]["statement"]}

    bedrock = statements(5)["BedrockInvocationLogsToLake"]
    assert one(bedrock["principals"])["identifiers"] == ["bedrock.amazonaws.com"]
    assert bedrock["actions"] == ["kms:GenerateDataKey"]
    assert {(c["test"], c["variable"]): c["values"] for c in bedrock["condition"]} == {
        ("StringEquals", "aws:SourceAccount"): ["${var.account_id}"],
        ("ArnLike", "aws:SourceArn"): ["arn:${var.partition}:bedrock:${var.region}:${var.account_id}:*"],
    }
    assert "BedrockInvocationLogsToLake" not in statements(3)
    assert "BedrockInvocationLogsToLake" not in statements(5, ("security", "monitoring"))


def test_invocation_logging_metadata_only_by_default_through_a_role_scoped_to_its_two_destinations():
    files = render(5)
    doc = parse(files["modules/analytics/main.tf"])
    [logging] = resources(doc, "aws_bedrock_model_invocation_logging_configuration").values()
    config = one(logging["logging_config"])
    for flag in ("text_data_delivery_enabled", "image_data_delivery_enabled", "embedding_data_delivery_enabled", "video_data_delivery_enabled"):
        assert config[flag] == "${var.log_prompts}", flag
    cloudwatch = one(config["cloudwatch_config"])
    assert cloudwatch == {
        "log_group_name": "${aws_cloudwatch_log_group.invocations.name}",
        "role_arn": "${aws_iam_role.invocation_logging.arn}",
        "large_data_delivery_s3_config": [{"bucket_name": "${module.lake_bucket.id}", "key_prefix": "${local.invocation_large_data_prefix}"}],
    }
    assert one(config["s3_config"]) == {"bucket_name": "${module.lake_bucket.id}", "key_prefix": "${local.invocation_logs_prefix}"}
    locals_ = named_blocks(doc, "locals")
    # Large bodies stay outside the invocation_logs table's location.
    assert not locals_["invocation_large_data_prefix"].startswith(locals_["invocation_logs_prefix"])
    assert resources(doc, "aws_cloudwatch_log_group")["invocations"]["kms_key_id"] == "${var.kms_key_arn}"

    policies = resources(doc, "aws_iam_policy_document", "data")
    role = {s["sid"]: s for s in policies["invocation_logging"]["statement"]}
    assert set(role) == {"InvocationLogStream", "LargeDataPrefix", "StackKeyThroughS3"}
    assert (role["InvocationLogStream"]["actions"], role["InvocationLogStream"]["resources"]) == (
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        ["arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:${aws_cloudwatch_log_group.invocations.name}:log-stream:aws/bedrock/modelinvocations"])
    assert (role["LargeDataPrefix"]["actions"], role["LargeDataPrefix"]["resources"]) == (
        ["s3:PutObject"], ["${module.lake_bucket.arn}/${local.invocation_large_data_prefix}/*"])
    assert {c["variable"] for c in role["StackKeyThroughS3"]["condition"]} == {"kms:ViaService", "kms:EncryptionContext:aws:s3:arn"}
    trust = one(policies["invocation_logging_assume"]["statement"])
    assert one(trust["principals"])["identifiers"] == ["bedrock.amazonaws.com"]
    assert {c["variable"] for c in trust["condition"]} == {"aws:SourceAccount", "aws:SourceArn"}

    lake = one(policies["lake_invocation_logs"]["statement"])
    assert (lake["actions"], one(lake["principals"])["identifiers"]) == (["s3:PutObject"], ["bedrock.amazonaws.com"])
    assert lake["resources"] == ["arn:${var.partition}:s3:::${local.lake_bucket_name}/${local.invocation_logs_prefix}/AWSLogs/${var.account_id}/BedrockModelInvocationLogs/*"]
    assert modules(doc)["lake_bucket"]["policy_documents"] == ["${data.aws_iam_policy_document.lake_invocation_logs.json}"]

    assert __import__("json").loads(files[TFVARS_FILENAME])["analytics_log_prompts"] is False
    assert __import__("json").loads(render(5, analytics={"log_prompts": True})[TFVARS_FILENAME])["analytics_log_prompts"] is True
    three = parse(render(3)["modules/analytics/main.tf"])
    assert "aws_bedrock_model_invocation_logging_configuration" not in {k for block in three["resource"] for k in block}
    assert "policy_documents" not in modules(three)["lake_bucket"]


@pytest.mark.parametrize("generation", GENERATIONS)
def test_audit_bucket_policy_lets_only_this_trail_write(generation):
    doc = parse(render(generation)["modules/security/main.tf"])
    policy = resources(doc, "aws_iam_policy_document", "data")["trail_delivery"]
    for statement in policy["statement"]:
        assert one(statement["principals"])["identifiers"] == ["cloudtrail.amazonaws.com"]
        assert any(c["variable"] == "aws:SourceArn" and c["values"] == ["${local.trail_arn}"] for c in statement["condition"])
    assert modules(doc)["audit_bucket"]["policy_documents"] == ["${data.aws_iam_policy_document.trail_delivery.json}"]


@pytest.mark.parametrize("generation", GENERATIONS)
def test_lake_bucket_tiers_and_encryption(generation):
    doc = parse(render(generation)["modules/analytics/main.tf"])
    lake = modules(doc)["lake_bucket"]
    assert [(t["days"], t["storage_class"]) for t in lake["transitions"]] == [(30, "STANDARD_IA"), (90, "GLACIER"), (365, "DEEP_ARCHIVE")]
    assert lake["kms_key_arn"] == "${var.kms_key_arn}"
    assert lake["access_log_bucket"] == "${var.access_log_bucket}"
    assert lake["name"] == "${local.lake_bucket_name}"
    assert named_blocks(doc, "locals")["lake_bucket_name"] == "${var.bucket_prefix}-lake"
    assert modules(doc)["athena_bucket"]["name"].endswith("-athena")


@pytest.mark.parametrize("generation", GENERATIONS)
def test_athena_workgroup_enforces_encrypted_results_and_a_scan_limit(generation):
    doc = parse(render(generation)["modules/analytics/main.tf"])
    config = one(resources(doc, "aws_athena_workgroup")["this"]["configuration"])
    assert config["enforce_workgroup_configuration"] is True
    assert config["bytes_scanned_cutoff_per_query"] == "${var.bytes_scanned_cutoff_per_query}"
    encryption = one(one(config["result_configuration"])["encryption_configuration"])
    assert encryption == {"encryption_option": "SSE_KMS", "kms_key_arn": "${var.kms_key_arn}"}
    saved = resources(doc, "aws_athena_named_query")["this"]
    assert saved["for_each"] == "${local.named_queries}"
    assert (saved["query"], saved["workgroup"]) == ("${each.value.query}", "${aws_athena_workgroup.this.id}")
    tables = named_blocks(doc, "locals")["table_names"]
    assert tables == {
        "@invocation_logs@": '\\"${aws_glue_catalog_database.this.name}\\".\\"${aws_glue_catalog_table.invocation_logs.name}\\"',
        "@claude_code_events@": '\\"${aws_glue_catalog_database.this.name}\\".\\"${aws_glue_catalog_table.claude_code_events.name}\\"',
    }
    queries = __import__("json").loads(render(generation)[TFVARS_FILENAME])["analytics_named_queries"]
    assert set(queries) == {
        "tokens-cost-by-model", "tokens-cost-by-principal", "tokens-cost-per-day", "cache-hit-rate", "error-rate-and-throttles",
        "claude-code-cost-by-user", "claude-code-cost-by-team", "claude-code-cost-by-model-per-day",
        "claude-code-active-users-per-day", "claude-code-api-errors", "claude-code-top-sessions",
    }
    for name, query in queries.items():
        markers = {m for m in tables if m in query["query"]}
        assert len(markers) == 1, name
        assert ("@invocation_logs@" in markers) != name.startswith("claude-code-"), name


def projection(table: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in table["parameters"].items() if k.startswith("projection.") or k == "storage.location.template"}


@pytest.mark.parametrize("generation", GENERATIONS)
def test_claude_code_events_table_reads_the_exporters_json_partitioned_by_day(generation):
    doc = parse(render(generation)["modules/analytics/main.tf"])
    table = resources(doc, "aws_glue_catalog_table")["claude_code_events"]
    assert [p["name"] for p in table["partition_keys"]] == ["dt"]
    assert projection(table) == {
        "projection.enabled": "true", "projection.dt.type": "date", "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.range": "2024-01-01,NOW", "projection.dt.interval": "1", "projection.dt.interval.unit": "DAYS",
        "storage.location.template": "s3://${module.lake_bucket.id}/${local.events_prefix}dt=$${dt}/",
    }
    assert named_blocks(doc, "locals")["events_prefix"] == "claude-code-events/"
    storage = one(table["storage_descriptor"])
    assert one(storage["ser_de_info"])["serialization_library"] == "org.openx.data.jsonserde.JsonSerDe"
    assert storage["input_format"] == "org.apache.hadoop.mapred.TextInputFormat"
    columns = {c["name"]: c["type"] for c in storage["columns"]}
    assert columns == {
        "body": "string", "severity_number": "int", "severity_text": "string",
        "attributes": "map<string,string>", "resource": "map<string,string>", "scope": "struct<name:string,version:string>",
    }


@pytest.mark.parametrize("generation", GENERATIONS)
def test_invocation_logs_table_has_the_model_invocation_log_fields_partitioned_by_the_s3_day(generation):
    doc = parse(render(generation)["modules/analytics/main.tf"])
    table = resources(doc, "aws_glue_catalog_table")["invocation_logs"]
    assert [p["name"] for p in table["partition_keys"]] == ["dt"]
    assert projection(table)["projection.dt.format"] == "yyyy/MM/dd"
    assert projection(table)["storage.location.template"] == "s3://${module.lake_bucket.id}/${local.invocation_logs_location}$${dt}/"
    assert named_blocks(doc, "locals")["invocation_logs_location"] == (
        "${local.invocation_logs_prefix}/AWSLogs/${var.account_id}/BedrockModelInvocationLogs/${var.region}/")
    storage = one(table["storage_descriptor"])
    assert one(storage["ser_de_info"])["serialization_library"] == "org.openx.data.jsonserde.JsonSerDe"
    columns = {c["name"]: c["type"] for c in storage["columns"]}
    assert columns == {
        "schematype": "string", "schemaversion": "string", "timestamp": "string", "accountid": "string",
        "identity": "struct<arn:string>", "region": "string", "requestid": "string", "operation": "string",
        "modelid": "string", "errorcode": "string",
        "input": "struct<inputcontenttype:string,inputtokencount:bigint,cachereadinputtokencount:bigint,cachewriteinputtokencount:bigint>",
        "output": "struct<outputcontenttype:string,outputtokencount:bigint>",
    }


def test_firehose_unwraps_log_records_into_json_lines_only_where_the_provider_can():
    doc5 = parse(render(5)["modules/analytics/main.tf"])
    five = one(resources(doc5, "aws_kinesis_firehose_delivery_stream")["usage_events"]["extended_s3_configuration"])
    assert [p["type"] for p in one(five["processing_configuration"])["processors"]] == ["Decompression", "CloudWatchLogProcessing", "AppendDelimiterToRecord"]
    assert "data_format_conversion_configuration" not in five
    assert (five["compression_format"], five["buffering_size"]) == ("GZIP", 64)
    assert named_blocks(doc5, "locals")["delivery_prefix"].startswith("${local.events_prefix}dt=")
    doc3 = parse(render(3)["modules/analytics/main.tf"])
    three = one(resources(doc3, "aws_kinesis_firehose_delivery_stream")["usage_events"]["extended_s3_configuration"])
    assert "data_format_conversion_configuration" not in three and "processing_configuration" not in three
    assert (three["compression_format"], three["buffer_size"]) == ("UNCOMPRESSED", 64)
    # Still gzip CloudWatch Logs envelopes: kept out of the events table's location.
    assert named_blocks(doc3, "locals")["delivery_prefix"].startswith("raw/")
    for stream in (five, three):
        assert stream["kms_key_arn"] == "${var.kms_key_arn}"
        assert stream["error_output_prefix"] == "${local.error_prefix}"
        assert stream["prefix"] == "${local.delivery_prefix}"


@pytest.mark.parametrize("generation", GENERATIONS)
def test_network_has_no_internet_route_and_https_only_from_the_vpc(generation):
    text = render(generation)["modules/network/main.tf"]
    doc = parse(text)
    kinds = {kind for block in doc["resource"] for kind in block}
    assert not kinds & {"aws_internet_gateway", "aws_nat_gateway", "aws_egress_only_internet_gateway", "aws_route"}
    group = resources(doc, "aws_security_group")["endpoints"]
    assert [(r["from_port"], r["to_port"], r["protocol"], r["cidr_blocks"]) for r in group["ingress"]] == [(443, 443, "tcp", ["${var.vpc_cidr}"])]
    assert "egress" not in group
    default_group = resources(doc, "aws_default_security_group")["this"]
    assert "ingress" not in default_group and "egress" not in default_group
    endpoint = resources(doc, "aws_vpc_endpoint")["interface"]
    assert endpoint["private_dns_enabled"] is True
    assert set(re.findall(r'"([a-z-]+)"', endpoint["for_each"])) == set(INTERFACE_ENDPOINT_SERVICES)
    assert resources(doc, "aws_vpc_endpoint")["s3"]["vpc_endpoint_type"] == "Gateway"
    flow = resources(doc, "aws_flow_log")["vpc"]
    assert flow["log_destination"] == "${aws_cloudwatch_log_group.flow_logs.arn}"
    assert resources(doc, "aws_cloudwatch_log_group")["flow_logs"]["kms_key_id"] == "${var.kms_key_arn}"


def test_without_privatelink_there_are_no_interface_endpoints_but_the_outputs_remain():
    files = render(5, privatelink=False)
    doc = parse(files["modules/network/main.tf"])
    assert set(resources(doc, "aws_vpc_endpoint")) == {"s3"}
    assert "aws_security_group" not in {kind for block in doc["resource"] for kind in block}
    outputs = named_blocks(parse(files["modules/network/outputs.tf"]), "output")
    assert outputs["bedrock_runtime_endpoint_id"]["value"] is None


def test_network_outputs_other_components_rely_on():
    outputs = named_blocks(parse(render(5)["modules/network/outputs.tf"]), "output")
    assert {"vpc_id", "vpc_cidr", "private_subnet_ids", "bedrock_runtime_endpoint_id", "bedrock_endpoint_id",
            "sts_endpoint_id", "logs_endpoint_id", "monitoring_endpoint_id"} <= set(outputs)
    assert outputs["bedrock_runtime_endpoint_id"]["value"] == '${aws_vpc_endpoint.interface["bedrock-runtime"].id}'


@pytest.mark.parametrize("generation", GENERATIONS)
def test_alert_topic_is_encrypted_and_only_alarms_and_budgets_may_publish(generation):
    doc = parse(render(generation)["modules/monitoring/main.tf"])
    assert resources(doc, "aws_sns_topic")["alerts"]["kms_master_key_id"] == "${var.kms_key_arn}"
    statements = {s["sid"]: s for s in resources(doc, "aws_iam_policy_document", "data")["alerts"]["statement"]}
    assert one(statements["CloudWatchAlarmsPublish"]["principals"])["identifiers"] == ["cloudwatch.amazonaws.com"]
    assert one(statements["BudgetsPublish"]["principals"])["identifiers"] == ["budgets.amazonaws.com"]
    assert resources(doc, "aws_sns_topic_subscription")["email"]["count"] == "${var.alarm_email == null ? 0 : 1}"


@pytest.mark.parametrize("generation", GENERATIONS)
def test_alarms_budget_and_saved_queries(generation):
    doc = parse(render(generation)["modules/monitoring/main.tf"])
    alarms = resources(doc, "aws_cloudwatch_metric_alarm")
    assert (alarms["deployment_failures"]["namespace"], alarms["deployment_failures"]["metric_name"]) == ("BCCE/Deployments", "DeploymentFailures")
    assert (alarms["circuit_breaker_open"]["namespace"], alarms["circuit_breaker_open"]["metric_name"]) == ("BCCE/Resilience", "CircuitBreakerOpen")
    assert (alarms["bedrock_throttles"]["namespace"], alarms["bedrock_throttles"]["metric_name"]) == ("AWS/Bedrock", "InvocationThrottles")
    assert {one(q["metric"])["namespace"] for q in alarms["error_rate"]["metric_query"] if "metric" in q} == {"BCCE/ClaudeCode"}
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == "${local.alarm_actions}"
    budget = resources(doc, "aws_budgets_budget")["monthly"]
    assert (budget["budget_type"], budget["limit_unit"], budget["time_unit"]) == ("COST", "USD", "MONTHLY")
    notices = one(budget["dynamic"])["notification"]["for_each"]
    assert {(n["type"], n["threshold"]) for n in notices.values()} == {("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 80), ("FORECASTED", 100)}
    assert set(resources(doc, "aws_cloudwatch_query_definition")) == {"bedrock_api_calls", "tokens_by_user", "errors", "slowest_requests"}
    without_analytics = parse(render(generation, ("security", "monitoring"))["modules/monitoring/main.tf"])
    assert set(resources(without_analytics, "aws_cloudwatch_query_definition")) == {"bedrock_api_calls"}
    assert "aws_cloudwatch_log_metric_filter" not in {k for block in without_analytics["resource"] for k in block}


def _exporter_record(event: str) -> dict[str, Any]:
    """A Claude Code log event as the collector's awscloudwatchlogs exporter writes it (the shape
    tests/integration/test_usage_queries.py sends through the pipeline)."""
    return {"body": f"claude_code.{event}", "severity_number": 9, "severity_text": "INFO",
            "attributes": {"event.name": event, "user.email": "alice@example.com", "session.id": "s-1"},
            "resource": {"service.name": "claude-code", "team.id": "platform"}}


def _matches(pattern: str, record: dict[str, Any]) -> bool:
    """CloudWatch Logs' JSON filter pattern `{ $.field = "value" }`, the one form the metric filters use."""
    pattern = pattern.replace('\\"', '"')  # the HCL string's escapes, as Terraform reads them
    match = re.fullmatch(r'\{ \$\.(\w+) = "([^"*]+)" \}', pattern)
    assert match, f"not the simple JSON equality form: {pattern}"
    return record.get(match.group(1)) == match.group(2)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_the_claude_code_metric_filters_count_the_events_claude_code_sends(generation):
    filters = resources(parse(render(generation)["modules/monitoring/main.tf"]), "aws_cloudwatch_log_metric_filter")
    events = ("user_prompt", "api_request", "api_error", "tool_result", "tool_decision")
    counted = {name: [e for e in events if _matches(spec["pattern"], _exporter_record(e))] for name, spec in filters.items()}
    assert counted == {"requests": ["api_request"], "errors": ["api_error"]}
    assert {one(spec["metric_transformation"])["name"] for spec in filters.values()} == {"Requests", "Errors"}


@pytest.mark.parametrize("generation", GENERATIONS)
def test_root_variables_are_typed_validated_and_documented(generation):
    files = render(generation)
    variables = named_blocks(parse(files["variables.tf"]), "variable")
    tfvars = __import__("json").loads(files[TFVARS_FILENAME])
    config = Config.model_validate({"provider": {"generation": generation}})
    for component in PLATFORM:
        prefix = component + "_"
        declared = {name for name in variables if name.startswith(prefix)}
        produced = set(component_module(component).tfvars(config, "us-east-1"))
        assert declared == produced, component
        for name in declared:
            variable = variables[name]
            assert variable.get("description") and variable.get("type"), name
            assert variable.get("validation"), f"{name} has no validation block"
            assert name in tfvars
    outputs = named_blocks(parse(files["outputs.tf"]), "output")
    assert all(body.get("description") for body in outputs.values())
    for component in PLATFORM:
        module_outputs = named_blocks(parse(files[f"modules/{component}/outputs.tf"]), "output")
        assert all(body.get("description") for body in module_outputs.values()), component


def test_user_values_reach_terraform_only_through_tfvars():
    files = render(5, organization_id="zq-unusual-org", monitoring={"alarm_email": "alerts@zq-example.com", "monthly_budget_usd": 4321.5},
                   network={"vpc_cidr": "10.99.0.0/20"}, analytics={"athena_bytes_scanned_cutoff_gb": 37})
    for name, text in files.items():
        if name.endswith(".tf"):
            for value in ("zq-unusual-org", "zq-example.com", "4321", "10.99.0.0", "37"):
                assert value not in text, (name, value)
    tfvars = __import__("json").loads(files[TFVARS_FILENAME])
    assert tfvars["monitoring_alarm_email"] == "alerts@zq-example.com"
    assert tfvars["network_vpc_cidr"] == "10.99.0.0/20"
    assert tfvars["analytics_bytes_scanned_cutoff_gb"] == 37


def test_only_the_first_region_owns_the_account_budget():
    config = Config.model_validate({"regions": ["eu-west-1", "us-east-1"]})
    monitoring = component_module("monitoring")
    assert monitoring.tfvars(config, "eu-west-1")["monitoring_create_budget"] is True
    assert monitoring.tfvars(config, "us-east-1")["monitoring_create_budget"] is False


@pytest.mark.parametrize("generation", GENERATIONS)
def test_global_iam_and_dashboard_names_carry_the_region(generation):
    files = render(generation)
    for component in PLATFORM:
        doc = parse(files[f"modules/{component}/main.tf"])
        for name, role in resources(doc, "aws_iam_role").items():
            assert "${var.region}" in role["name"], (component, name)
        module = component_module(component)
        since = getattr(module, "IAM_ROLE_MIN_GENERATION", {})
        expected = {n.format(prefix="${var.name_prefix}", region="${var.region}") for n in module.IAM_ROLE_NAMES
                    if generation >= since.get(n, 0)}
        assert {role["name"] for role in resources(doc, "aws_iam_role").values()} == expected, component
    dashboard = resources(parse(files["modules/monitoring/main.tf"]), "aws_cloudwatch_dashboard")["this"]
    assert "${var.region}" in dashboard["dashboard_name"]
