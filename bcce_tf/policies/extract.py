"""Where policy documents come from: the JSON Terraform rendered (state or plan, complete), or the
HCL of a root on disk (`aws_iam_policy_document` blocks and literal JSON policies, as far as they are
written out literally)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

# Resource arguments that hold a policy document (hashicorp/aws names).
POLICY_ATTRIBUTES = frozenset({"policy", "assume_role_policy", "inline_policy", "policy_document", "access_policy",
                               "customer_managed_policy", "resource_policy"})
_UNKNOWN = "${?}"  # a value the HCL does not spell out
_LOCAL = re.compile(r"^\$\{local\.([A-Za-z0-9_-]+)\}$")


def _document(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, str) or "Statement" not in text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "Statement" in value else None


def _modules(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield module
    for child in module.get("child_modules", []) or []:
        yield from _modules(child)


def policies_from_show_json(show: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Policy documents in `terraform show -json` of a state (values) or a plan (planned_values).
    Managed resources only: a policy document data source is checked where a resource uses it."""
    root = (show.get("values") or show.get("planned_values") or {}).get("root_module") or {}
    found: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for module in _modules(root):
        for resource in module.get("resources", []) or []:
            if resource.get("mode") != "managed":
                continue
            for name, value in sorted((resource.get("values") or {}).items()):
                document = _document(value) if name in POLICY_ATTRIBUTES else None
                if document is None:
                    continue
                key = resource["address"] + "." + name
                if key not in seen:
                    seen.add(key)
                    found.append((key, document))
    return found


# --- HCL on disk ---------------------------------------------------------------------------------

def _literal(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _strings(value: Any, local_values: dict[str, Any]) -> list[str] | None:
    """A list of strings as written (interpolations kept), or None when the HCL computes it."""
    if isinstance(value, str):
        match = _LOCAL.match(value)
        if match and match.group(1) in local_values:
            return _strings(local_values[match.group(1)], {})
        if value.startswith("${") and value.endswith("}"):
            return None
        literal = _literal(value)
        # "${aws_s3_bucket.this.arn}/*": the ARN itself is computed, only its suffix is written out.
        return [_UNKNOWN if isinstance(literal, str) and literal.startswith("${") else literal]
    if isinstance(value, list):
        items: list[str] = []
        for item in value:
            resolved = _strings(item, local_values)
            items += resolved if resolved is not None else [_UNKNOWN]
        return items
    return None


def _blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    blocks = [b for b in body.get(name, []) or [] if isinstance(b, dict)]
    for dynamic in body.get("dynamic", []) or []:
        for label, spec in dynamic.items():
            if _literal(label) == name and isinstance(spec, dict):
                blocks += [c for c in spec.get("content", []) or [] if isinstance(c, dict)]
    return blocks


def _statement(block: dict[str, Any], local_values: dict[str, Any], index: int) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": _literal(block.get("sid", f'"#{index}"')),
                                 "Effect": _literal(block.get("effect", '"Allow"'))}
    for hcl, element in (("actions", "Action"), ("not_actions", "NotAction"),
                         ("resources", "Resource"), ("not_resources", "NotResource")):
        if hcl in block:
            values = _strings(block[hcl], local_values)
            statement[element] = [v for v in values if v != _UNKNOWN] if values is not None else []
            if values is None or _UNKNOWN in values:
                statement.setdefault("_incomplete", []).append(element)
    conditions: dict[str, dict[str, list[str]]] = {}
    for condition in _blocks(block, "condition"):
        test, variable = _literal(condition.get("test")), _literal(condition.get("variable"))
        if isinstance(test, str) and isinstance(variable, str) and not variable.startswith("${"):
            conditions.setdefault(test, {})[variable] = ["?"]
    if conditions:
        statement["Condition"] = conditions
    return statement


def _line_of(text: str, needle: str) -> int:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else 1


@lru_cache(maxsize=256)
def _parsed(path: str, mtime_ns: int) -> tuple[str, dict[str, Any] | None, str]:
    import hcl2

    text = Path(path).read_text(encoding="utf-8")
    try:
        return text, hcl2.loads(text), ""
    except Exception as exc:  # noqa: BLE001 - the parser's own message names the place
        return text, None, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def load_hcl(path: Path) -> tuple[str, dict[str, Any] | None, str]:
    """(text, parsed HCL or None, the parser's first error line): each file is parsed once, however
    many checks read it."""
    return _parsed(str(path), path.stat().st_mtime_ns)


def policies_from_hcl_file(path: Path, display: str) -> list[tuple[str, dict[str, Any]]]:
    text, parsed, _ = load_hcl(path)
    if parsed is None:  # a file the parser rejects is reported by bcce_tf.validation.syntax
        return []
    local_values: dict[str, Any] = {}
    for block in parsed.get("locals", []) or []:
        local_values.update(block)
    found: list[tuple[str, dict[str, Any]]] = []
    for data in parsed.get("data", []) or []:
        for kind, named in data.items():
            if _literal(kind) != "aws_iam_policy_document":
                continue
            for name, body in named.items():
                label = _literal(name)
                line = _line_of(text, f'data "aws_iam_policy_document" "{label}"')
                statements = [_statement(b, local_values, i) for i, b in enumerate(_blocks(body, "statement"))]
                found.append((f"{display}:{line} data.aws_iam_policy_document.{label}", {"Statement": statements}))
    for resource in parsed.get("resource", []) or []:
        for kind, named in resource.items():
            for name, body in named.items():
                for attribute in sorted(POLICY_ATTRIBUTES & set(body)):
                    document = _document(_heredoc(body[attribute]))
                    if document is not None:
                        label = f"{_literal(kind)}.{_literal(name)}"
                        line = _line_of(text, f'"{_literal(kind)}" "{_literal(name)}"')
                        found.append((f"{display}:{line} {label}.{attribute}", document))
    return found


def _heredoc(value: Any) -> Any:
    if isinstance(value, str):
        text = _literal(value)
        match = re.match(r"^<<-?(\w+)\n(.*)\n\s*\1\s*$", text, flags=re.S)
        return match.group(2) if match else text
    return value


def terraform_files(root: Path) -> list[Path]:
    """The .tf files of a root and of the local modules below it (not Terraform's own .terraform/)."""
    return sorted(p for p in root.rglob("*.tf") if ".terraform" not in p.relative_to(root).parts)


def policies_from_root(root: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every policy written in the .tf files of a root and of the local modules below it."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in terraform_files(root):
        found += policies_from_hcl_file(path, str(path.relative_to(root)))
    return found
