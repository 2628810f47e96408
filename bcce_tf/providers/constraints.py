"""Terraform's provider version constraints ("~> 5.49", ">= 3.39.0, < 6.0"), as Terraform reads them.

Operators: ``=`` (or none), ``!=``, ``>``, ``>=``, ``<``, ``<=`` and ``~>`` (only the right-most
given part may grow: ``~> 5.49`` is ``>= 5.49.0, < 6.0.0``; ``~> 5.49.1`` is ``>= 5.49.1, < 5.50.0``).
A pre-release version (``6.0.0-beta1``) satisfies only a constraint that names it exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")
_CLAUSE = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$")


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: str = ""

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a version (expected MAJOR.MINOR.PATCH)")
        major, minor, patch, pre = match.groups()
        return cls(int(major), int(minor or 0), int(patch or 0), pre or "")

    def key(self) -> tuple[int, int, int, int, str]:
        # A pre-release sorts before its release.
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, self.prerelease)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}" + (f"-{self.prerelease}" if self.prerelease else "")


@dataclass(frozen=True)
class Clause:
    operator: str
    version: Version
    parts: int  # how many numeric parts the constraint wrote (for ~>)

    def allows(self, candidate: Version) -> bool:
        c, v = candidate.key(), self.version.key()
        if self.operator == "=":
            return c == v
        if self.operator == "!=":
            return c != v
        if candidate.prerelease:
            return False
        if self.operator == ">":
            return c > v
        if self.operator == ">=":
            return c >= v
        if self.operator == "<":
            return c < v
        if self.operator == "<=":
            return c <= v
        # "~>": at least the version, and below the next step of the part before the last written one.
        if c < v:
            return False
        if self.parts <= 2:
            return candidate.major == self.version.major
        return (candidate.major, candidate.minor) == (self.version.major, self.version.minor)


def parse_constraint(text: str) -> tuple[Clause, ...]:
    """Parse a comma-separated constraint; raises ValueError naming the clause it cannot read."""
    clauses = []
    for raw in text.split(","):
        match = _CLAUSE.match(raw)
        if not match:
            raise ValueError(f"{raw.strip()!r} in {text!r} is not a version constraint")
        operator, version_text = match.group(1) or "=", match.group(2)
        version = Version.parse(version_text)
        parts = len(version_text.lstrip("v").split("-")[0].split("+")[0].split("."))
        clauses.append(Clause(operator, version, parts))
    return tuple(clauses)


def satisfies(version: str, constraints: tuple[str, ...] | list[str]) -> bool:
    """Whether ``version`` meets every constraint (an unparseable version meets none)."""
    try:
        candidate = Version.parse(version)
    except ValueError:
        return False
    return all(clause.allows(candidate) for text in constraints for clause in parse_constraint(text))


def newest(versions: list[str], constraints: tuple[str, ...] | list[str]) -> str | None:
    """The newest of ``versions`` that meets ``constraints`` (Terraform picks the newest too)."""
    matching = [v for v in versions if satisfies(v, constraints)]
    return max(matching, key=lambda v: Version.parse(v).key()) if matching else None
