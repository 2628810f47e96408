"""`bcce doctor` output: text, JSON and Markdown of the health results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bcce_tf.health.model import Health, HealthResult, counts, verdict

MARKS = {Health.HEALTHY: "ok", Health.DEGRADED: "DEGRADED", Health.UNHEALTHY: "UNHEALTHY", Health.NOT_CHECKED: "not checked"}


def verdict_line(results: Sequence[HealthResult]) -> str:
    found = counts(results)
    summary = ", ".join(f"{n} {status}" for status, n in found.items() if n)
    return f"health: {verdict(results).value} ({summary or 'nothing checked'})"


def text_lines(results: Sequence[HealthResult]) -> list[str]:
    lines: list[str] = []
    component = None
    for result in results:
        if result.component != component:
            component = result.component
            lines.append(f"{component}:")
        where = f"{result.stack} " if result.stack else ""
        lines.append(f"  [{MARKS[result.status]}] {where}{result.name}: {result.evidence}")
        if result.fix:
            lines.append(f"      fix: {result.fix}")
    if results:
        lines.append(verdict_line(results))
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(results: Sequence[HealthResult], extra: dict[str, Any] | None = None) -> str:
    lines = [f"### bcce doctor: {verdict(results).value}", "",
             "| component | stack | check | status | evidence | fix |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.component} | {_cell(r.stack or '-')} | {_cell(r.name)} | {r.status.value} | {_cell(r.evidence)} | {_cell(r.fix or '-')} |"
              for r in results]
    return "\n".join(lines) + "\n"


def to_dict(results: Sequence[HealthResult]) -> dict[str, Any]:
    return {"verdict": verdict(results).value, "counts": counts(results), "checks": [r.to_dict() for r in results]}


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=True)
