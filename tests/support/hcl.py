"""Rendered HCL as plain Python data, for asserting on what a template produces."""

from __future__ import annotations

from typing import Any

import hcl2


def clean(value: Any) -> Any:
    """python-hcl2 output without quoting of strings and labels, and without its bookkeeping keys."""
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items() if k not in ("__comments__", "__is_block__")}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse(text: str) -> dict[str, Any]:
    return clean(hcl2.loads(text))
