"""What a readiness run produces: one CheckResult per check, gathered in a Report.

Plain data only; the score comes from `score.py` and the formats from `report.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASSED = "passed"
    WARNING = "warning"
    FAILED = "failed"
    NOT_CHECKED = "not_checked"


class Impact(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Category(StrEnum):
    SECURITY = "security"
    PERMISSIONS = "permissions"
    REGION = "region"
    CAPACITY = "capacity"
    CONFIGURATION = "configuration"
    COST = "cost"

    @property
    def label(self) -> str:
        return {"region": "Region and services"}.get(self.value, self.value.capitalize())


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check. `evidence` says what was seen (or, when not checked, why not);
    `remediation` says what to do about a warning or a failure."""

    id: str
    title: str
    category: Category
    status: Status
    impact: Impact
    evidence: str
    remediation: str = ""
    duration: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "category", Category(self.category))
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "impact", Impact(self.impact))
        if not self.id or any(c in self.id for c in ", \t\n"):
            raise ValueError(f"a check id must be non-empty without commas or blanks: {self.id!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category.value,
            "status": self.status.value,
            "impact": self.impact.value,
            "evidence": self.evidence,
            "remediation": self.remediation,
            "duration_seconds": round(self.duration, 3),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            id=data["id"], title=data["title"], category=data["category"], status=data["status"],
            impact=data["impact"], evidence=data.get("evidence", ""), remediation=data.get("remediation", ""),
            duration=float(data.get("duration_seconds", 0.0)),
        )


@dataclass(frozen=True)
class Report:
    """Every check of one readiness run and the threshold it is judged against."""

    results: tuple[CheckResult, ...]
    min_score: int
    regions: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)  # account id, caller ARN... when known

    def __post_init__(self) -> None:
        object.__setattr__(self, "results", tuple(self.results))
        ids = [r.id for r in self.results]
        if len(set(ids)) != len(ids):
            raise ValueError("check ids must be unique within a report")
        if not 0 <= self.min_score <= 100:
            raise ValueError(f"min_score must be 0-100, not {self.min_score}")

    def with_status(self, status: Status) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.status is status)

    def ids(self, status: Status) -> list[str]:
        return [r.id for r in self.with_status(status)]

    @property
    def score(self) -> int:
        from bcce_tf.readiness.score import score

        return score(self.results)

    @property
    def critical_failures(self) -> tuple[CheckResult, ...]:
        from bcce_tf.readiness.score import critical_failures

        return critical_failures(self.results)

    @property
    def ready(self) -> bool:
        from bcce_tf.readiness.score import is_ready

        return is_ready(self.results, self.min_score)

    @property
    def status(self) -> str:
        return "ready" if self.ready else "blocked"

    def blocked_because(self) -> list[str]:
        from bcce_tf.readiness.score import blocking_reasons

        return blocking_reasons(self.results, self.min_score)

    def counts(self) -> dict[str, int]:
        return {status.value: len(self.with_status(status)) for status in Status}

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "min_score": self.min_score,
            "status": self.status,
            "blocked_because": self.blocked_because(),
            "counts": self.counts(),
            "regions": list(self.regions),
            "components": list(self.components),
            "facts": dict(sorted(self.facts.items())),
            "checks": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            results=tuple(CheckResult.from_dict(item) for item in data["checks"]),
            min_score=int(data["min_score"]),
            regions=tuple(data.get("regions", ())),
            components=tuple(data.get("components", ())),
            facts=dict(data.get("facts", {})),
        )


def by_category(results: Iterable[CheckResult]) -> list[tuple[Category, list[CheckResult]]]:
    """Results grouped by category, categories in their fixed order, checks in run order."""
    groups: dict[Category, list[CheckResult]] = {}
    for result in results:
        groups.setdefault(result.category, []).append(result)
    return [(category, groups[category]) for category in Category if category in groups]
