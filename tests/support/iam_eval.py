"""A small IAM policy evaluator for testing policy documents as documents.

It follows the parts of AWS's evaluation logic that bcce's policies use:

- a request is (action, resource, context); context keys are compared case-insensitively;
- a statement applies when its Action/NotAction, Resource/NotResource and every Condition match;
- an applicable Deny wins over any Allow; with no applicable Allow the answer is the implicit deny;
- Action and Resource wildcards: ``*`` (any run of characters, also empty) and ``?`` (one character);
  actions compare case-insensitively, resources case-sensitively;
- condition operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringLike,
  StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Bool, Null, each with an optional
  ``IfExists`` suffix, and the ``ForAnyValue:``/``ForAllValues:`` set prefixes;
- several values under one key: any may match (for negated operators: none may match); several keys
  or operators in one block: all must match;
- a key missing from the context fails a positive operator, passes a negated one (as in AWS), and is
  what Null tests; ``...IfExists`` passes when the key is missing.

It is no replacement for the IAM policy simulator (moto does not offer one): it knows no policy
variables, no numeric or date operators and no resource-based/SCP/boundary interplay.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["allow", "explicit-deny", "implicit-deny"]

# API operations that have no IAM action of their own, and the action AWS authorizes them with
# (Bedrock user guide, "Prerequisites for running model inference").
AUTHORIZED_AS = {
    "bedrock:Converse": "bedrock:InvokeModel",
    "bedrock:ConverseStream": "bedrock:InvokeModelWithResponseStream",
}


def authorizing_action(operation: str) -> str:
    """The IAM action AWS checks for an API call `service:Operation`."""
    return AUTHORIZED_AS.get(operation, operation)


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    decision: Decision
    allowed_by: tuple[str, ...] = ()
    denied_by: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"


class PolicyError(ValueError):
    """The document is not a policy this evaluator understands."""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM-style glob: * matches any run of characters (also none), ? exactly one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def arn_match(pattern: str, value: str) -> bool:
    """ArnLike: the six colon-separated parts match one by one; the last part may hold colons."""
    p_parts = pattern.split(":", 5)
    v_parts = value.split(":", 5)
    if len(p_parts) != 6 or len(v_parts) != 6:
        return False
    return all(wildcard_match(p, v) for p, v in zip(p_parts, v_parts, strict=True))


def _normalise_bool(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


_POSITIVE: dict[str, Any] = {
    "StringEquals": lambda expected, actual: str(expected) == str(actual),
    "StringEqualsIgnoreCase": lambda expected, actual: str(expected).lower() == str(actual).lower(),
    "StringLike": lambda expected, actual: wildcard_match(str(expected), str(actual)),
    "ArnEquals": lambda expected, actual: str(expected) == str(actual),
    "ArnLike": lambda expected, actual: arn_match(str(expected), str(actual)),
    "Bool": lambda expected, actual: _normalise_bool(expected) == _normalise_bool(actual),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
OPERATORS = frozenset(_POSITIVE) | frozenset(_NEGATED) | {"Null"}


def _lookup(context: Mapping[str, Any], key: str) -> tuple[bool, list[Any]]:
    for name, value in context.items():
        if name.lower() == key.lower():
            return True, _as_list(value)
    return False, []


def _condition_matches(operator: str, key: str, expected: list[Any], context: Mapping[str, Any]) -> bool:
    set_prefix = None
    if ":" in operator:
        set_prefix, operator = operator.split(":", 1)
        if set_prefix not in ("ForAnyValue", "ForAllValues"):
            raise PolicyError(f"unknown condition set operator {set_prefix!r}")
    if_exists = operator.endswith("IfExists") and operator != "IfExists"
    base = operator.removesuffix("IfExists") if if_exists else operator
    if base not in OPERATORS:
        raise PolicyError(f"condition operator {operator!r} is not supported by this evaluator")
    present, actual = _lookup(context, key)

    if base == "Null":
        # Null: "true" means the key must be absent, "false" that it must be present.
        return any(_normalise_bool(e) == ("false" if present else "true") for e in expected)
    if not present:
        if if_exists:
            return True
        if set_prefix == "ForAllValues":
            return True
        return base in _NEGATED

    negated = base in _NEGATED
    compare = _POSITIVE[_NEGATED.get(base, base)]

    def one(value: Any) -> bool:
        hit = any(compare(e, value) for e in expected)
        return not hit if negated else hit

    if set_prefix == "ForAllValues":
        return all(one(v) for v in actual)
    if set_prefix == "ForAnyValue":
        return any(one(v) for v in actual)
    if len(actual) != 1:
        # A single-valued operator on a multi-valued key: AWS needs a set operator for that.
        return False
    return one(actual[0])


def _conditions_match(block: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    for operator, keys in block.items():
        if not isinstance(keys, Mapping):
            raise PolicyError(f"condition {operator!r} must map keys to values")
        for key, expected in keys.items():
            if not _condition_matches(operator, key, _as_list(expected), context):
                return False
    return True


def _matches_any(patterns: Iterable[str], value: str, *, ignore_case: bool) -> bool:
    return any(wildcard_match(p, value, ignore_case=ignore_case) for p in patterns)


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "Action" in statement:
        if not _matches_any(_as_list(statement["Action"]), request.action, ignore_case=True):
            return False
    elif "NotAction" in statement:
        if _matches_any(_as_list(statement["NotAction"]), request.action, ignore_case=True):
            return False
    else:
        raise PolicyError("a statement needs Action or NotAction")
    if "Resource" in statement:
        if not _matches_any(_as_list(statement["Resource"]), request.resource, ignore_case=False):
            return False
    elif "NotResource" in statement:
        if _matches_any(_as_list(statement["NotResource"]), request.resource, ignore_case=False):
            return False
    else:
        raise PolicyError("an identity policy statement needs Resource or NotResource")
    return _conditions_match(statement.get("Condition", {}), request.context)


def statements(policy: str | Mapping[str, Any]) -> list[Mapping[str, Any]]:
    document = json.loads(policy) if isinstance(policy, str) else policy
    found = _as_list(document.get("Statement"))
    for st in found:
        if st.get("Effect") not in ("Allow", "Deny"):
            raise PolicyError(f"statement {st.get('Sid', '?')!r}: Effect must be Allow or Deny")
    return found


def evaluate(policies: str | Mapping[str, Any] | list[str | Mapping[str, Any]], request: Request) -> Result:
    """Decide one request against one or more identity policies."""
    docs = policies if isinstance(policies, list) else [policies]
    allowed_by: list[str] = []
    denied_by: list[str] = []
    for doc in docs:
        for index, st in enumerate(statements(doc)):
            if statement_applies(st, request):
                label = st.get("Sid") or f"#{index}"
                (allowed_by if st["Effect"] == "Allow" else denied_by).append(label)
    if denied_by:
        return Result("explicit-deny", tuple(allowed_by), tuple(denied_by))
    if allowed_by:
        return Result("allow", tuple(allowed_by))
    return Result("implicit-deny")


def is_allowed(policies: str | Mapping[str, Any] | list[str | Mapping[str, Any]], action: str, resource: str,
               context: Mapping[str, Any] | None = None) -> bool:
    return evaluate(policies, Request(action, resource, context or {})).allowed
