"""Text clean-up shared by the classifier: colour codes, diagnostic gutters, short excerpts."""

from __future__ import annotations

import re

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
# Terraform frames each diagnostic with "╷", "│ " on every line, and "╵".
_DIAGNOSTIC_GUTTER = re.compile(r"^[ \t]*[│╷╵] ?", re.MULTILINE)
_WHITESPACE = re.compile(r"\s+")


def strip_ansi(text: str) -> str:
    return _ANSI_ESCAPE.sub("", text)


def without_gutters(text: str) -> str:
    return _DIAGNOSTIC_GUTTER.sub("", text)


def flatten(text: str) -> str:
    """One line: Terraform wraps diagnostic details at 78 columns, which splits phrases."""
    return _WHITESPACE.sub(" ", text).strip()


def shorten(text: str, limit: int = 160) -> str:
    """`text` on one line, its middle cut out when it is longer than `limit`."""
    flat = flatten(text)
    if len(flat) <= limit:
        return flat
    tail = limit // 3
    head = limit - tail - 5
    return f"{flat[:head]} ... {flat[-tail:]}"
