"""The AWS provider's schema, read out of the code that CDK for Terraform generated from it.

`@cdktf/provider-aws` is generated from `terraform providers schema -json` of one hashicorp/aws
release. Each resource's folder holds that schema as code: a comment per attribute
(`// name - computed: x, optional: y, required: z`) in the class that exposes it, and a
`synthesizeHclAttributes()` / `...ToHclTerraform(struct)` table per block listing every argument by
its Terraform name with `isBlock`, its collection `type` and, for a nested block, the function that
writes it. A block the provider allows once is written by that function directly; a repeatable one
through `cdktf.listMapperHcl`. This module turns that code back into the JSON shape Terraform prints
(`provider_schemas[...].resource_schemas[type].block`), so one validator reads either source.
Pure functions of the text: nothing here reads files or the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_FLAGS = re.compile(r"//\s*(\S+) - computed: (true|false), optional: (true|false), required: (true|false)")
_CLASS = re.compile(r"^class (\w+) extends ([\w.]+) \{", re.M)
_HCL_FUNCTION = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{", re.M)
_RESOURCE_TYPE = re.compile(r"^(\w+)\.tfResourceType = \"([^\"]+)\";", re.M)
_ENTRY = re.compile(
    r"(?P<name>[A-Za-z_][\w-]*|\"[^\"]+\"):\s*\{\s*value:\s*(?P<value>.*?),\s*isBlock:\s*(?P<block>true|false),"
    r"\s*type:\s*\"(?P<type>\w+)\",\s*storageClassType:\s*\"(?P<storage>\w+)\",\s*\}",
    re.S,
)
_MAPPER = re.compile(r"(?:[\w]+\.)?(\w+)ToHclTerraform\b")
_FIELD = re.compile(r"(?:this\._|struct!?\.)(\w+)")
_INTERFACE = re.compile(r"^export interface (\w+)(?: extends [\w.]+)? \{", re.M)
_MEMBER = re.compile(r"^\s*readonly (\w+)(\??):", re.M)
_SIMPLE = {"string": "string", "number": "number", "boolean": "bool"}
_ELEMENT = {"stringList": "string", "numberList": "number", "booleanList": "bool",
            "stringMap": "string", "numberMap": "number", "booleanMap": "bool"}


def _body(text: str, start: int) -> str:
    """The text of the brace-balanced block whose opening brace is the first one at or after `start`."""
    opening = text.index("{", start)
    depth = 0
    for position in range(opening, len(text)):
        char = text[position]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[opening + 1:position]
    return text[opening + 1:]


def _attrs_table(body: str) -> list[dict[str, Any]]:
    """Entries of the `attrs` object in a synthesizeHclAttributes()/ToHclTerraform body."""
    marker = body.find("const attrs = {")
    if marker < 0:
        return []
    table = _body(body, marker)
    entries = []
    for match in _ENTRY.finditer(table):
        value = match["value"]
        mapper = None
        repeated = "listMapperHcl(" in value
        for candidate in _MAPPER.findall(value):
            if candidate[0].islower() and not candidate.startswith(("string", "number", "boolean", "hash", "list")):
                mapper = candidate
                break
        field = _FIELD.search(value)
        entries.append({
            "name": match["name"].strip('"'),
            "field": field.group(1) if field else None,
            "is_block": match["block"] == "true",
            "type": match["type"],
            "storage": match["storage"],
            "mapper": mapper,
            "repeated": repeated,
        })
    return entries


def _cty(entry: Mapping[str, Any]) -> Any:
    kind, storage = entry["type"], entry["storage"]
    if kind == "simple":
        return _SIMPLE.get(storage, "dynamic")
    if kind in ("list", "set", "map") and storage in _ELEMENT:
        return [kind, _ELEMENT[storage]]
    return "dynamic"  # an object-typed attribute: existence is checked, its inner shape is not


def _class_flags(text: str) -> dict[str, dict[str, dict[str, bool]]]:
    """Per generated class: each attribute's computed/optional/required as the schema has it."""
    starts = [(m.start(), m.group(1)) for m in _CLASS.finditer(text)]
    flags: dict[str, dict[str, dict[str, bool]]] = {}
    for index, (start, name) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        found = flags.setdefault(name, {})
        for match in _FLAGS.finditer(text, start, end):
            found[match.group(1)] = {
                "computed": match.group(2) == "true",
                "optional": match.group(3) == "true",
                "required": match.group(4) == "true",
            }
    return flags


def _struct_interface(mapper: str) -> str:
    return mapper[0].upper() + mapper[1:]


