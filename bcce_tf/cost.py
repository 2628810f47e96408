"""Monthly cost estimate of a bcce deployment: the platform components plus Claude token usage.

`estimate(config)` is pure: it reads the config, the price table and the usage assumptions below,
and returns typed records. Nothing is fetched (the AWS Price List API needs credentials and is not
emulated), so the table carries its source and date and should be checked before a budget is set.

Prices: AWS public pricing pages, region us-east-1 (N. Virginia), on-demand, as of PRICES_AS_OF.
Other regions usually cost the same or up to ~20% more. Free tiers that expire (12-month offers)
are not deducted; permanent free allowances that cover what bcce creates are priced at 0 with a note.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bcce_tf.config import Config

PRICES_AS_OF = "2026-03"
PRICE_REGION = "us-east-1"
HOURS_PER_MONTH = 730
GB = 1024**3


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str


# One line per metered item: USD per unit, and the public page the number comes from.
PRICES: dict[str, Price] = {
    "kms_key": Price(1.00, "key-month", "https://aws.amazon.com/kms/pricing/"),
    "kms_requests": Price(0.03, "10,000 requests", "https://aws.amazon.com/kms/pricing/"),
    # First copy of management events delivered to S3 is free; bcce's trail is that copy.
    "cloudtrail_management": Price(0.00, "trail-month", "https://aws.amazon.com/cloudtrail/pricing/"),
    "s3_standard": Price(0.023, "GB-month", "https://aws.amazon.com/s3/pricing/"),
    "interface_endpoint_hour": Price(0.01, "endpoint-AZ-hour", "https://aws.amazon.com/privatelink/pricing/"),
    "interface_endpoint_gb": Price(0.01, "GB processed", "https://aws.amazon.com/privatelink/pricing/"),
    "gateway_endpoint": Price(0.00, "endpoint-month", "https://aws.amazon.com/privatelink/pricing/"),
    "logs_ingestion": Price(0.50, "GB ingested", "https://aws.amazon.com/cloudwatch/pricing/"),
    "vended_logs_ingestion": Price(0.50, "GB ingested", "https://aws.amazon.com/cloudwatch/pricing/"),
    "logs_storage": Price(0.03, "GB-month", "https://aws.amazon.com/cloudwatch/pricing/"),
    "logs_insights": Price(0.005, "GB scanned", "https://aws.amazon.com/cloudwatch/pricing/"),
    "dashboard": Price(3.00, "dashboard-month", "https://aws.amazon.com/cloudwatch/pricing/"),
    "alarm_metric": Price(0.10, "alarm metric-month", "https://aws.amazon.com/cloudwatch/pricing/"),
    "custom_metric": Price(0.30, "metric-month", "https://aws.amazon.com/cloudwatch/pricing/"),
    "firehose_ingestion": Price(0.029, "GB ingested", "https://aws.amazon.com/firehose/pricing/"),
    "firehose_format_conversion": Price(0.018, "GB converted", "https://aws.amazon.com/firehose/pricing/"),
    # The first million objects stored and requests per month are free; bcce stores two.
    "glue_catalog": Price(0.00, "catalog-month", "https://aws.amazon.com/glue/pricing/"),
    "athena_scan": Price(5.00, "TB scanned", "https://aws.amazon.com/athena/pricing/"),
    # The first 1,000 email deliveries a month are free.
    "sns_email": Price(0.00, "topic-month", "https://aws.amazon.com/sns/pricing/"),
    # Budgets without actions cost nothing; the first two action-enabled budgets are free too.
    "budget": Price(0.00, "budget-month", "https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/"),
    # Claude Sonnet on Bedrock, on-demand (the model Claude Code uses by default).
    "claude_input": Price(3.00, "million input tokens", "https://aws.amazon.com/bedrock/pricing/"),
    "claude_cache_read": Price(0.30, "million cache-read tokens", "https://aws.amazon.com/bedrock/pricing/"),
    "claude_cache_write": Price(3.75, "million cache-write tokens", "https://aws.amazon.com/bedrock/pricing/"),
    "claude_output": Price(15.00, "million output tokens", "https://aws.amazon.com/bedrock/pricing/"),
}

# The Cost Explorer SERVICE under which AWS bills each priced item (what `bcce cost analysis`
# compares the estimate with).
BILLED_AS: dict[str, str] = {
    "kms_key": "AWS Key Management Service", "kms_requests": "AWS Key Management Service",
    "cloudtrail_management": "AWS CloudTrail", "s3_standard": "Amazon Simple Storage Service",
    "interface_endpoint_hour": "Amazon Virtual Private Cloud", "interface_endpoint_gb": "Amazon Virtual Private Cloud",
    "gateway_endpoint": "Amazon Virtual Private Cloud",
    "logs_ingestion": "AmazonCloudWatch", "vended_logs_ingestion": "AmazonCloudWatch", "logs_storage": "AmazonCloudWatch",
    "logs_insights": "AmazonCloudWatch", "dashboard": "AmazonCloudWatch", "alarm_metric": "AmazonCloudWatch",
    "custom_metric": "AmazonCloudWatch",
    "firehose_ingestion": "Amazon Kinesis Firehose", "firehose_format_conversion": "Amazon Kinesis Firehose",
    "glue_catalog": "AWS Glue", "athena_scan": "Amazon Athena", "sns_email": "Amazon Simple Notification Service",
    "budget": "AWS Budgets",
    "claude_input": "Amazon Bedrock", "claude_cache_read": "Amazon Bedrock", "claude_cache_write": "Amazon Bedrock",
    "claude_output": "Amazon Bedrock",
}


@dataclass(frozen=True)
class UsageAssumptions:
    """What one developer and one stack do in a month; every estimate lists these."""

    working_days_per_month: int = 21
    # About $6 per developer per working day on Claude Sonnet, the average Anthropic's Claude Code
    # cost documentation reports for interactive use.
    input_tokens_per_user_day: int = 500_000
    cache_read_tokens_per_user_day: int = 4_000_000
    cache_write_tokens_per_user_day: int = 300_000
    output_tokens_per_user_day: int = 150_000
    requests_per_user_day: int = 200
    usage_event_bytes: int = 1_024
    endpoint_gb_per_user_month: float = 0.5
    kms_requests_per_stack_month: int = 100_000
    audit_gb_per_stack_month: float = 1.0
    access_log_gb_per_stack_month: float = 0.5
    flow_log_gb_per_stack_month: float = 1.0
    lake_retained_months: int = 12
    athena_queries_per_month: int = 300
    athena_gb_scanned_per_query: float = 0.1
    insights_gb_scanned_per_month: float = 5.0

    def describe(self) -> tuple[str, ...]:
        return (
            f"{self.working_days_per_month} working days a month",
            (f"per developer and working day: {self.input_tokens_per_user_day:,} input, "
             f"{self.cache_read_tokens_per_user_day:,} cache-read, {self.cache_write_tokens_per_user_day:,} cache-write and "
             f"{self.output_tokens_per_user_day:,} output tokens on Claude Sonnet (about $6 a day, Anthropic's reported average)"),
            f"{self.requests_per_user_day} requests per developer and day, {self.usage_event_bytes} bytes per usage event",
            f"{self.endpoint_gb_per_user_month} GB a month per developer through the interface endpoints",
            (f"per stack and month: {self.kms_requests_per_stack_month:,} KMS requests, {self.audit_gb_per_stack_month} GB of audit logs, "
             f"{self.access_log_gb_per_stack_month} GB of S3 access logs, {self.flow_log_gb_per_stack_month} GB of VPC flow logs"),
            f"the data lake keeps {self.lake_retained_months} months of events in S3 Standard (lifecycle tiering not deducted)",
            (f"{self.athena_queries_per_month} Athena queries a month scanning {self.athena_gb_scanned_per_query} GB each; "
             f"{self.insights_gb_scanned_per_month} GB scanned by Logs Insights"),
        )


DEFAULT_ASSUMPTIONS = UsageAssumptions()

INTERFACE_ENDPOINTS = 5  # bedrock-runtime, bedrock, sts, logs, monitoring (see components/network.py)
AVAILABILITY_ZONES = 2
ALARM_METRICS = 5  # three single-metric alarms and one error-rate alarm over two metrics
CUSTOM_METRICS = 6  # BCCE/Deployments x2, BCCE/Resilience x2, BCCE/ClaudeCode x2


@dataclass(frozen=True)
class CostLine:
    item: str
    quantity: float
    unit: str
    unit_price_usd: float
    monthly_usd: float
    note: str = ""
    service: str = ""  # the Cost Explorer SERVICE that bills it (BILLED_AS)


@dataclass(frozen=True)
class ComponentCost:
    component: str
    lines: tuple[CostLine, ...]
    monthly_usd: float
    note: str = ""


@dataclass(frozen=True)
class CostEstimate:
    users: int
    regions: tuple[str, ...]
    components: tuple[ComponentCost, ...]
    infrastructure_usd: float
    bedrock_usd: float
    monthly_usd: float
    assumptions: tuple[str, ...]
    prices_as_of: str = PRICES_AS_OF
    price_region: str = PRICE_REGION
    currency: str = "USD"
    not_estimated: tuple[str, ...] = field(default_factory=tuple)

    def component(self, name: str) -> ComponentCost | None:
        return next((c for c in self.components if c.component == name), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _line(item: str, quantity: float, price_key: str, note: str = "") -> CostLine:
    price = PRICES[price_key]
    return CostLine(item=item, quantity=round(quantity, 6), unit=price.unit, unit_price_usd=price.usd,
                    monthly_usd=round(quantity * price.usd, 2), note=note,
                    service=BILLED_AS.get(price_key, ""))


def _component(name: str, lines: list[CostLine], note: str = "") -> ComponentCost:
    return ComponentCost(component=name, lines=tuple(lines), monthly_usd=round(sum(line.monthly_usd for line in lines), 2), note=note)


BEDROCK_USAGE = "bedrock-usage"
PRICED = ("security", "network", "analytics", "monitoring")


def estimate(config: Config, users: int | None = None, assumptions: UsageAssumptions = DEFAULT_ASSUMPTIONS) -> CostEstimate:
    """Monthly cost of what `config` deploys, for `users` developers (default: config.users)."""
    a = assumptions
    n_users = config.users if users is None else users
    if n_users < 0:
        raise ValueError("users must not be negative")
    regions = tuple(config.regions)
    stacks = len(regions)
    enabled = config.enabled_components()
    per_stack = f"x {stacks} region stack{'s' if stacks != 1 else ''}"
    user_days = n_users * a.working_days_per_month
    events_gb = user_days * a.requests_per_user_day * a.usage_event_bytes / GB
    components: list[ComponentCost] = []

    if "security" in enabled:
        components.append(_component("security", [
            _line("KMS stack key", stacks, "kms_key", per_stack),
            _line("KMS requests", stacks * a.kms_requests_per_stack_month / 10_000, "kms_requests", per_stack),
            _line("CloudTrail trail (management events)", stacks, "cloudtrail_management", "first copy of management events is free"),
            _line("S3 audit and access-log storage", stacks * (a.audit_gb_per_stack_month + a.access_log_gb_per_stack_month), "s3_standard", per_stack),
            _line("CloudTrail events into the audit log group", stacks * a.audit_gb_per_stack_month, "logs_ingestion", per_stack),
        ]))

    if "network" in enabled:
        lines = [
            _line("S3 gateway endpoint", stacks, "gateway_endpoint", "gateway endpoints are free"),
            _line("VPC flow logs (vended) ingestion", stacks * a.flow_log_gb_per_stack_month, "vended_logs_ingestion", per_stack),
        ]
        if config.privatelink:
            lines[:0] = [
                _line("Interface endpoints", stacks * INTERFACE_ENDPOINTS * AVAILABILITY_ZONES * HOURS_PER_MONTH, "interface_endpoint_hour",
                      f"{INTERFACE_ENDPOINTS} endpoints x {AVAILABILITY_ZONES} AZs x {HOURS_PER_MONTH} h {per_stack}"),
                _line("Interface endpoint data", n_users * a.endpoint_gb_per_user_month, "interface_endpoint_gb", "Bedrock traffic of all developers"),
            ]
        components.append(_component("network", lines))

    if "analytics" in enabled:
        lines = [
            _line("Usage events into CloudWatch Logs", events_gb, "logs_ingestion"),
            _line("Firehose ingestion", events_gb, "firehose_ingestion"),
        ]
        if config.provider.generation >= 5:
            lines.append(_line("Firehose Parquet conversion", events_gb, "firehose_format_conversion"))
        lines += [
            _line("Data lake storage", events_gb * a.lake_retained_months, "s3_standard", f"{a.lake_retained_months} months retained"),
            _line("Glue Data Catalog", stacks, "glue_catalog", "within the free million objects"),
            _line("Athena queries", a.athena_queries_per_month * a.athena_gb_scanned_per_query / 1024, "athena_scan"),
        ]
        components.append(_component("analytics", lines))

    if "monitoring" in enabled:
        components.append(_component("monitoring", [
            _line("CloudWatch dashboard", stacks, "dashboard", per_stack + "; the account's first 3 are free"),
            _line("Alarm metrics", stacks * ALARM_METRICS, "alarm_metric", per_stack),
            _line("BCCE custom metrics", stacks * CUSTOM_METRICS, "custom_metric", per_stack),
            _line("Logs Insights queries", a.insights_gb_scanned_per_month, "logs_insights"),
            _line("SNS alert topic (email)", stacks, "sns_email", "first 1,000 emails a month are free"),
            _line("Monthly budget", 1, "budget", "one per account"),
        ]))

    not_estimated = tuple(c for c in enabled if c not in PRICED)
    for name in not_estimated:
        components.append(_component(name, [], note="not estimated yet: its AWS charges are not in this table"))

    if enabled:
        components.append(_component(BEDROCK_USAGE, [
            _line("Claude input tokens", user_days * a.input_tokens_per_user_day / 1e6, "claude_input"),
            _line("Claude cache-read tokens", user_days * a.cache_read_tokens_per_user_day / 1e6, "claude_cache_read"),
            _line("Claude cache-write tokens", user_days * a.cache_write_tokens_per_user_day / 1e6, "claude_cache_write"),
            _line("Claude output tokens", user_days * a.output_tokens_per_user_day / 1e6, "claude_output"),
        ], note=f"{n_users} developers"))

    bedrock = sum(c.monthly_usd for c in components if c.component == BEDROCK_USAGE)
    infrastructure = sum(c.monthly_usd for c in components if c.component != BEDROCK_USAGE)
    return CostEstimate(
        users=n_users,
        regions=regions,
        components=tuple(components),
        infrastructure_usd=round(infrastructure, 2),
        bedrock_usd=round(bedrock, 2),
        monthly_usd=round(infrastructure + bedrock, 2),
        assumptions=a.describe() + (
            f"prices: AWS public pricing pages, {PRICE_REGION}, on-demand, as of {PRICES_AS_OF}; taxes and support plans excluded",
            "expiring free tiers are not deducted",
        ),
        not_estimated=not_estimated,
    )


def render_text(result: CostEstimate) -> str:
    """A plain-text table of an estimate (what `bcce cost estimate` prints)."""
    title = (f"Estimated monthly cost for {result.users} developers in {', '.join(result.regions)} "
             f"(prices {result.price_region}, {result.prices_as_of})")
    out = [title, ""]
    for comp in result.components:
        out.append(f"{comp.component:<16} {comp.monthly_usd:>12,.2f} USD" + (f"   ({comp.note})" if comp.note else ""))
        for line in comp.lines:
            qty = f"{line.quantity:,.4f}".rstrip("0").rstrip(".")
            note = f"  [{line.note}]" if line.note else ""
            out.append(f"  {line.item:<44} {qty:>14} {line.unit:<26} x {line.unit_price_usd:<7g} = {line.monthly_usd:>10,.2f}{note}")
    out += ["", f"{'infrastructure':<16} {result.infrastructure_usd:>12,.2f} USD",
            f"{'Claude tokens':<16} {result.bedrock_usd:>12,.2f} USD",
            f"{'total':<16} {result.monthly_usd:>12,.2f} USD", "", "Assumptions:"]
    out += [f"  - {text}" for text in result.assumptions]
    if result.not_estimated:
        out.append(f"  - not estimated: {', '.join(result.not_estimated)}")
    return "\n".join(out) + "\n"
