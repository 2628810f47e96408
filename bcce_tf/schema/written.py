"""The structure of HCL as written: blocks, their labels and arguments, each with its line.

Built on python-hcl2's parse tree (positions kept), so a finding can name the line of the very
argument it is about. Values are not evaluated; only a literal string is kept (a module's
`source`, a provider's version constraint).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lark import Token, Tree


@dataclass
class Written:
    kind: str  # block type ("resource", "versioning", ...); "" for a file's top level
    labels: tuple[str, ...]
    line: int
    arguments: dict[str, int] = field(default_factory=dict)  # name -> line
    literals: dict[str, str] = field(default_factory=dict)  # name -> literal string value
    objects: dict[str, dict[str, str]] = field(default_factory=dict)  # name -> {key: literal} of `x = { ... }`
    blocks: list[Written] = field(default_factory=list)


def _name(node: Tree | Token) -> str:
    """An identifier as written, or the characters of a quoted label/key."""
    if isinstance(node, Token):
        return str(node)
    tokens = list(node.scan_values(lambda v: isinstance(v, Token)))
    if node.data == "identifier" or not any(t.type == "STRING_CHARS" for t in tokens):
        return "".join(str(t) for t in tokens if t.type != "DBLQUOTE")
    return "".join(str(t) for t in tokens if t.type == "STRING_CHARS")


def _literal(expression: Tree) -> str | None:
    """The text of a plain string literal ("abc", no interpolation), else None."""
    node = expression
    while isinstance(node, Tree) and node.data in ("expr_term", "expression") and len(node.children) == 1:
        node = node.children[0]
    if not (isinstance(node, Tree) and node.data == "string"):
        return None
    parts = [c for c in node.children if isinstance(c, Tree)]
    if any(p.data != "string_part" or any(isinstance(x, Tree) for x in p.children) for p in parts):
        return None
    return "".join(str(t) for p in parts for t in p.children)


def _object(expression: Tree) -> dict[str, str]:
    """Keys of an object literal with their literal string values (`{ aws = { version = "x" } }`)."""
    found: dict[str, str] = {}
    for element in expression.find_data("object_elem"):
        key, value = element.children[0], element.children[-1]
        literal = _literal(value) if isinstance(value, Tree) else None
        if literal is not None:
            found[_name(key)] = literal
    return found


def _body(body: Tree, into: Written) -> None:
    for child in body.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            name = _name(child.children[0])
            into.arguments[name] = child.meta.line
            expression = child.children[-1]
            if isinstance(expression, Tree):
                literal = _literal(expression)
                if literal is not None:
                    into.literals[name] = literal
                elif any(True for _ in expression.find_data("object")):
                    into.objects[name] = _object(expression)
        elif child.data == "block":
            into.blocks.append(_block(child))


def _block(node: Tree) -> Written:
    kind = _name(node.children[0])
    labels = tuple(_name(c) for c in node.children[1:] if isinstance(c, Tree) and c.data in ("string", "identifier"))
    written = Written(kind, labels, node.meta.line)
    for child in node.children:
        if isinstance(child, Tree) and child.data == "body":
            _body(child, written)
    return written


def parse(text: str) -> Written:
    """The top level of one file (raises the parser's own error for invalid HCL)."""
    import hcl2.api

    tree = hcl2.api.parses_to_tree(text)
    top = Written("", (), 1)
    for child in tree.children:
        if isinstance(child, Tree) and child.data == "body":
            _body(child, top)
    return top


@lru_cache(maxsize=1024)
def _parsed(text: str) -> Written | None:
    # Keyed by content: the same module rendered into many roots is parsed once. Callers never
    # change what they get.
    try:
        return parse(text)
    except Exception:  # noqa: BLE001 - invalid HCL is reported by bcce_tf.validation.syntax
        return None


def load(path: Path) -> Written | None:
    return _parsed(path.read_text(encoding="utf-8"))
