"""Global options where users type them: before the command or after it.

The options are declared once, on the root callback (`bcce_tf/cli/app.py`). `install` attaches
those very option objects to every command, so `bcce --region r plan` and `bcce plan --region r`
parse alike and `--help` shows the same text in both places. Giving one option in both places
with different values is a usage error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import update_wrapper
from pathlib import Path
from typing import Any

from bcce_tf.errors import UsageError

# Root callback parameter -> GlobalOptions field. `--version` answers before any command and
# `--help` belongs to each command already: neither is repeated.
FIELDS: Mapping[str, str] = {
    "config": "config_path",
    "stack_name": "stack_name",
    "region": "region",
    "profile": "profile",
    "endpoint_url": "endpoint_url",
    "terraform_bin": "terraform_bin",
    "verbose": "verbose",
    "quiet": "quiet",
    "log_format": "log_format",
    "max_attempts": "max_attempts",
    "max_retry_seconds": "max_retry_seconds",
    "lock_timeout": "lock_timeout",
    "account": "account",
    "parallelism": "parallelism",
}


@dataclass(frozen=True)
class Given:
    """One option's value as one place of the command line produced it."""

    value: Any
    typed: bool  # typed on the command line (not a default, not from the environment)


def merge(before: Mapping[str, Given], after: Mapping[str, Given], flags: Mapping[str, str]) -> dict[str, Any]:
    """The value of each option: typed after the command, else typed before it, else what the
    root parsed (environment or default). Typed in both places with different values: UsageError."""
    merged: dict[str, Any] = {}
    for name in FIELDS:
        first, second = before.get(name), after.get(name)
        if first is not None and second is not None and first.typed and second.typed and first.value != second.value:
            raise UsageError(
                f"{flags.get(name, name)} is given twice with different values: '{_shown(first.value)}' before the "
                f"command and '{_shown(second.value)}' after it; give it once"
            )
        if second is not None and second.typed:
            merged[name] = second.value
        elif first is not None:
            merged[name] = first.value
        elif second is not None:
            merged[name] = second.value
    return merged


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def leaves(command: Any) -> Iterator[Any]:
    """Every command of the tree that runs something (groups hold `commands`)."""
    children = getattr(command, "commands", None)
    if children is None:
        yield command
        return
    for child in children.values():
        yield from leaves(child)


def _typed(ctx: Any, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return isinstance(source, Enum) and source.name == "COMMANDLINE"


def given_in(ctx: Any, values: Mapping[str, Any]) -> dict[str, Given]:
    return {name: Given(values[name], _typed(ctx, name)) for name in FIELDS if name in values}


def install(root: Any, start: Callable[[Any, dict[str, Any]], None]) -> Any:
    """Attach the root's global options to every command of `root`; before a command runs,
    `start(ctx, values)` receives the merged values. Returns `root`."""
    shared = [param for param in root.params if param.name in FIELDS]
    flags = {param.name: param.opts[0] for param in shared}
    for command in leaves(root):
        if getattr(command, "_bcce_global_options", False):
            continue
        command.params.extend(shared)
        command.callback = _merging(command.callback, flags, start)
        command._bcce_global_options = True
    return root


def _merging(callback: Callable[..., Any], flags: Mapping[str, str],
             start: Callable[[Any, dict[str, Any]], None]) -> Callable[..., Any]:
    def run(**kwargs: Any) -> Any:
        from typer._click.globals import get_current_context

        ctx = get_current_context()
        after = given_in(ctx, {name: kwargs.pop(name) for name in list(kwargs) if name in FIELDS})
        root = ctx.find_root()
        before = given_in(root, root.params)
        values = merge(before, after, flags)
        if values.get("config") is not None and not isinstance(values["config"], Path):
            values["config"] = Path(values["config"])
        start(ctx, values)
        return callback(**kwargs)

    return update_wrapper(run, callback) if callback is not None else run
