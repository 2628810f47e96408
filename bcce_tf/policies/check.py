"""Checks of one IAM policy document against AWS's catalogue (pure: a document in, findings out)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bcce_tf.policies import catalogue

# Terraform interpolations left in a policy read from HCL (not from the rendered JSON), and IAM
# policy variables: each stands for some value, which is all the ARN check needs to know.
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\*|\?")


@dataclass(frozen=True)
class PolicyFinding:
    policy: str  # where the document comes from: a Terraform address and attribute, or file:line
    statement: str  # Sid, or the statement's position
    message: str

    def __str__(self) -> str:
        return f"{self.policy}: statement {self.statement}: {self.message}"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


# Tokens of an ARN pattern: a character, ANY (a policy's * or ?, a Terraform interpolation, or a
# catalogue placeholder such as ${ResourceId}), or SEGMENT (${Partition}, ${Region}, ${Account}: never
# spans a ':').
ANY, SEGMENT = "\x00any", "\x00segment"
SEGMENT_PLACEHOLDERS = frozenset({"${Partition}", "${Region}", "${Account}"})


def glob_tokens(pattern: str) -> list[str]:
    tokens: list[str] = []
    for piece in re.split(f"({_PLACEHOLDER.pattern})", pattern):
        if not piece:
            continue
        if _PLACEHOLDER.fullmatch(piece):
            tokens.append(SEGMENT if piece in SEGMENT_PLACEHOLDERS else ANY)
        else:
            tokens.extend(piece.lower())
    return tokens


def _eats(wildcard: str, token: str) -> bool:
    """A wildcard can take in one more character, or the start of another wildcard's text."""
    return wildcard == ANY or token in (ANY, SEGMENT) or token != ":"


def globs_overlap(left: str, right: str) -> bool:
    """Some ARN matches both patterns."""
    a, b = glob_tokens(left), glob_tokens(right)
    wild = (ANY, SEGMENT)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] in wild:
            stack.append((i + 1, j))
            if j < len(b) and _eats(a[i], b[j]):
                stack.append((i, j + 1))
        if j < len(b) and b[j] in wild:
            stack.append((i, j + 1))
            if i < len(a) and _eats(b[j], a[i]):
                stack.append((i + 1, j))
        if i < len(a) and j < len(b) and a[i] not in wild and a[i] == b[j]:
            stack.append((i + 1, j + 1))
    return False


def _arn_matches(actions: list[catalogue.Action], arn: str) -> bool:
    for action in actions:
        for resource_type in action.resource_types:
            template = catalogue.arn_template(action.service, resource_type)
            if template is not None and globs_overlap(arn, template):
                return True
    return False


def _resolved(actions: list[str], where: str, sid: str, findings: list[PolicyFinding]) -> list[list[catalogue.Action]]:
    """The catalogue actions of each Action pattern of a statement, one group per pattern."""
    found: list[list[catalogue.Action]] = []
    for pattern in actions:
        if pattern == "*":
            continue
        if ":" not in pattern:
            findings.append(PolicyFinding(where, sid, f"action '{pattern}' is not of the form service:Action"))
            continue
        prefix = pattern.split(":", 1)[0]
        if prefix.lower() not in catalogue.services():
            findings.append(PolicyFinding(where, sid, f"action '{pattern}': no AWS service has the prefix '{prefix}'"))
            continue
        matched = catalogue.match_actions(pattern)
        if not matched:
            findings.append(PolicyFinding(where, sid, f"action '{pattern}' does not exist in service '{prefix}'"))
        else:
            found.append(matched)
    return found


