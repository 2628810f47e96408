"""Run a command once per target, in child processes, when the config's targets select several
(account, region) pairs; print one line per target as it ends and a table at the end."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import typer

from bcce_tf.cli.common import load, options


def over_targets(ctx: typer.Context, *, as_json: bool = False, fail_fast: bool = False,
                 exit_code: Callable[[Sequence[int]], int] | None = None,
                 report: Callable[[list[dict[str, Any]]], str] | None = None) -> bool:
    """False when this process does the work itself: no `targets` in the config, one target
    selected, or this process is already one target's child. Otherwise every selected target runs
    in its own child (at most --parallelism at once) and the run ends here with typer.Exit: the
    worst exit code of the targets (executor.worst), or `exit_code(codes)` when given."""
    from bcce_tf import executor, fanout, run_record, targets
    from bcce_tf.logs import logger

    if fanout.is_child(os.environ):
        return False
    config = load(ctx)
    if not config.targets:
        return False
    opts = options(ctx)
    refs = targets.expand(config, account=opts.account, region=opts.region)
    if len(refs) < 2:
        return False
    state = ctx.find_root().meta.setdefault("bcce", {})
    state["stack"] = config.stack_name
    state["regions"] = sorted({ref.region for ref in refs})
    run_record.announce(state)
    correlation_id = str(state.get("correlation_id", ""))
    run_dir = opts.workdir / ".bcce" / "runs" / (correlation_id or "run")
    args = list(fanout.INVOKED) or sys.argv[1:]
    specs = []
    for number, ref in enumerate(refs, start=1):
        assert ref.account_id is not None
        result_path = run_dir / f"{ref.file_label}.result.json"
        env = {**os.environ, fanout.CHILD_ENV: ref.label, fanout.RESULT_ENV: str(result_path),
               # Each child has an id of its own, that names the parent's run it belongs to.
               "BCCE_CORRELATION_ID": f"{correlation_id}-{number}"}
        specs.append(executor.ChildSpec(
            label=ref.label, argv=(sys.executable, "-m", "bcce_tf", *fanout.child_args(args, ref.account_id, ref.region)),
            env=env, log_path=run_dir / f"{ref.file_label}.log", result_path=result_path, cwd=opts.workdir))
    count = targets.parallelism(opts.parallelism, len(specs))
    logger().info(f"{len(specs)} targets, {count} at a time; logs in {run_dir}")
    outcomes = executor.run_all(specs, parallelism=count, fail_fast=fail_fast, on_line=lambda line: logger().info(line))
    rows = []
    for outcome in outcomes:
        row = outcome.to_dict()
        if outcome.status not in ("ok", "changes", "drift", "not run", "stopped"):
            try:
                row["error"] = fanout.last_error(outcome.log_path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                row["error"] = ""
        rows.append(row)
    codes = executor.run_codes(outcomes)
    code = exit_code(codes) if exit_code is not None else executor.worst(codes)
    if as_json:
        typer.echo(json.dumps({"exit_code": code, "parallelism": count, "targets": rows}, indent=2, sort_keys=True))
    else:
        typer.echo(fanout.render_table(rows))
        if report is not None:
            text = report(rows)
            if text:
                typer.echo(text)
    raise typer.Exit(code)