def _interfaces(declarations: str) -> dict[str, dict[str, bool]]:
    """Per TypeScript interface: each member and whether it is required (no `?`)."""
    found: dict[str, dict[str, bool]] = {}
    for match in _INTERFACE.finditer(declarations):
        end = declarations.find("\n}", match.end())
        body = declarations[match.end():end if end >= 0 else len(declarations)]
        found[match.group(1)] = {m.group(1): m.group(2) != "?" for m in _MEMBER.finditer(body)}
    return found


class _Definitions:
    """All tables and flags of one resource's generated files."""

    def __init__(self, sources: Iterable[str], declarations: Iterable[str]) -> None:
        self.interfaces: dict[str, dict[str, bool]] = {}
        for text in declarations:
            self.interfaces.update(_interfaces(text))
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.flags: dict[str, dict[str, dict[str, bool]]] = {}
        self.resources: dict[str, str] = {}  # class name -> terraform type
        self.class_bodies: dict[str, str] = {}
        for text in sources:
            for match in _HCL_FUNCTION.finditer(text):
                self.tables[match.group(1)] = _attrs_table(_body(text, match.end() - 1))
            self.flags.update(_class_flags(text))
            for match in _RESOURCE_TYPE.finditer(text):
                self.resources[match.group(1)] = match.group(2)
            for match in _CLASS.finditer(text):
                self.class_bodies[match.group(1)] = _body(text, match.end() - 1)

    def block(self, entries: list[dict[str, Any]], flags: Mapping[str, Mapping[str, bool]],
              members: Mapping[str, bool], depth: int = 0) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        block_types: dict[str, Any] = {}
        for entry in entries:
            required = bool(members.get(entry["field"] or "", False))
            flag = flags.get(entry["name"], {"optional": not required, "computed": False, "required": required})
            if entry["is_block"] and entry["mapper"] and depth < 12:
                interface = _struct_interface(entry["mapper"])
                nested = self.block(self.tables.get(entry["mapper"], []),
                                    self.flags.get(interface + "OutputReference", {}),
                                    self.interfaces.get(interface, {}), depth + 1)
                nesting = {"struct": "single"}.get(entry["type"], entry["type"] if entry["type"] in ("list", "set") else "list")
                block_type: dict[str, Any] = {"nesting_mode": nesting, "block": nested}
                if flag.get("required"):
                    block_type["min_items"] = 1
                if nesting != "single" and not entry["repeated"]:
                    block_type["max_items"] = 1
                block_types[entry["name"]] = block_type
            else:
                attribute: dict[str, Any] = {"type": _cty(entry)}
                for key in ("required", "optional", "computed"):
                    if flag.get(key):
                        attribute[key] = True
                attributes[entry["name"]] = attribute
        # Attributes the provider sets and the user may only read: no argument writes them.
        for name, flag in flags.items():
            if flag["computed"] and not flag["optional"] and not flag["required"] and name not in attributes \
                    and name not in block_types:
                attributes[name] = {"type": "dynamic", "computed": True}
        block: dict[str, Any] = {"attributes": attributes}
        if block_types:
            block["block_types"] = block_types
        return block

    def schemas(self) -> dict[str, dict[str, Any]]:
        """terraform type -> {"block": ...} for each resource/data source/provider class found."""
        found = {}
        for class_name, resource_type in self.resources.items():
            body = self.class_bodies.get(class_name, "")
            marker = body.find("synthesizeHclAttributes()")
            entries = _attrs_table(_body(body, marker)) if marker >= 0 else []
            found[resource_type] = {"block": self.block(entries, self.flags.get(class_name, {}),
                                                        self.interfaces.get(class_name + "Config", {}))}
        return found


def schemas_of(sources: Iterable[str], declarations: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Schemas of the Terraform types defined in one folder's generated JavaScript (`sources`) and
    TypeScript declarations (`declarations`: which members are required)."""
    return _Definitions(sources, declarations).schemas()


def assemble(folders: Mapping[str, dict[str, dict[str, Any]]], provider_address: str, provider_version: str) -> dict[str, Any]:
    """`terraform providers schema -json` shape from the per-folder results: folders named
    `data-aws-*` hold data sources, `provider` the provider block, every other folder resources."""
    resources: dict[str, Any] = {}
    data_sources: dict[str, Any] = {}
    provider: dict[str, Any] = {"block": {"attributes": {}}}
    for folder, schemas in sorted(folders.items()):
        for terraform_type, schema in schemas.items():
            if folder == "provider":
                provider = schema
            elif folder.startswith("data-"):
                data_sources[terraform_type] = schema
            else:
                resources[terraform_type] = schema
    return {
        "format_version": "1.0",
        "provider_schemas": {
            provider_address: {
                "provider": provider,
                "resource_schemas": resources,
                "data_source_schemas": data_sources,
            }
        },
        "bcce_source": {"provider_version": provider_version},
    }
