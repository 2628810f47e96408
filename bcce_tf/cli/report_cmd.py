"""`bcce report merge`: one Markdown comment and one JUnit file from the results of several runs."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

FORMATS = ("markdown", "junit", "json")


def merge_command(
    files: list[Path] = typer.Argument(..., help="JSON results: `bcce plan --json` / `bcce drift --format json` outputs "
                                       "or bcce-plan-summary.json files, one per target or run."),
    fmt: str = typer.Option("markdown", "--format", help="What to print: markdown, junit or json.", metavar="FORMAT"),
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="Also write the Markdown comment to FILE.", metavar="FILE"),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Also write the JUnit XML to FILE.", metavar="FILE"),
) -> None:
    """Merge per-target results into one report (a row per target)."""
    import json

    from dataclasses import asdict

    from bcce_tf import report_merge
    from bcce_tf.errors import UsageError

    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    inputs = []
    for path in files:
        try:
            inputs.append((path.stem, json.loads(path.read_text(encoding="utf-8"))))
        except OSError as exc:
            raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise UsageError(f"{path}: not JSON ({exc})") from None
    rows = report_merge.merge(inputs)
    texts = {"markdown": report_merge.to_markdown(rows), "junit": report_merge.to_junit(rows),
             "json": json.dumps([asdict(r) for r in rows], indent=2, sort_keys=True) + "\n"}
    for kind, path in (("markdown", markdown), ("junit", junit)):
        if path is not None:
            try:
                path.write_text(texts[kind], encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"--{kind} {path}: cannot be written ({exc.strerror or exc})") from None
    typer.echo(texts[fmt], nl=False)


def register(app: typer.Typer) -> None:
    group = typer.Typer(name="report", help="Reports over several runs or targets.", no_args_is_help=True, rich_markup_mode=None)
    group.command("merge")(merge_command)
    app.add_typer(group, name="report")
