"""`bcce validate`: checks of a Terraform root as it is on disk, without credentials.

A checker takes the root folder and returns what it found; one that cannot run says so (a
`Skipped` with the reason) instead of passing. Checkers are listed in CHECKERS: a new check is one
more entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # relative to the root checked
    line: int  # 1-based; 0 when it concerns a whole file
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass(frozen=True)
class CheckerResult:
    name: str
    findings: list[Finding] = field(default_factory=list)
    checked: str = ""  # what it looked at, for the summary line
    skipped: str = ""  # why it could not run ("not checked")


Checker = Callable[[Path], CheckerResult]


def iam_policies(root: Path) -> CheckerResult:
    """Every policy written in the root's HCL against AWS's catalogue (bcce_tf.policies)."""
    from bcce_tf.policies.check import check_policy
    from bcce_tf.policies.extract import policies_from_root

    documents = policies_from_root(root)
    findings: list[Finding] = []
    for where, document in documents:
        location, _, label = where.partition(" ")
        file, _, line = location.rpartition(":")
        for problem in check_policy(document, label):
            findings.append(Finding(file, int(line) if line.isdigit() else 0, str(problem)))
    return CheckerResult("iam-policies", sorted(findings), checked=f"{len(documents)} policy document(s)")


def provider_schema(root: Path) -> CheckerResult:
    """hashicorp/aws resources, data sources and provider blocks against the provider's schema,
    and local module calls against the modules' variables (bcce_tf.schema)."""
    from bcce_tf.schema.root import check_root

    outcome = check_root(root)
    findings = [Finding(p.file, p.line, p.message) for p in outcome.problems]
    return CheckerResult("provider-schema", findings, checked=outcome.checked, skipped=outcome.skipped)


CHECKERS: list[Checker] = [provider_schema, iam_policies]


def syntax(root: Path) -> list[Finding]:
    """Files the HCL parser rejects: nothing else can be checked in them."""
    from bcce_tf.policies.extract import load_hcl, terraform_files

    findings = []
    for path in terraform_files(root):
        _, parsed, error = load_hcl(path)
        if parsed is None:
            findings.append(Finding(str(path.relative_to(root)), 0, f"not valid HCL: {error}"))
    return findings


def validate(root: Path, checkers: list[Checker] | None = None) -> tuple[list[Finding], list[CheckerResult]]:
    results = [checker(root) for checker in (CHECKERS if checkers is None else checkers)]
    findings = syntax(root) + [f for r in results for f in r.findings]
    return findings, results
