"""The collector pipeline template and the telemetry component's inputs (no I/O beyond reading templates)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bcce_tf.components import telemetry
from bcce_tf.config import Config
from bcce_tf.errors import ConfigFieldError
from bcce_tf.config import parse_config
from bcce_tf.render import RenderOptions, StackTarget, render_files, templates_dir
from tests.support.hcl import parse

# Component names the ADOT collector ships, from its README's "ADOT Collector Built-in Components"
# tables (github.com/aws-observability/aws-otel-collector, README.md) and the upstream component
# READMEs it links: only the ones this pipeline may use are listed.
ADOT_COMPONENTS: dict[str, frozenset[str]] = {
    "receivers": frozenset({"otlp", "awsxray", "prometheus", "statsd", "awsecscontainermetrics"}),
    "processors": frozenset({"batch", "memory_limiter", "attributes", "resource", "resourcedetection",
                             "filter", "metricstransform", "cumulativetodelta"}),
    "exporters": frozenset({"awsemf", "awscloudwatchlogs", "awsxray", "otlp", "otlphttp", "debug", "prometheusremotewrite"}),
    "extensions": frozenset({"health_check", "pprof", "zpages", "sigv4auth", "ecs_observer"}),
}
# The documented keys of the two AWS exporters this pipeline configures (opentelemetry-collector-contrib
# exporter/awsemfexporter/README.md and exporter/awscloudwatchlogsexporter/README.md).
AWSEMF_KEYS = frozenset({"log_group_name", "log_stream_name", "namespace", "endpoint", "region", "role_arn",
                         "dimension_rollup_option", "metric_declarations", "metric_descriptors", "parse_json_encoded_attr_values",
                         "output_destination", "resource_to_telemetry_conversion", "detailed_metrics", "version",
                         "retain_initial_value_of_delta_metric", "no_verify_ssl", "proxy_address", "max_retries", "local_mode"})
AWSCLOUDWATCHLOGS_KEYS = frozenset({"log_group_name", "log_stream_name", "region", "endpoint", "log_retention", "tags",
                                    "raw_log", "role_arn", "no_verify_ssl", "proxy_address", "sending_queue", "retry_on_failure"})
TEMPLATE = templates_dir() / "modules" / "telemetry" / "collector.yaml.tftpl"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"


def component_type(name: str) -> str:
    """`attributes/dimensions` -> `attributes`: a collector component id is type[/name]."""
    return name.split("/", 1)[0]


def assert_pipeline_is_defined(config: dict[str, Any]) -> None:
    """Every component a pipeline names is defined, and every defined one is an ADOT component type."""
    service = config["service"]
    for kind in ("receivers", "processors", "exporters", "extensions"):
        for name in config.get(kind) or {}:
            assert component_type(name) in ADOT_COMPONENTS[kind], f"{kind}: '{name}' is not an ADOT collector component"
    for name in service.get("extensions", []):
        assert name in config["extensions"], f"extension '{name}' is used but not defined"
    assert set(service["pipelines"]) == {"metrics", "logs"}
    for pipeline_name, pipeline in service["pipelines"].items():
        assert component_type(pipeline_name) in ("metrics", "logs", "traces")
        for kind in ("receivers", "processors", "exporters"):
            for name in pipeline.get(kind, []):
                assert name in (config.get(kind) or {}), f"pipeline {pipeline_name}: {kind[:-1]} '{name}' is not defined"


def render_template(values: dict[str, Any]) -> str:
    """What Terraform's templatefile() makes of the template: it uses only ${jsonencode(name)} and ${name}."""
    text = TEMPLATE.read_text()

    def value(match: re.Match[str]) -> str:
        inner = match.group(1)
        if (call := re.fullmatch(r"jsonencode\((\w+)\)", inner)) is not None:
            return json.dumps(values[call.group(1)])
        return str(values[inner])

    rendered = re.sub(r"\$\{([^}]+)\}", value, text)
    assert "${" not in rendered and "%{" not in rendered
    return rendered


