"""A Terraform root's HCL against the provider's schema, and module calls against the modules.

For every `resource`, `data` and `provider` block of hashicorp/aws: the type exists; each argument
and block is known at its nesting level (inside `dynamic` blocks too); every required argument and
block is present; no computed-only attribute is set; a block the schema allows once is written at
most once. For every call of a local module: each argument is one of its variables and every
variable without a default is given. Pure: the schema is passed in.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcce_tf.schema.written import Written

RESOURCE_META = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"})
DATA_META = frozenset({"count", "for_each", "provider", "depends_on", "lifecycle"})
MODULE_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
PROVIDER_META = frozenset({"alias", "version"})
AWS_PREFIX = "aws_"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str


def _closest(name: str, known: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _writable(attribute: Mapping[str, Any]) -> bool:
    return bool(attribute.get("required") or attribute.get("optional"))


def _object_typed(attribute: Mapping[str, Any]) -> bool:
    """Attributes Terraform lets one write as blocks (SDK's 'attributes as blocks' mode): a list or
    set of objects, or a type this schema does not spell out."""
    kind = attribute.get("type")
    if kind == "dynamic" or attribute.get("nested_type"):
        return True
    return isinstance(kind, list) and len(kind) == 2 and isinstance(kind[1], list) and kind[1][:1] == ["object"]


def check_block(node: Written, schema: Mapping[str, Any], where: str, file: str,
                meta: frozenset[str] = frozenset()) -> list[Problem]:
    """Problems of one block body (and the blocks nested in it) against its schema block."""
    attributes: Mapping[str, Any] = schema.get("attributes", {}) or {}
    block_types: Mapping[str, Any] = schema.get("block_types", {}) or {}
    known = set(attributes) | set(block_types)
    problems: list[Problem] = []
    for name, line in node.arguments.items():
        if name in meta:
            continue
        if name in attributes:
            if not _writable(attributes[name]):
                problems.append(Problem(file, line, f"{where}: '{name}' is computed-only (set by the provider, it cannot be configured)"))
        elif name in block_types:
            problems.append(Problem(file, line, f"{where}: '{name}' is a block: write {name} {{ ... }}, not {name} = ..."))
        else:
            problems.append(Problem(file, line, f"{where}: unknown argument '{name}'{_closest(name, known)}"))
    written: Counter[str] = Counter()
    dynamic: set[str] = set()
    for child in node.blocks:
        if child.kind in meta:
            continue
        if child.kind == "dynamic":
            name = child.labels[0] if child.labels else ""
            if name not in block_types:
                problems.append(Problem(file, child.line, f"{where}: dynamic block of unknown block type '{name}'{_closest(name, block_types)}"))
                continue
            dynamic.add(name)
            for content in (c for c in child.blocks if c.kind == "content"):
                problems += check_block(content, block_types[name]["block"], f"{where}.{name}", file)
            continue
        if child.kind in block_types:
            written[child.kind] += 1
            block_type = block_types[child.kind]
            if block_type.get("max_items") == 1 and written[child.kind] == 2:
                problems.append(Problem(file, child.line, f"{where}: block '{child.kind}' is allowed once, written again here"))
            problems += check_block(child, block_type["block"], f"{where}.{child.kind}", file)
        elif child.kind in attributes and _object_typed(attributes[child.kind]):
            if not _writable(attributes[child.kind]):
                problems.append(Problem(file, child.line, f"{where}: '{child.kind}' is computed-only (set by the provider, it cannot be configured)"))
        elif child.kind in attributes:
            problems.append(Problem(file, child.line, f"{where}: '{child.kind}' is an argument: write {child.kind} = ..., not a block"))
        else:
            problems.append(Problem(file, child.line, f"{where}: unknown block type '{child.kind}'{_closest(child.kind, known)}"))
    for name, attribute in sorted(attributes.items()):
        if attribute.get("required") and name not in node.arguments and not any(b.kind == name for b in node.blocks):
            problems.append(Problem(file, node.line, f"{where}: missing required argument '{name}'"))
    for name, block_type in sorted(block_types.items()):
        if (block_type.get("min_items") or 0) > 0 and not written[name] and name not in dynamic:
            problems.append(Problem(file, node.line, f"{where}: missing required block '{name}'"))
    return problems


@dataclass
class Tally:
    blocks: int = 0  # aws blocks checked
    others: int = 0  # blocks of other providers (not checked here)
    modules: int = 0  # local module calls checked


def check_file(top: Written, file: str, provider: Mapping[str, Any], tally: Tally) -> list[Problem]:
    """Problems of the aws resources, data sources and provider blocks of one parsed file."""
    resources = provider.get("resource_schemas", {})
    data_sources = provider.get("data_source_schemas", {})
    problems: list[Problem] = []
    for block in top.blocks:
        if block.kind in ("resource", "data") and len(block.labels) == 2:
            kind, name = block.labels
            if not kind.startswith(AWS_PREFIX):
                tally.others += 1
                continue
            tally.blocks += 1
            table, meta, word = (resources, RESOURCE_META, "resource") if block.kind == "resource" else (data_sources, DATA_META, "data source")
            address = kind + "." + name if block.kind == "resource" else f"data.{kind}.{name}"
            if kind not in table:
                problems.append(Problem(file, block.line, f"{address}: unknown {word} type '{kind}'{_closest(kind, table)}"))
                continue
            problems += check_block(block, table[kind]["block"], address, file, meta)
        elif block.kind == "provider" and block.labels == ("aws",):
            tally.blocks += 1
            problems += check_block(block, provider.get("provider", {}).get("block", {}), "provider.aws", file, PROVIDER_META)
    return problems


def variables(tops: Iterable[Written]) -> dict[str, bool]:
    """A module's variables and whether each must be given (no default)."""
    found: dict[str, bool] = {}
    for top in tops:
        for block in top.blocks:
            if block.kind == "variable" and block.labels:
                found[block.labels[0]] = "default" not in block.arguments
    return found


def check_module_call(call: Written, file: str, target: str, declared: Mapping[str, bool]) -> list[Problem]:
    where = f"module.{call.labels[0] if call.labels else '?'}"
    problems = [
        Problem(file, line, f"{where}: unknown argument '{name}': module {target} has no such variable{_closest(name, declared)}")
        for name, line in call.arguments.items() if name not in MODULE_META and name not in declared
    ]
    problems += [
        Problem(file, call.line, f"{where}: missing required variable '{name}' of module {target}")
        for name, required in sorted(declared.items()) if required and name not in call.arguments
    ]
    return problems


def aws_constraints(tops: Iterable[Written]) -> list[str]:
    """The version constraints the files put on hashicorp/aws."""
    found = []
    for top in tops:
        for terraform in (b for b in top.blocks if b.kind == "terraform"):
            for required in (b for b in terraform.blocks if b.kind == "required_providers"):
                for name, fields in required.objects.items():
                    source = fields.get("source", "hashicorp/" + name)
                    if source.lower().removeprefix("registry.terraform.io/") == "hashicorp/aws" and "version" in fields:
                        found.append(fields["version"])
    return found


def local_module_dir(call: Written, calling_file: Path) -> Path | None:
    source = call.literals.get("source", "")
    if not source.startswith(("./", "../")):
        return None
    return (calling_file.parent / source).resolve()
