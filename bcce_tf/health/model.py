"""What a health check reports: healthy, degraded, unhealthy or not checked, with evidence and the fix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bcce_tf.readiness.model import CheckResult, Status


class Health(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"
    NOT_CHECKED = "not checked"


# The readiness runner's outcomes, read as health.
FROM_STATUS = {
    Status.PASSED: Health.HEALTHY,
    Status.WARNING: Health.DEGRADED,
    Status.FAILED: Health.UNHEALTHY,
    Status.NOT_CHECKED: Health.NOT_CHECKED,
}


@dataclass(frozen=True)
class HealthResult:
    component: str
    name: str  # e.g. kms-key, bucket-encryption:<bucket>
    stack: str  # <stack>-<region>, or "" for what is not a stack's (credentials)
    status: Health
    evidence: str
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "name": self.name, "stack": self.stack, "status": self.status.value,
                "evidence": self.evidence, "fix": self.fix}


def from_check(component: str, stack: str, name: str, result: CheckResult) -> HealthResult:
    status = FROM_STATUS[result.status]
    return HealthResult(component=component, name=name, stack=stack, status=status, evidence=result.evidence,
                        fix=result.remediation if status in (Health.DEGRADED, Health.UNHEALTHY) else "")


def verdict(results: Iterable[HealthResult]) -> Health:
    """Unhealthy if anything is; else degraded if anything is; else healthy (not checked is said, not hidden)."""
    statuses = {r.status for r in results}
    for worst in (Health.UNHEALTHY, Health.DEGRADED):
        if worst in statuses:
            return worst
    return Health.HEALTHY


def counts(results: Iterable[HealthResult]) -> dict[str, int]:
    found = {h.value: 0 for h in Health}
    for result in results:
        found[result.status.value] += 1
    return found
