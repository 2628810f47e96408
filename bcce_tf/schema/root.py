"""Check one Terraform root on disk against the hashicorp/aws schema its constraints select.

Which schema: the version in the root's `.terraform.lock.hcl` when it names one bcce carries, else
the newest carried version the root's `required_providers` constraints admit (6.25.0 for
generation 5, 3.39.0 for generation 3). Local modules the root calls are followed, also outside it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.schema import check, written
from bcce_tf.version_constraints import ConstraintError, newest_satisfying

CARRIED_VERSIONS = ("6.25.0", "3.39.0")
_LOCKED_AWS = re.compile(r'provider\s+"registry\.terraform\.io/hashicorp/aws"\s*\{[^}]*?version\s*=\s*"([^"]+)"', re.S)
SchemaLoader = Callable[[str], dict[str, Any]]


def load_carried_schema(version: str) -> dict[str, Any]:
    from bcce_tf.providers import default_mirror_dir
    from bcce_tf.schema import source

    if version == source.CDKTF_AWS.provider_version:
        return source.load(source.generation5())
    return source.load(source.generation3(default_mirror_dir(), version))


@dataclass
class RootCheck:
    problems: list[check.Problem] = field(default_factory=list)
    checked: str = ""
    skipped: str = ""


def _terraform_files(folder: Path) -> list[Path]:
    from bcce_tf.policies.extract import terraform_files

    return terraform_files(folder)


def _files_with_modules(root: Path) -> dict[Path, written.Written]:
    """Parsed .tf files of the root, its subfolders, and every local module it calls."""
    parsed: dict[Path, written.Written] = {}
    pending = [root.resolve()]
    seen: set[Path] = set()
    while pending:
        folder = pending.pop()
        if folder in seen or not folder.is_dir():
            continue
        seen.add(folder)
        for path in _terraform_files(folder):
            top = written.load(path)
            if top is None or path in parsed:
                continue
            parsed[path] = top
            for call in (b for b in top.blocks if b.kind == "module"):
                target = check.local_module_dir(call, path)
                if target is not None:
                    pending.append(target)
    return parsed


def chosen_version(root: Path, parsed: dict[Path, written.Written]) -> tuple[str | None, str]:
    """(version, why) of the hashicorp/aws schema to check against."""
    lock = root / ".terraform.lock.hcl"
    if lock.is_file():
        found = _LOCKED_AWS.search(lock.read_text(encoding="utf-8", errors="replace"))
        if found:
            version = found.group(1)
            return (version, "from .terraform.lock.hcl") if version in CARRIED_VERSIONS else \
                (None, f".terraform.lock.hcl selects hashicorp/aws {version}; bcce carries the schemas of {', '.join(CARRIED_VERSIONS)}")
    own = [top for path, top in parsed.items() if path.parent == root.resolve()]
    constraints = check.aws_constraints(own) or check.aws_constraints(parsed.values())
    try:
        version = newest_satisfying(list(CARRIED_VERSIONS), constraints)
    except ConstraintError as exc:
        return None, f"hashicorp/aws constraint not understood: {exc}"
    if version is None:
        return None, f"no carried schema meets hashicorp/aws {' and '.join(constraints)} (bcce carries {', '.join(CARRIED_VERSIONS)})"
    return version, f"newest carried version meeting {' and '.join(constraints) or 'no constraint'}"


def check_root(root: Path, loader: SchemaLoader = load_carried_schema) -> RootCheck:
    root = Path(root)
    parsed = _files_with_modules(root)

    def display(path: Path) -> str:
        return os.path.relpath(path, root.resolve())

    uses_aws = any(
        (b.kind in ("resource", "data") and b.labels[:1] and b.labels[0].startswith(check.AWS_PREFIX))
        or (b.kind == "provider" and b.labels == ("aws",))
        for top in parsed.values() for b in top.blocks
    )
    result = RootCheck()
    problems: list[check.Problem] = []
    tally = check.Tally()
    by_folder: dict[Path, list[written.Written]] = {}
    for path, top in parsed.items():
        by_folder.setdefault(path.parent, []).append(top)
    for path, top in sorted(parsed.items()):
        for call in (b for b in top.blocks if b.kind == "module"):
            target = check.local_module_dir(call, path)
            if target is not None and target in by_folder:
                tally.modules += 1
                problems += check.check_module_call(call, display(path), display(target), check.variables(by_folder[target]))
    if uses_aws:
        version, why = chosen_version(root, parsed)
        if version is None:
            result.skipped = why
        else:
            try:
                schema = loader(version)
            except EnvironmentProblem as exc:
                result.skipped = f"hashicorp/aws {version} schema unavailable: {exc}"
            else:
                provider = next((v for k, v in schema.get("provider_schemas", {}).items() if k.endswith("hashicorp/aws")), {})
                for path, top in sorted(parsed.items()):
                    problems += check.check_file(top, display(path), provider, tally)
                result.checked = (f"{tally.blocks} hashicorp/aws {version} block(s) ({why}), "
                                  f"{tally.modules} module call(s)")
    else:
        result.checked = f"no hashicorp/aws blocks, {tally.modules} module call(s)"
    result.problems = sorted(problems)
    return result
