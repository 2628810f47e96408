"""One report from the per-target results of several runs (CI jobs of a matrix, or one run over
several targets): a Markdown comment and a JUnit file. Pure functions only.

Accepted inputs (JSON): the `--json` output of `bcce plan` or `bcce drift` over several targets
({"targets": [...]}), `bcce drift --format json` of one target, and the plan summaries of one
target (`bcce plan --json`: a list; `bcce-plan-summary.json`: one), labelled with their file name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bcce_tf.errors import UsageError


@dataclass
class Row:
    target: str
    result: str  # ok, changes, drift, failed, not run, not deployed, interrupted
    exit_code: int | None = None
    add: int | None = None
    change: int | None = None
    destroy: int | None = None
    readiness_score: int | None = None
    duration_seconds: float | None = None
    drifted: list[str] = field(default_factory=list)
    error: str = ""
    source: str = ""


def _plan_counts(summaries: Sequence[Mapping[str, Any]]) -> tuple[int, int, int]:
    return (sum(int(s.get("add", 0)) for s in summaries), sum(int(s.get("change", 0)) for s in summaries),
            sum(int(s.get("destroy", 0)) for s in summaries))


def _is_summary(item: Any) -> bool:
    return isinstance(item, Mapping) and {"add", "change", "destroy"} <= set(item)


def rows_of(name: str, data: Any) -> list[Row]:
    """The rows one input file gives; UsageError naming the file when it is none of the inputs above."""
    if isinstance(data, Mapping) and isinstance(data.get("targets"), list):
        rows = []
        for item in data["targets"]:
            if not isinstance(item, Mapping) or "target" not in item:
                raise UsageError(f"{name}: each entry of 'targets' needs a 'target'")
            row = Row(target=str(item["target"]), result=str(item.get("result", "")), source=name,
                      exit_code=item.get("exit_code"), readiness_score=item.get("readiness_score"),
                      duration_seconds=item.get("duration_seconds"), error=str(item.get("error", "") or ""))
            summaries = item.get("summaries")
            if isinstance(summaries, list) and all(_is_summary(s) for s in summaries):
                row.add, row.change, row.destroy = _plan_counts(summaries)
            if isinstance(item.get("drifted"), list):
                row.drifted = [str(d.get("address", "")) for d in item["drifted"] if isinstance(d, Mapping)]
                if not row.result:  # `bcce drift --format json` of one target
                    row.result = ("not deployed" if item.get("deployed") is False else "drift" if row.drifted else "ok")
            if not row.result:
                raise UsageError(f"{name}: target {row.target} has no 'result'")
            rows.append(row)
        return rows
    summaries = [data] if _is_summary(data) else data if isinstance(data, list) and data and all(map(_is_summary, data)) else None
    if summaries is None:
        raise UsageError(f"{name}: not a bcce result: expected the --json output of plan or drift, or a plan summary")
    add, change, destroy = _plan_counts(summaries)
    scores = [s.get("readiness_score") for s in summaries if s.get("readiness_score") is not None]
    changed = any(s.get("has_changes", bool(s.get("add") or s.get("change") or s.get("destroy"))) for s in summaries)
    return [Row(target=name, result="changes" if changed else "ok", add=add, change=change, destroy=destroy,
                readiness_score=min(scores) if scores else None, source=name)]


def merge(inputs: Sequence[tuple[str, Any]]) -> list[Row]:
    """Every row of every input, in target order; the same target twice is refused."""
    rows: list[Row] = []
    seen: dict[str, str] = {}
    for name, data in inputs:
        for row in rows_of(name, data):
            if row.target in seen:
                raise UsageError(f"target {row.target} is in both {seen[row.target]} and {name}")
            seen[row.target] = name
            rows.append(row)
    return sorted(rows, key=lambda r: r.target)


MARKS = {"ok": "✅", "changes": "📝", "drift": "⚠️", "not deployed": "➖", "not run": "⏭️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def _n(value: Any) -> str:
    return "-" if value is None else str(value)


def failed(row: Row) -> bool:
    return row.result not in MARKS


def to_markdown(rows: Sequence[Row]) -> str:
    bad = [r for r in rows if failed(r)]
    drifted = [r for r in rows if r.result == "drift"]
    title = "❌" if bad else "⚠️" if drifted else "✅"
    lines = [f"## {title} bcce: {len(rows)} targets", "",
             f"{sum(r.result == 'ok' for r in rows)} ok · {sum(r.result == 'changes' for r in rows)} with changes · "
             f"{len(drifted)} drifted · {len(bad)} failed", "",
             "| | Target | Result | Add | Change | Destroy | Readiness | Exit |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        score = "-" if r.readiness_score is None else f"{r.readiness_score}/100"
        lines.append(f"| {MARKS.get(r.result, '❌')} | `{_cell(r.target)}` | {_cell(r.result)} | {_n(r.add)} | {_n(r.change)} | "
                     f"{_n(r.destroy)} | {score} | {_n(r.exit_code)} |")
    details = [r for r in rows if r.error or r.drifted]
    if details:
        lines += ["", "<details><summary>Errors and drift</summary>", ""]
        for r in details:
            if r.error:
                lines.append(f"- `{_cell(r.target)}`: {_cell(r.error)}")
            for address in r.drifted:
                lines.append(f"- `{_cell(r.target)}`: `{_cell(address)}` changed outside Terraform")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def to_junit(rows: Sequence[Row]) -> str:
    """One testcase per target: a failure when it failed or drifted, skipped when it did not run."""
    failures = sum(failed(r) or r.result == "drift" for r in rows)
    skipped = sum(r.result in ("not run", "not deployed") for r in rows)
    attrs = {"name": "bcce targets", "tests": str(len(rows)), "failures": str(failures), "skipped": str(skipped), "errors": "0"}
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", {**attrs, "time": f"{sum(r.duration_seconds or 0 for r in rows):.3f}"})
    for r in rows:
        case = ET.SubElement(suite, "testcase", {"classname": "bcce.targets", "name": r.target,
                                                 "time": f"{r.duration_seconds or 0:.3f}"})
        if failed(r):
            failure = ET.SubElement(case, "failure", {"message": r.error or r.result, "type": r.result})
            failure.text = f"{r.result} (exit {_n(r.exit_code)})" + (f": {r.error}" if r.error else "")
        elif r.result == "drift":
            failure = ET.SubElement(case, "failure", {"message": f"{len(r.drifted)} resource(s) changed outside Terraform",
                                                      "type": "drift"})
            failure.text = "\n".join(r.drifted)
        elif r.result in ("not run", "not deployed"):
            ET.SubElement(case, "skipped", {"message": r.result})
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"{r.result}: add {_n(r.add)}, change {_n(r.change)}, destroy {_n(r.destroy)}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
