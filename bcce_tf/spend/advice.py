"""Savings `bcce cost analysis` can show from live facts, each with its evidence (pure, but `fetch_*`).

Log groups: bcce's log groups (under LOG_PREFIX) whose retention is longer than the config's
`log_retention_days`, or that never expire. The saving is the storage of what the configured
retention would have deleted: the group's stored bytes times the share older than the retention,
assuming an even ingestion since the group was created, at the CloudWatch Logs storage price of
bcce_tf/cost.py. A group younger than the retention saves nothing yet (said so)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

LOG_PREFIX = "/bcce/"  # audit, VPC flow logs, Claude Code events, Bedrock invocations (see terraform/modules)
GIB = 1024 ** 3
DAY_MS = 86_400_000


@dataclass(frozen=True)
class Recommendation:
    kind: str  # log-retention
    resource: str
    evidence: str
    monthly_saving_usd: float
    action: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["monthly_saving_usd"] = round(self.monthly_saving_usd, 2)
        return data


def log_retention(groups: Iterable[Mapping[str, Any]], configured_days: int, now_ms: int,
                  price_per_gib_month: float) -> list[Recommendation]:
    """One recommendation per group kept longer than `configured_days` (DescribeLogGroups entries)."""
    found: list[Recommendation] = []
    for group in groups:
        name = str(group.get("logGroupName", ""))
        retention = group.get("retentionInDays")
        if not name.startswith(LOG_PREFIX) or (isinstance(retention, int) and retention <= configured_days):
            continue
        stored = float(group.get("storedBytes") or 0)
        created = group.get("creationTime")
        age_days = (now_ms - int(created)) / DAY_MS if isinstance(created, (int, float)) else 0.0
        share = max(0.0, 1 - configured_days / age_days) if age_days > configured_days else 0.0
        saving = stored / GIB * share * price_per_gib_month
        kept = "never expire" if retention is None else f"kept {retention} days"
        evidence = (f"{name}: events {kept}, the config says log_retention_days {configured_days}; "
                    f"{stored / GIB:,.2f} GiB stored, created {age_days:,.0f} days ago"
                    + ("" if share else f" (nothing older than {configured_days} days yet: the saving comes later)"))
        found.append(Recommendation("log-retention", name, evidence, saving,
                                    f"bcce apply (the stack sets {configured_days} days), or aws logs put-retention-policy "
                                    f"--log-group-name {name} --retention-in-days {configured_days}"))
    return sorted(found, key=lambda r: (-r.monthly_saving_usd, r.resource))


def fetch_log_groups(clients: Any, regions: Sequence[str]) -> list[dict[str, Any]]:
    """bcce's log groups in each region (DescribeLogGroups by prefix, every page)."""
    groups: list[dict[str, Any]] = []
    for region in regions:
        token = None
        for _ in range(100):
            params: dict[str, Any] = {"logGroupNamePrefix": LOG_PREFIX}
            if token:
                params["nextToken"] = token
            page = clients.call("logs", region, "describe_log_groups", **params)
            groups += page.get("logGroups", [])
            token = page.get("nextToken")
            if not token:
                break
    return groups


def recommendations(clients: Any, config: Any, now_ms: int) -> tuple[tuple[Recommendation, ...], str]:
    """The recommendations and, when the facts could not be read, why ("" when they were)."""
    from bcce_tf.cost import PRICES
    from bcce_tf.errors import AwsError, CircuitOpenError, NotSupportedError, RetriesExhaustedError

    try:
        groups = fetch_log_groups(clients, tuple(config.regions))
    except (AwsError, NotSupportedError, RetriesExhaustedError, CircuitOpenError) as exc:
        return (), f"log groups not checked: {exc}"
    return tuple(log_retention(groups, int(config.log_retention_days), now_ms, PRICES["logs_storage"].usd)), ""
