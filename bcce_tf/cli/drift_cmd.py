"""`bcce drift`: a plan of each stack (each target in parallel), and what changed outside
Terraform that the next apply would undo."""

from __future__ import annotations

from typing import Optional

import typer

from bcce_tf.cli.stack_cmds import COMPONENT_HELP

FORMATS = ("text", "json")


def drift_command(
    ctx: typer.Context,
    component: Optional[list[str]] = typer.Option(None, "--component", help=COMPONENT_HELP),
    fmt: str = typer.Option("text", "--format", help="text or json.", metavar="FORMAT"),
    fail_fast: bool = typer.Option(False, "--fail-fast", help="With several targets: stop the others when one fails."),
) -> None:
    """Report the resources changed outside Terraform (exit 0 in sync, 2 drift found, 28 nothing deployed)."""
    import json

    from bcce_tf import drift, fanout, stack
    from bcce_tf.cli.common import run_state
    from bcce_tf.cli.fanout import over_targets
    from bcce_tf.cli.stack_cmds import _render_all
    from bcce_tf.errors import NothingDeployedError, UsageError
    from bcce_tf.exit_codes import ExitCode

    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    if over_targets(ctx, as_json=fmt == "json", fail_fast=fail_fast, exit_code=drift.exit_code, report=drift.render_text):
        return
    runtime, handles = _render_all(ctx, component, "drift")
    records = []
    for handle in handles:
        target = handle.target
        label = f"{target.account_id}/{target.region}" if runtime.account_id else target.region
        stack.init(handle)
        if not drift.deployed(stack.show_state(handle)):
            records.append({"target": label, "deployed": False, "drifted": []})
            continue
        found = drift.drifted(stack.drift_plan(handle))
        records.append({"target": label, "deployed": True, "drifted": [item.to_dict() for item in found]})
    deployed = [record for record in records if record["deployed"]]
    resources = [item for record in deployed for item in record["drifted"]]
    fanout.write_result({"deployed": bool(deployed), "drifted": resources, "changed": len(resources)})
    if deployed:
        run_state(ctx).drifted_resources = len(resources)
    if fmt == "json":
        typer.echo(json.dumps({"targets": records}, indent=2, sort_keys=True))
    else:
        typer.echo(drift.render_text(records))
    if not deployed:
        raise NothingDeployedError(f"nothing deployed in {', '.join(r['target'] for r in records)}: "
                                   "no resource in the state to compare (run 'bcce apply' first)")
    if resources:
        raise typer.Exit(int(ExitCode.CHANGES_PRESENT))


def register(app: typer.Typer) -> None:
    app.command("drift")(drift_command)
