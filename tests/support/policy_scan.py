"""Every policy a test stack applied, checked against AWS's catalogue (bcce_tf.policies) and scanned
with cloudsplaining for privilege escalation, resource exposure and data exfiltration.

cloudsplaining judges identity policies (what a principal may do), so it scans the IAM policies,
role policies and permission set policies; trust policies and resource policies (key, bucket, topic)
are checked against the catalogue only. It flags statements whose Resource is "*" (its default):
scoped statements are the remedy it recommends.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bcce_tf.policies.check import check_policies
from bcce_tf.policies.extract import policies_from_show_json

IDENTITY_POLICY_ATTRIBUTES = {
    ("aws_iam_policy", "policy"),
    ("aws_iam_role_policy", "policy"),
    ("aws_ssoadmin_permission_set_inline_policy", "inline_policy"),
}
RISKS = ("PrivilegeEscalation", "ResourceExposure", "DataExfiltration")
TEMPLATES = Path(__file__).resolve().parents[2] / "terraform"
# An accepted finding is written next to its statement in the template:
#   # cloudsplaining:<Risk>:<Sid>: <reason>
ACCEPTED = re.compile(r"#\s*cloudsplaining:(\w+):(\w+):\s*(\S.*)$", re.M)


def accepted_findings() -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for path in TEMPLATES.rglob("*.tf*"):
        for risk, sid, reason in ACCEPTED.findall(path.read_text(encoding="utf-8")):
            found[(risk, sid)] = reason
    return found


def _kind_and_attribute(address: str) -> tuple[str, str]:
    parts = address.split(".")
    attribute = parts[-1]
    kind = next(p for p in parts[:-1] if p.startswith("aws_"))
    return kind, attribute


def cloudsplaining_findings(documents: list[tuple[str, dict[str, Any]]]) -> list[str]:
    from cloudsplaining.command.scan_policy_file import scan_policy

    accepted = accepted_findings()
    problems: list[str] = []
    for where, document in documents:
        if _kind_and_attribute(where) not in IDENTITY_POLICY_ATTRIBUTES:
            continue
        results = scan_policy(document)
        for risk in RISKS:
            for finding in (results.get(risk) or {}).get("findings", []) or []:
                actions = finding.get("actions", []) if isinstance(finding, dict) else [finding]
                sids = _statements_with(document, actions)
                if not sids or not all((risk, sid) in accepted for sid in sids):
                    problems.append(f"{where}: {risk}: {finding} (statements {', '.join(sids) or '?'})")
    return problems


def _statements_with(document: dict[str, Any], actions: list[str]) -> list[str]:
    wanted = {a.lower() for a in actions}
    sids = []
    for statement in document.get("Statement", []):
        listed = statement.get("Action", [])
        listed = [listed] if isinstance(listed, str) else listed
        if statement.get("Resource") in ("*", ["*"]) and {a.lower() for a in listed} & wanted:
            sids.append(str(statement.get("Sid", "")))
    return sids


def assert_policies_clean(show: dict[str, Any]) -> int:
    """Fails with every finding; returns how many policy documents were checked."""
    documents = policies_from_show_json(show)
    findings = [str(f) for f in check_policies(documents)] + cloudsplaining_findings(documents)
    assert not findings, "policies fail the IAM catalogue or cloudsplaining:\n" + "\n".join(findings)
    return len(documents)
