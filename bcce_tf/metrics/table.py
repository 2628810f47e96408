"""The one table of the metrics bcce emits or watches.

Every CloudWatch metric an alarm or a dashboard widget of the monitoring component names, and
every Prometheus series `bcce metrics` exposes, is a row here. Tests check the rendered alarms,
the generated dashboards and the published data points against this table, so an alarm can
never watch a metric nobody publishes.

Sources of a CloudWatch metric:
- "bcce": bcce itself, with PutMetricData at the end of every recorded run (bcce_tf.metrics.publish);
- "log-filter": the monitoring component's CloudWatch Logs metric filters on the usage log group;
- "aws": the AWS service (Amazon Bedrock runtime metrics, namespace AWS/Bedrock).
"""

from __future__ import annotations

from dataclasses import dataclass

# CloudWatch dimension names of the metrics bcce publishes. The correlation id of a run is never
# one: every run would create new metrics (billed each) and alarms could not name them.
STACK, REGION, OPERATION, BREAKER = "Stack", "Region", "Operation", "Breaker"

# Runs that change infrastructure: they count as deployments.
DEPLOYMENT_OPERATIONS = ("apply", "destroy", "deploy")

# Upper bounds (seconds) of the deployment duration histogram: applies take minutes, a large
# first apply with a database close to an hour.
DURATION_BUCKETS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0)

SOURCES = ("bcce", "log-filter", "aws")
PROMETHEUS_TYPES = ("counter", "gauge", "histogram")


@dataclass(frozen=True)
class CloudWatchMetric:
    namespace: str
    name: str
    unit: str  # a CloudWatch StandardUnit
    dimension_sets: tuple[tuple[str, ...], ...]  # each set of dimension names the metric is published with
    statistic: str  # the statistic alarms and widgets read
    source: str  # who publishes it: bcce, log-filter, aws


@dataclass(frozen=True)
class PrometheusMetric:
    name: str  # as exposed, with the _total suffix of counters
    type: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Metric:
    key: str
    meaning: str
    cloudwatch: CloudWatchMetric | None = None
    prometheus: PrometheusMetric | None = None
    earlier: str = ""  # the name the earlier TypeScript BCCE CLI used for it


_PER_OPERATION = ((STACK, REGION, OPERATION), (STACK, REGION))
_PER_STACK = ((STACK, REGION),)
_BEDROCK = ((), ("ModelId",))  # AWS/Bedrock: across all model ids, and per model id

