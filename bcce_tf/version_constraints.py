"""Terraform version constraints (`= 1.2.0`, `>= 5.49.0, < 7.0.0`, `~> 3.39`), as Terraform reads them.

Pure functions: `satisfies("6.25.0", ">= 5.49.0, < 7.0.0")`. Pre-release versions only match a
constraint that names them exactly, as in Terraform.
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$")
_CLAUSE = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$")


class ConstraintError(ValueError):
    """A version or constraint Terraform would not accept either."""


def parse_version(text: str) -> tuple[tuple[int, int, int], str, int]:
    """(numbers, pre-release, how many numbers were written)."""
    match = _VERSION.match(text.strip())
    if not match:
        raise ConstraintError(f"'{text}' is not a version (expected MAJOR[.MINOR[.PATCH]])")
    written = sum(1 for part in match.groups()[:3] if part is not None)
    numbers = tuple(int(part or 0) for part in match.groups()[:3])
    return numbers, match.group(4) or "", written  # type: ignore[return-value]


def _clause_holds(version: tuple[tuple[int, int, int], str, int], operator: str, bound_text: str) -> bool:
    numbers, pre, _ = version
    bound, bound_pre, written = parse_version(bound_text)
    if pre and (operator not in ("", "=") or (numbers, pre) != (bound, bound_pre)):
        return False
    if operator in ("", "="):
        return (numbers, pre) == (bound, bound_pre)
    if operator == "!=":
        return (numbers, pre) != (bound, bound_pre)
    if operator == ">":
        return numbers > bound
    if operator == ">=":
        return numbers >= bound
    if operator == "<":
        return numbers < bound
    if operator == "<=":
        return numbers <= bound
    # ~> : the rightmost written number may grow; the ones before it are fixed.
    if numbers < bound:
        return False
    fixed = max(written - 1, 1)
    return numbers[:fixed] == bound[:fixed]


def satisfies(version: str, constraint: str) -> bool:
    """Whether `version` meets every comma-separated clause of `constraint` (empty: any)."""
    parsed = parse_version(version)
    for clause in filter(None, (part.strip() for part in constraint.split(","))):
        match = _CLAUSE.match(clause)
        if not match:
            raise ConstraintError(f"'{clause}' is not a version constraint")
        if not _clause_holds(parsed, match.group(1) or "", match.group(2)):
            return False
    return True


def newest_satisfying(versions: list[str], constraints: list[str]) -> str | None:
    """The newest of `versions` that meets all `constraints`, or None."""
    fitting = [v for v in versions if all(satisfies(v, c) for c in constraints)]
    return max(fitting, key=lambda v: parse_version(v)[0], default=None)
