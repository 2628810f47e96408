"""Inputs of the telemetry component: the ADOT collector Claude Code exports OpenTelemetry to.

The collector (public.ecr.aws/aws-observability/aws-otel-collector at a pinned tag) runs on ECS
Fargate in the private subnets behind an internal load balancer: OTLP/HTTP on port 4318, HTTPS
with `telemetry.certificate_arn`, or plain HTTP inside the VPC only with `telemetry.allow_http`.
Its pipeline (terraform/modules/telemetry/collector.yaml.tftpl) sends metrics to CloudWatch as
EMF in the `ClaudeCode` namespace and log events into the analytics log group
/bcce/claude-code/<organization>.
"""

from __future__ import annotations

from typing import Any

from bcce_tf.config import Config

SERVICES: tuple[str, ...] = ("ecs", "elasticloadbalancing", "ecr", "ec2", "iam", "logs", "kms")

# ADOT collector release, from its release notes (public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1).
COLLECTOR_VERSION = "v0.45.1"
METRIC_NAMESPACE = "ClaudeCode"

# IAM roles the component creates ("{prefix}" = <stack>-<organization>); at most 64 characters.
IAM_ROLE_NAMES: tuple[str, ...] = ("{prefix}-{region}-otelrun", "{prefix}-{region}-otel")

PUBLIC_IMAGE_WARNING = (
    "telemetry: provider.generation 3 (hashicorp/aws 3.x) has no ECR pull-through cache rule, so the collector "
    "tasks pull public.ecr.aws/aws-observability/aws-otel-collector directly; the private subnets have no "
    "internet route, so the tasks cannot start until one exists. Set provider.generation to 5 to pull through ECR."
)


def warnings(config: Config) -> list[str]:
    return [PUBLIC_IMAGE_WARNING] if config.provider.generation < 5 else []


def tfvars(config: Config, region: str) -> dict[str, Any]:
    telemetry = config.telemetry
    return {
        "telemetry_certificate_arn": telemetry.certificate_arn,
        "telemetry_allow_http": telemetry.allow_http,
        "telemetry_collector_version": COLLECTOR_VERSION,
        "telemetry_metric_namespace": METRIC_NAMESPACE,
        "telemetry_desired_count": telemetry.desired_count,
        "telemetry_log_retention_days": config.log_retention_days,
    }