VALUES = {"region": "us-east-1", "namespace": "ClaudeCode", "metrics_log_group": "/bcce/bcce-acme/claude-code-metrics",
          "events_log_group": "/bcce/claude-code/acme", "events_log_stream": "otlp-events", "otlp_port": 4318, "health_port": 13133}


def test_collector_pipeline_parses_and_names_only_defined_adot_components():
    config = yaml.safe_load(render_template(VALUES))
    assert_pipeline_is_defined(config)
    assert config["receivers"]["otlp"]["protocols"] == {"http": {"endpoint": "0.0.0.0:4318"}}
    metrics, logs = config["service"]["pipelines"]["metrics"], config["service"]["pipelines"]["logs"]
    assert (metrics["exporters"], logs["exporters"]) == (["awsemf"], ["awscloudwatchlogs"])
    assert metrics["processors"][-1] == "batch" and logs["processors"][-1] == "batch"


def test_emf_exporter_writes_the_claude_code_namespace_with_the_four_dimensions():
    config = yaml.safe_load(render_template(VALUES))
    emf = config["exporters"]["awsemf"]
    assert set(emf) <= AWSEMF_KEYS
    assert (emf["namespace"], emf["log_group_name"]) == ("ClaudeCode", "/bcce/bcce-acme/claude-code-metrics")
    assert emf["dimension_rollup_option"] == "NoDimensionRollup"
    [declaration] = emf["metric_declarations"]
    assert declaration["dimensions"][0] == ["organization", "team", "user", "model"]
    assert all(re.match(s, "claude_code.token.usage") for s in declaration["metric_name_selectors"])
    assert not any(re.match(s, "otelcol_exporter_sent") for s in declaration["metric_name_selectors"])
    # The short dimension names come from the attributes Claude Code sends.
    inserted = {a["key"]: a["from_attribute"] for a in config["processors"]["attributes/dimensions"]["actions"]}
    assert inserted == {"organization": "organization.id", "user": "user.email"}
    assert config["processors"]["resource/team"]["attributes"][0]["from_attribute"] == "team.id"
    logs = config["exporters"]["awscloudwatchlogs"]
    assert set(logs) <= AWSCLOUDWATCHLOGS_KEYS
    assert (logs["log_group_name"], logs["log_stream_name"]) == ("/bcce/claude-code/acme", "otlp-events")


def test_template_values_stay_quoted_yaml_scalars():
    hostile = {**VALUES, "events_log_group": "/x\n  injected: true # '\"", "region": "us-east-1: {a: b}"}
    config = yaml.safe_load(render_template(hostile))
    assert config["exporters"]["awscloudwatchlogs"]["log_group_name"] == hostile["events_log_group"]
    assert config["exporters"]["awsemf"]["region"] == hostile["region"]
    assert "injected" not in config["exporters"]["awscloudwatchlogs"]


def test_templatefile_call_passes_exactly_the_template_variables():
    files, _, _ = render_files(telemetry_config(5), StackTarget("bcce", "us-east-1"), RenderOptions())
    main = files["modules/telemetry/main.tf"]
    call = re.search(r"templatefile\(\"\$\{path\.module\}/collector\.yaml\.tftpl\", \{(.*?)\n  \}\)", main, re.S).group(1)
    passed = set(re.findall(r"^\s+(\w+)\s+=", call, re.M))
    used = {m.group(1).removeprefix("jsonencode(").removesuffix(")") for m in re.finditer(r"\$\{([^}]+)\}", TEMPLATE.read_text())}
    assert passed == used == set(VALUES)


def telemetry_config(generation: int, **telemetry_fields: Any) -> Config:
    fields = telemetry_fields or {"allow_http": True}
    return Config.model_validate({"provider": {"generation": generation}, "organization_id": "acme",
                                  "telemetry": {"enabled": True, **fields}})


