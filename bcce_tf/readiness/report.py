"""Readiness report formats: text for a terminal, JSON for programs, Markdown for a pull-request
comment or a GitHub step summary, JUnit XML for CI test panels. Pure functions of a Report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from bcce_tf.readiness.model import CheckResult, Report, Status, by_category
from bcce_tf.readiness.score import WEIGHTS

FORMATS = ("text", "json", "markdown", "junit")

TEXT_MARKS = {Status.PASSED: "PASS", Status.WARNING: "WARN", Status.FAILED: "FAIL", Status.NOT_CHECKED: "SKIP"}
MARKDOWN_MARKS = {Status.PASSED: "✅", Status.WARNING: "⚠️", Status.FAILED: "❌", Status.NOT_CHECKED: "⏭️"}
STATUS_WORDS = {Status.PASSED: "passed", Status.WARNING: "warning", Status.FAILED: "failed", Status.NOT_CHECKED: "not checked"}


def render(report: Report, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format '{fmt}'; one of {', '.join(FORMATS)}")
    return {"text": to_text, "json": to_json, "markdown": to_markdown, "junit": to_junit}[fmt](report)


def verdict_line(report: Report) -> str:
    head = f"Readiness score: {report.score}/100 (minimum {report.min_score}): {report.status.upper()}"
    reasons = report.blocked_because()
    return head + (f" - {'; '.join(reasons)}" if reasons else "")


def _counts_line(report: Report) -> str:
    counts = report.counts()
    return ", ".join(f"{counts[s.value]} {STATUS_WORDS[s]}" for s in Status)


def to_text(report: Report) -> str:
    lines: list[str] = []
    scope = ", ".join(report.regions) or "no region"
    account = report.facts.get("account_id")
    lines.append(f"Readiness of {scope}" + (f" (account {account})" if account else ""))
    for category, results in by_category(report.results):
        lines.append("")
        lines.append(f"{category.label}:")
        for r in results:
            lines.append(f"  [{TEXT_MARKS[r.status]}] {r.title} ({r.id}, {r.impact.value})")
            lines.append(f"         {r.evidence}")
            if r.remediation and r.status in (Status.WARNING, Status.FAILED):
                lines.append(f"         fix: {r.remediation}")
    lines.append("")
    lines.append(_counts_line(report))
    lines.append(verdict_line(report))
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False) + "\n"


def _cell(text: str) -> str:
    """Text safe inside one Markdown table cell."""
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


def to_markdown(report: Report) -> str:
    icon = "✅" if report.ready else "❌"
    lines = [f"## {icon} bcce readiness: {report.score}/100 ({report.status})", ""]
    scope = ", ".join(report.regions) or "no region"
    account = report.facts.get("account_id")
    lines.append(f"Minimum score **{report.min_score}** · regions {scope}" + (f" · account `{account}`" if account else "")
                 + f" · {_counts_line(report)}")
    reasons = report.blocked_because()
    if reasons:
        lines.append("")
        lines += [f"- **Blocked:** {_cell(reason)}" for reason in reasons]
    lines += ["", "| | Check | Impact | Evidence |", "|---|---|---|---|"]
    for r in report.results:
        lines.append(f"| {MARKDOWN_MARKS[r.status]} | {_cell(r.title)} `{r.id}` | {r.impact.value} | {_cell(r.evidence)} |")
    todo = [r for r in report.results if r.status in (Status.FAILED, Status.WARNING) and r.remediation]
    if todo:
        lines += ["", "<details><summary>What to fix</summary>", ""]
        lines += [f"- `{r.id}`: {_cell(r.remediation)}" for r in todo]
        lines += ["", "</details>"]
    weights = ", ".join(f"{impact.value} {weight}" for impact, weight in WEIGHTS.items())
    lines += ["", f"<sub>Score: weights {weights}; passed counts fully, a warning half, failed and not checked "
                  "nothing. A critical failure blocks whatever the score.</sub>", ""]
    return "\n".join(lines)


def _testcase(suite: ET.Element, r: CheckResult) -> None:
    case = ET.SubElement(suite, "testcase", {"classname": f"bcce.readiness.{r.category.value}", "name": r.id,
                                             "time": f"{r.duration:.3f}"})
    if r.status is Status.FAILED:
        failure = ET.SubElement(case, "failure", {"message": r.evidence, "type": f"{r.impact.value}"})
        failure.text = f"{r.title}\n{r.evidence}" + (f"\nfix: {r.remediation}" if r.remediation else "")
    elif r.status is Status.NOT_CHECKED:
        ET.SubElement(case, "skipped", {"message": r.evidence})
    else:
        out = ET.SubElement(case, "system-out")
        out.text = f"{STATUS_WORDS[r.status]}: {r.evidence}" + (f"\nfix: {r.remediation}" if r.status is Status.WARNING and r.remediation else "")


def to_junit(report: Report) -> str:
    counts = report.counts()
    root = ET.Element("testsuites", {"name": "bcce readiness", "tests": str(len(report.results)),
                                     "failures": str(counts["failed"]), "skipped": str(counts["not_checked"]),
                                     "errors": "0"})
    suite = ET.SubElement(root, "testsuite", {
        "name": "bcce readiness", "tests": str(len(report.results)), "failures": str(counts["failed"]),
        "skipped": str(counts["not_checked"]), "errors": "0",
        "time": f"{sum(r.duration for r in report.results):.3f}",
    })
    props = ET.SubElement(suite, "properties")
    for name, value in (("score", str(report.score)), ("min_score", str(report.min_score)), ("status", report.status)):
        ET.SubElement(props, "property", {"name": name, "value": value})
    for r in report.results:
        _testcase(suite, r)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
