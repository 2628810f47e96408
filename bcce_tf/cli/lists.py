"""List options: `--x a,b` and `--x a --x b` mean the same everywhere."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from bcce_tf.errors import UsageError


def split(values: Iterable[str] | str | None, flag: str) -> list[str]:
    """Every item of a list option, comma-separated or repeated, in order; empty items dropped.
    A flag given only empty items is a usage error."""
    if values is None:
        return []
    given = [values] if isinstance(values, str) else list(values)
    items = [part.strip() for value in given for part in value.split(",")]
    kept = [item for item in items if item]
    if given and not kept:
        raise UsageError(f"{flag} needs a value (comma-separated or repeated)")
    return kept


def choose(values: Iterable[str] | str | None, flag: str, allowed: Sequence[str]) -> list[str]:
    """The items of a list option, each one of `allowed`; else one line with the closest names."""
    items = split(values, flag)
    for item in items:
        if item not in allowed:
            close = difflib.get_close_matches(item, allowed, n=2, cutoff=0.6)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise UsageError(f"{flag}: unknown value '{item}'{hint}; allowed: {', '.join(allowed)}")
    return items


def components(values: Iterable[str] | None, flag: str = "--component") -> list[str] | None:
    """--component values: component names, `infrastructure` or `all`; None when not given."""
    from bcce_tf.config import COMPONENT_GROUPS, COMPONENTS

    items = choose(values, flag, (*COMPONENTS, *COMPONENT_GROUPS, "all"))
    return items or None