def check_policy(document: dict[str, Any], where: str) -> list[PolicyFinding]:
    """Each action exists; each condition key is global or valid for every action of its statement;
    each resource ARN is a resource type of its actions, and each action that can be scoped has a
    resource it applies to; no Allow with NotAction or NotResource."""
    findings: list[PolicyFinding] = []
    statements = _as_list(document.get("Statement"))
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            findings.append(PolicyFinding(where, str(index), "a statement must be an object"))
            continue
        sid = str(statement.get("Sid") or f"#{index}")
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            findings.append(PolicyFinding(where, sid, f"Effect must be Allow or Deny, not {effect!r}"))
        if effect == "Allow":
            for element in ("NotAction", "NotResource"):
                if element in statement:
                    findings.append(PolicyFinding(where, sid, f"Allow with {element} grants everything it does not name"))
        names = _as_list(statement.get("Action")) + _as_list(statement.get("NotAction"))
        groups = _resolved([str(a) for a in names], where, sid, findings)
        _check_conditions(statement, groups, where, sid, findings)
        if "Action" in statement and "Action" not in statement.get("_incomplete", ()):
            _check_resources(statement, groups, where, sid, findings)
    return findings


def _check_conditions(statement: dict[str, Any], groups: list[list[catalogue.Action]], where: str, sid: str,
                      findings: list[PolicyFinding]) -> None:
    conditions = statement.get("Condition") or {}
    if not isinstance(conditions, dict):
        findings.append(PolicyFinding(where, sid, "Condition must be an object"))
        return
    for operator, block in conditions.items():
        for key in (block or {}):
            if catalogue.is_global_key(key):
                continue
            if not catalogue.key_known(key):
                findings.append(PolicyFinding(where, sid, f"condition key '{key}' ({operator}) does not exist"))
                continue
            # For a NotAction statement the actions are those it excludes: no per-action rule applies.
            if "Action" not in statement:
                continue
            # A wildcard pattern (kms:Encrypt*) needs the key to apply to one of the actions it names.
            invalid = sorted({_name(group) for group in groups if not any(catalogue.key_valid_for(a, key) for a in group)})
            if invalid:
                shown = ", ".join(invalid[:4]) + (f" and {len(invalid) - 4} more" if len(invalid) > 4 else "")
                findings.append(PolicyFinding(where, sid, f"condition key '{key}' ({operator}) does not apply to {shown}"))


def _name(group: list[catalogue.Action]) -> str:
    if len(group) == 1:
        return f"{group[0].service}:{group[0].name}"
    return f"{group[0].service}:* ({len(group)} actions)"


def _check_resources(statement: dict[str, Any], groups: list[list[catalogue.Action]], where: str, sid: str,
                     findings: list[PolicyFinding]) -> None:
    actions = [a for group in groups for a in group]
    resources = [str(r) for r in _as_list(statement.get("Resource"))]
    if not resources or "*" in resources or not actions:
        return
    # Read from HCL, some resources may be computed: only the ones written out are checked.
    complete = "Resource" not in statement.get("_incomplete", ())
    for arn in resources:
        if not arn.startswith("arn:"):
            findings.append(PolicyFinding(where, sid, f"resource '{arn}' is not an ARN"))
        elif not _arn_matches(actions, arn):
            findings.append(PolicyFinding(where, sid, f"resource '{arn}' is no resource type of the statement's actions"))
    if not complete:
        return
    arns = [arn for arn in resources if arn.startswith("arn:")]
    # Each pattern must apply to one of the resources (a wildcard pattern through one of its actions).
    for group in groups:
        if not any(a.resource_types for a in group):
            continue
        if not any(_arn_matches([action], arn) for action in group for arn in arns):
            findings.append(PolicyFinding(where, sid, f"{_name(group)} applies to none of the statement's resources"))
    # Actions named one by one that have no resource-level permissions are authorized only on "*":
    # a narrower Resource makes the statement grant nothing for them.
    unscoped = sorted(f"{g[0].service}:{g[0].name}" for g in groups if len(g) == 1 and not g[0].resource_types)
    if unscoped:
        findings.append(PolicyFinding(where, sid, f"{', '.join(unscoped)} support only Resource \"*\""))


def check_policies(documents: Iterable[tuple[str, dict[str, Any]]]) -> list[PolicyFinding]:
    findings: list[PolicyFinding] = []
    for where, document in documents:
        findings += check_policy(document, where)
    return findings