METRICS: tuple[Metric, ...] = (
    Metric(
        "deployments", "Deployment runs (apply, destroy, deploy), failed or not; 1 per run and region.",
        CloudWatchMetric("BCCE/Deployments", "Deployments", "Count", _PER_OPERATION, "Sum", "bcce"),
    ),
    Metric(
        "deployment_successes", "Deployment runs that succeeded; 1 per run and region.",
        CloudWatchMetric("BCCE/Deployments", "DeploymentSuccesses", "Count", _PER_OPERATION, "Sum", "bcce"),
        PrometheusMetric("bcce_deployment_success_total", "counter", ("stack", "region", "operation")),
        earlier="BCCE/Deployment/Success",
    ),
    Metric(
        "deployment_failures", "Deployment runs that failed (any exit code but 0 and a declined prompt); 1 per run and region.",
        CloudWatchMetric("BCCE/Deployments", "DeploymentFailures", "Count", _PER_OPERATION, "Sum", "bcce"),
        PrometheusMetric("bcce_deployment_failure_total", "counter", ("stack", "region", "operation")),
    ),
    Metric(
        "deployment_duration", "Wall time of a deployment run, from start to end, in seconds.",
        CloudWatchMetric("BCCE/Deployments", "DeploymentDuration", "Seconds", _PER_OPERATION, "Average", "bcce"),
        PrometheusMetric("bcce_deployment_duration_seconds", "histogram", ("stack", "region", "operation")),
        earlier="BCCE/Deployment/Duration",
    ),
    Metric(
        "retries", "Retries of Terraform steps and AWS calls in a run (attempts beyond the first), any recorded operation.",
        CloudWatchMetric("BCCE/Resilience", "Retries", "Count", _PER_OPERATION, "Sum", "bcce"),
        PrometheusMetric("bcce_retries_total", "counter", ("stack", "region", "operation")),
    ),
    Metric(
        "circuit_breaker_open", "1 while a circuit breaker is open or half-open, else 0; per breaker, and the maximum over the stack's breakers.",
        CloudWatchMetric("BCCE/Resilience", "CircuitBreakerOpen", "None", ((STACK, REGION, BREAKER), (STACK, REGION)), "Maximum", "bcce"),
        PrometheusMetric("bcce_circuit_breaker_open", "gauge", ("breaker",)),
        earlier="BCCE/CircuitBreaker/Open",
    ),
    Metric(
        "client_pool_utilization", "Peak share of the AWS client connection pool in use during the run (CloudWatch: percent; Prometheus: ratio 0-1).",
        CloudWatchMetric("BCCE/Resilience", "ClientPoolUtilization", "Percent", _PER_STACK, "Maximum", "bcce"),
        PrometheusMetric("bcce_client_pool_utilization", "gauge", ("stack", "region")),
        earlier="BCCE/ClientPool/Utilization",
    ),
    Metric(
        "readiness_score", "Readiness score (0-100) of the last run that computed one.",
        CloudWatchMetric("BCCE/Readiness", "ReadinessScore", "None", _PER_STACK, "Minimum", "bcce"),
        PrometheusMetric("bcce_readiness_score", "gauge", ("stack", "region")),
    ),
    Metric(
        "drifted_resources", "Resources changed outside Terraform that the last bcce drift of the stack found (0: in sync).",
        CloudWatchMetric("BCCE/Drift", "DriftedResources", "Count", _PER_STACK, "Maximum", "bcce"),
        PrometheusMetric("bcce_drifted_resources", "gauge", ("stack", "region")),
    ),
    Metric(
        "monthly_cost", "Estimated monthly cost of the whole rollout in USD (bcce cost estimate), published in the config's first region.",
        CloudWatchMetric("BCCE/Cost", "EstimatedMonthlyCost", "None", _PER_STACK, "Maximum", "bcce"),
        PrometheusMetric("bcce_monthly_cost", "gauge", ("stack",)),
        earlier="BCCE/Cost/Monthly",
    ),
    Metric(
        "claude_code_requests", "Claude Code claude_code.api_request events in the usage log group (metric filter).",
        CloudWatchMetric("BCCE/ClaudeCode", "Requests", "None", ((),), "Sum", "log-filter"),
    ),
    Metric(
        "claude_code_errors", "Claude Code claude_code.api_error events in the usage log group (metric filter).",
        CloudWatchMetric("BCCE/ClaudeCode", "Errors", "None", ((),), "Sum", "log-filter"),
        earlier="BCCE/Errors/Rate",
    ),
    Metric(
        "bedrock_invocations", "Requests Bedrock accepted for processing (Converse, ConverseStream, InvokeModel, InvokeModelWithResponseStream).",
        CloudWatchMetric("AWS/Bedrock", "Invocations", "Count", _BEDROCK, "Sum", "aws"),
    ),
    Metric(
        "bedrock_latency", "Bedrock invocation latency in milliseconds, request sent to last token.",
        CloudWatchMetric("AWS/Bedrock", "InvocationLatency", "Milliseconds", _BEDROCK, "p90", "aws"),
    ),
    Metric(
        "bedrock_throttles", "Bedrock invocations the service throttled.",
        CloudWatchMetric("AWS/Bedrock", "InvocationThrottles", "Count", _BEDROCK, "Sum", "aws"),
    ),
)

BY_KEY: dict[str, Metric] = {metric.key: metric for metric in METRICS}


def metric(key: str) -> Metric:
    return BY_KEY[key]


def cloudwatch(key: str) -> CloudWatchMetric:
    found = BY_KEY[key].cloudwatch
    if found is None:
        raise KeyError(f"metric {key} has no CloudWatch form")
    return found


def find_cloudwatch(namespace: str, name: str) -> Metric | None:
    """The table's row of a CloudWatch metric, None when the table does not know it."""
    return next((m for m in METRICS if m.cloudwatch and (m.cloudwatch.namespace, m.cloudwatch.name) == (namespace, name)), None)


def find_prometheus(name: str) -> Metric | None:
    return next((m for m in METRICS if m.prometheus and m.prometheus.name == name), None)


def published_by_bcce() -> tuple[Metric, ...]:
    return tuple(m for m in METRICS if m.cloudwatch is not None and m.cloudwatch.source == "bcce")


def is_deployment(operation: str) -> bool:
    return operation in DEPLOYMENT_OPERATIONS
