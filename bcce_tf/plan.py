"""Pure parsing of `terraform show -json` output and of the `-json` event stream."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

ACTIONS = ("create", "update", "delete", "replace", "read", "no-op")


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    action: str  # one of ACTIONS


@dataclass
class PlanSummary:
    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0
    changes: list[ResourceChange] = field(default_factory=list)
    output_changes: list[str] = field(default_factory=list)
    terraform_version: str = ""
    readiness_score: int | None = None
    stack: str = ""
    region: str = ""

    @property
    def has_changes(self) -> bool:
        return bool(self.add or self.change or self.destroy or self.output_changes)

    def addresses(self, action: str) -> list[str]:
        return [c.address for c in self.changes if c.action == action]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["has_changes"] = self.has_changes
        return data


def action_of(actions: list[str]) -> str:
    """Terraform's action list to one word: ["delete","create"] is a replace."""
    if sorted(actions) == ["create", "delete"]:
        return "replace"
    if len(actions) == 1 and actions[0] in ACTIONS:
        return actions[0]
    raise ValueError(f"unknown Terraform action list {actions!r}")


def summarize(plan: dict[str, Any]) -> PlanSummary:
    """Counts and addresses from a `terraform show -json PLANFILE` document. Values are never kept."""
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise ValueError("not a Terraform plan JSON document (no format_version)")
    summary = PlanSummary(terraform_version=str(plan.get("terraform_version", "")))
    for item in plan.get("resource_changes") or []:
        if item.get("mode") == "data":
            continue
        action = action_of(item["change"]["actions"])
        if action in ("no-op", "read"):
            continue
        summary.changes.append(ResourceChange(address=item["address"], type=item.get("type", ""), action=action))
        if action == "create":
            summary.add += 1
        elif action == "update":
            summary.change += 1
        elif action == "delete":
            summary.destroy += 1
        elif action == "replace":
            summary.add += 1
            summary.destroy += 1
            summary.replace += 1
    for name, change in sorted((plan.get("output_changes") or {}).items()):
        if action_of(change["actions"]) not in ("no-op", "read"):
            summary.output_changes.append(name)
    summary.changes.sort(key=lambda c: c.address)
    return summary


@dataclass(frozen=True)
class Event:
    """One line of Terraform's machine-readable (-json) UI stream, reduced to what progress needs."""

    type: str
    level: str
    message: str
    address: str = ""
    action: str = ""
    total: int | None = None


def parse_event(line: str) -> Event | None:
    """Parse a `-json` UI line; None for anything that is not a JSON event (never raises)."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    kind = str(data.get("type", ""))
    hook = data.get("hook") or {}
    resource = hook.get("resource") or {} if isinstance(hook, dict) else {}
    total = None
    if kind == "change_summary":
        changes = data.get("changes") or {}
        total = int(changes.get("add", 0)) + int(changes.get("change", 0)) + int(changes.get("remove", 0))
    return Event(
        type=kind,
        level=str(data.get("@level", "info")),
        message=str(data.get("@message", "")),
        address=str(resource.get("addr", "")),
        action=str(hook.get("action", "")) if isinstance(hook, dict) else "",
        total=total,
    )
