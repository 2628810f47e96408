"""A command over several targets: one child process (`python -m bcce_tf ...`) per (account,
region), run by bcce_tf/executor.py. Pure parts only: the child's command line, its result
record, and the table that sums the run up. Standard library only, so the entry point stays light.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# The command line of this invocation, as __main__.run received it (children reuse it).
INVOKED: list[str] = []
# Set by the parent run in the environment of each child process: "<account>/<region>".
CHILD_ENV = "BCCE_TARGET"
# File the child writes its result record to (resources changed, readiness score, details).
RESULT_ENV = "BCCE_TARGET_RESULT"

# Options the parent decides for each child: they are removed from the parent's command line.
_PER_CHILD_VALUE = ("--account", "--region", "--parallelism")
_PER_CHILD_FLAG = ("--fail-fast",)


def child_args(args: Sequence[str], account: str, region: str) -> list[str]:
    """The parent's arguments for one target: its own --account/--region, no --parallelism or
    --fail-fast (a child works on one target). Both `--opt value` and `--opt=value` are removed."""
    out: list[str] = []
    skip = False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "--":
            out.extend(args[index:])
            break
        if arg in _PER_CHILD_VALUE:
            skip = True
            continue
        if arg.startswith(tuple(f"{name}=" for name in _PER_CHILD_VALUE)) or arg in _PER_CHILD_FLAG:
            continue
        out.append(arg)
    return [*out, "--account", account, "--region", region]


def is_child(environ: Mapping[str, str]) -> bool:
    return bool(environ.get(CHILD_ENV))


def write_result(record: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> None:
    """In a child: leave the result record where the parent reads it. Elsewhere: nothing."""
    environ = os.environ if environ is None else environ
    path = environ.get(RESULT_ENV)
    if not path:
        return
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    import json  # not at the top: see last_error

    partial.write_text(json.dumps(dict(record), sort_keys=True, default=str), encoding="utf-8")
    partial.replace(target)


def last_error(log_text: str) -> str:
    """The last error line of a child's log (its one-line reason, text or JSON log format), or ''."""
    import json  # not at the top: `bcce --help` imports this module and must stay light

    for line in reversed(log_text.splitlines()):
        stripped = line.strip()
        if stripped.startswith("error: "):
            return stripped[len("error: "):]
        if stripped.startswith("{") and '"level": "error"' in stripped:
            try:
                return str(json.loads(stripped).get("message", ""))
            except ValueError:
                continue
    return ""


COLUMNS = ("target", "result", "changed", "duration", "readiness", "exit", "log")


def table_rows(outcomes: Sequence[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    """One row per target (outcome dicts of executor.ChildOutcome.to_dict())."""
    rows = []
    for item in outcomes:
        changed = item.get("changed")
        score = item.get("readiness_score")
        rows.append((str(item["target"]), str(item["result"]), "-" if changed is None else str(changed),
                     f"{float(item.get('duration_seconds', 0.0)):.1f}s", "-" if score is None else f"{score}/100",
                     str(item["exit_code"]), str(item.get("log", ""))))
    return rows


def render_table(outcomes: Sequence[Mapping[str, Any]]) -> str:
    rows = [COLUMNS, *table_rows(outcomes)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    for item in outcomes:
        if item.get("error"):
            lines.append(f"{item['target']}: {item['error']}")
    return "\n".join(lines)