@pytest.mark.parametrize("fields,problem", [
    ({"enabled": True}, "telemetry.certificate_arn"),
    ({"enabled": True, "allow_http": True, "certificate_arn": CERT}, "exclude each other"),
    ({"enabled": True, "certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"}, "does not match"),
    ({"enabled": True, "allow_http": True, "desired_count": 0}, "greater than or equal to 1"),
])
def test_bad_telemetry_settings_name_the_field(fields, problem):
    with pytest.raises(ConfigFieldError) as caught:
        parse_config({"telemetry": fields}, Path("bcce.json"))
    assert "telemetry" in str(caught.value) and problem in str(caught.value)


def test_telemetry_needs_analytics_and_an_explicit_switch():
    with pytest.raises(ConfigFieldError, match="analytics_model is 'none'"):
        parse_config({"telemetry": {"enabled": True, "allow_http": True}, "analytics_model": "none"}, Path("bcce.json"))
    with pytest.raises(ConfigFieldError, match="telemetry.enabled is false"):
        parse_config({"components": ["telemetry"]}, Path("bcce.json"))
    assert "telemetry" not in Config().enabled_components()
    assert Config.model_validate({"components": ["telemetry"], "telemetry": {"enabled": True, "certificate_arn": CERT},
                                  "privatelink": False}).enabled_components() == ("security", "network", "analytics", "telemetry")


@pytest.mark.parametrize("generation", [3, 5])
@pytest.mark.parametrize("fields,protocol", [({"allow_http": True}, "HTTP"), ({"certificate_arn": CERT}, "HTTPS")])
def test_rendered_component_takes_user_values_from_tfvars_only(generation, fields, protocol):
    config = telemetry_config(generation, **fields)
    files, components, warnings = render_files(config, StackTarget("bcce", "us-east-1"), RenderOptions())
    assert "telemetry" in components
    assert (telemetry.PUBLIC_IMAGE_WARNING in warnings) == (generation == 3)
    tfvars = json.loads(files["bcce.auto.tfvars.json"])
    assert tfvars["telemetry_allow_http"] is fields.get("allow_http", False)
    assert tfvars["telemetry_certificate_arn"] == fields.get("certificate_arn")
    assert tfvars["telemetry_collector_version"] == telemetry.COLLECTOR_VERSION
    assert not any(CERT in text for name, text in files.items() if name.endswith(".tf"))
    module = parse(files["modules/telemetry/main.tf"])
    resources = {(kind, name): body for block in module["resource"] for kind, named in block.items() for name, body in named.items()}
    assert resources[("aws_lb", "this")]["internal"] is True
    listener = resources[("aws_lb_listener", "otlp")]
    assert listener["protocol"] == '${var.allow_http ? "HTTP" : "HTTPS"}' and listener["port"] == "${local.otlp_port}"
    assert (("aws_ecr_pull_through_cache_rule", "ecr_public") in resources) == (generation >= 5)
    for group in ("collector", "metrics"):
        assert resources[("aws_cloudwatch_log_group", group)]["kms_key_id"] == "${var.kms_key_arn}"
        assert resources[("aws_cloudwatch_log_group", group)]["retention_in_days"] == "${var.log_retention_days}"
    assert "telemetry_otlp_endpoint" in files["outputs.tf"]


def test_task_role_writes_only_the_two_claude_code_log_groups():
    files, _, _ = render_files(telemetry_config(5), StackTarget("bcce", "us-east-1"), RenderOptions())
    module = parse(files["modules/telemetry/main.tf"])
    documents = {name: body for block in module["data"] for kind, named in block.items() if kind == "aws_iam_policy_document"
                 for name, body in named.items()}
    [statement] = documents["task"]["statement"]
    assert statement["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    assert statement["resources"] == ["${var.events_log_group_arn}", "${var.events_log_group_arn}:log-stream:*",
                                      "${aws_cloudwatch_log_group.metrics.arn}", "${aws_cloudwatch_log_group.metrics.arn}:log-stream:*"]
