"""Drift: what changed outside Terraform and would be undone by the next apply, from a plan
(`terraform show -json`): the `resource_drift` entries of resources the plan changes, narrowed to
the attributes Terraform names in `relevant_attributes`, with sensitive values masked.
Pure functions only."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bcce_tf.exit_codes import ExitCode

MASK = "(sensitive)"
MAX_VALUE_CHARS = 120


@dataclass(frozen=True)
class Attribute:
    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class DriftedResource:
    address: str
    type: str
    action: str  # update (changed outside Terraform) or delete (gone)
    attributes: list[Attribute] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _any_true(marks: Any) -> bool:
    """True when a sensitivity mark (`before_sensitive`/`after_sensitive`) marks anything inside."""
    if marks is True:
        return True
    if isinstance(marks, Mapping):
        return any(_any_true(value) for value in marks.values())
    if isinstance(marks, list):
        return any(_any_true(value) for value in marks)
    return False


def _sensitive(marks: Any, name: str) -> bool:
    if marks is True:
        return True
    return isinstance(marks, Mapping) and _any_true(marks.get(name))


def _shown(value: Any, masked: bool) -> Any:
    if masked:
        return MASK
    if isinstance(value, (dict, list)):
        text = json.dumps(value, sort_keys=True)
        return value if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 3] + "..."
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS - 3] + "..."
    return value


def _same(before: Any, after: Any) -> bool:
    """Equal, counting null and an empty map, list or string as the same (the provider's refresh
    fills in empty defaults the state held as null: no change made outside Terraform)."""
    empty = (None, {}, [], "")
    return before == after or (before in empty and after in empty)


def differing(change: Mapping[str, Any]) -> list[Attribute]:
    """The top-level attributes whose values differ between before and after (sensitive ones masked)."""
    before = change.get("before") or {}
    after = change.get("after") or {}
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    out = []
    for name in sorted(set(before) | set(after)):
        if _same(before.get(name), after.get(name)):
            continue
        masked = _sensitive(change.get("before_sensitive"), name) or _sensitive(change.get("after_sensitive"), name)
        out.append(Attribute(name, _shown(before.get(name), masked), _shown(after.get(name), masked)))
    return out


def drifted(plan: Mapping[str, Any]) -> list[DriftedResource]:
    """The managed resources that changed outside Terraform and that the plan changes back, in
    address order. A difference the plan leaves alone (a value the provider only normalises on
    refresh) is not drift."""
    changing = {str(rc.get("address", "")) for rc in plan.get("resource_changes") or []
                if list((rc.get("change") or {}).get("actions") or []) not in (["no-op"], ["read"], [])}
    relevant: dict[str, set[str]] = {}
    for item in plan.get("relevant_attributes") or []:
        path = item.get("attribute") or []
        if path:
            relevant.setdefault(str(item.get("resource", "")), set()).add(str(path[0]))
    found = []
    for item in plan.get("resource_drift") or []:
        address = str(item.get("address", ""))
        if item.get("mode", "managed") != "managed" or address not in changing:
            continue
        change = item.get("change") or {}
        actions = list(change.get("actions") or [])
        if actions in (["no-op"], ["read"], []):
            continue
        action = "delete" if "delete" in actions and not change.get("after") else "update"
        attributes = differing(change) if action == "update" else []
        if action == "update" and relevant.get(address):
            attributes = [a for a in attributes if a.name in relevant[address]] or attributes
        if action == "update" and not attributes:
            continue  # only empty values filled in by the refresh
        found.append(DriftedResource(address, str(item.get("type", "")), action, attributes))
    return sorted(found, key=lambda r: r.address)


def deployed(state: Mapping[str, Any]) -> bool:
    """True when a state (`terraform show -json`) holds at least one managed resource."""
    modules = [(state.get("values") or {}).get("root_module") or {}]
    while modules:
        module = modules.pop()
        if any(r.get("mode", "managed") == "managed" for r in module.get("resources") or []):
            return True
        modules.extend(module.get("child_modules") or [])
    return False


def exit_code(codes: Sequence[int]) -> int:
    """The exit code of a drift run over targets: 28 (nothing deployed) only when no target has a
    deployed state; otherwise a target with nothing deployed counts as in sync, and the rest is
    executor.worst: an error beats 2 (drift found), which beats 0 (in sync)."""
    from bcce_tf.executor import NOT_RUN, worst

    nothing = int(ExitCode.NOTHING_DEPLOYED)
    ran = [code for code in codes if code != NOT_RUN]
    if ran and all(code == nothing for code in ran):
        return nothing
    return worst([0 if code == nothing else code for code in codes])


def render_text(records: Sequence[Mapping[str, Any]]) -> str:
    """The report, one block per target: in sync, not deployed, not checked (an error), or each
    drifted resource with the attributes that differ."""
    lines = []
    for record in records:
        label = record.get("target", "")
        items = record.get("drifted")
        if record.get("deployed") is False:
            lines.append(f"{label}: nothing deployed")
        elif items is None:
            reason = record.get("error") or "see its log"
            lines.append(f"{label}: not checked ({reason})")
        elif not items:
            lines.append(f"{label}: in sync")
        else:
            lines.append(f"{label}: {len(items)} resource(s) changed outside Terraform")
            for item in items:
                if item["action"] == "delete":
                    lines.append(f"  - {item['address']} (deleted)")
                    continue
                lines.append(f"  ~ {item['address']}")
                for attribute in item["attributes"]:
                    lines.append(f"      {attribute['name']}: {json.dumps(attribute['before'])} -> {json.dumps(attribute['after'])}")
    return "\n".join(lines)
