"""`bcce render|plan|apply|destroy|output`: one stack per region of the config."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bcce_tf.cli.common import run_state
from bcce_tf.exit_codes import ExitCode

COMPONENT_HELP = "Component(s) to work on: security, network, analytics, monitoring, bedrock-access, identity, guardrails, dashboards, infrastructure or all."


def _components(config, requested: Optional[list[str]]):  # noqa: ANN001, ANN202
    """The components to render: those the config enables, narrowed by --component."""
    from bcce_tf.cli.lists import components

    chosen = components(requested)
    if not chosen:
        return None
    narrowed = config.with_values(components=chosen)
    return narrowed.enabled_components()


def _render_all(ctx: typer.Context, component: Optional[list[str]], label: str, out: Optional[Path] = None):  # noqa: ANN202
    from bcce_tf import stack
    from bcce_tf.cli.runtime import build, regions
    from bcce_tf.logs import logger

    runtime = build(ctx, label=label)
    chosen = _components(runtime.config, component)
    handles = []
    for region in regions(ctx, runtime.config):
        handle = stack.render(runtime, region, chosen, out=out)
        for warning in handle.rendered.warnings:
            logger().warning(warning)
        handles.append(handle)
    if label != "render" and handles:
        stack.prepare_providers(handles[0])  # a provider nowhere to be had stops the run before AWS is called
    return runtime, handles


def render_command(
    ctx: typer.Context,
    component: Optional[list[str]] = typer.Option(None, "--component", help=COMPONENT_HELP),
    out: Optional[Path] = typer.Option(None, "--out", help="Write each stack's root to DIR/<stack>-<region>/ instead of .bcce/stacks/.", metavar="DIR"),
) -> None:
    """Render the Terraform root of each stack (one per region) without running Terraform."""
    _, handles = _render_all(ctx, component, "render", out=out)
    for handle in handles:
        typer.echo(f"{handle.target.key}: {handle.directory} ({', '.join(handle.rendered.components)})")


def _print_summary(summary, as_json: bool) -> None:  # noqa: ANN001
    if as_json:
        return
    typer.echo(f"Plan for {summary.stack}-{summary.region}: {summary.add} to add, {summary.change} to change, "
               f"{summary.destroy} to destroy" + (f" ({summary.replace} replaced)" if summary.replace else "") + ".")
    marks = {"create": "+", "update": "~", "delete": "-", "replace": "-/+"}
    for change in summary.changes:
        typer.echo(f"  {marks.get(change.action, '?'):>3} {change.address}")
    if summary.readiness_score is not None:
        typer.echo(f"  readiness score: {summary.readiness_score}/100")


def plan_command(
    ctx: typer.Context,
    component: Optional[list[str]] = typer.Option(None, "--component", help=COMPONENT_HELP),
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help="Exit 0 = no changes, 2 = changes, other = error."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan summaries as JSON."),
    destroy: bool = typer.Option(False, "--destroy", help="Plan the destruction of the stack."),
    force: bool = typer.Option(False, "--force", help="Plan even when the readiness gate fails."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help="With several targets: stop the others when one fails."),
) -> None:
    """Plan each stack into a saved plan file and summarise it (several targets: in parallel)."""
    import json

    from bcce_tf import fanout, stack
    from bcce_tf.cli.fanout import over_targets
    from bcce_tf.cli.gate import readiness_gate

    if over_targets(ctx, as_json=as_json, fail_fast=fail_fast):
        return
    runtime, handles = _render_all(ctx, component, "plan")
    score = readiness_gate(ctx, runtime, force=force)
    summaries = []
    progress = run_state(ctx).progress
    for handle in handles:
        stack.init(handle)
        summary = stack.plan(handle, destroy=destroy, readiness_score=score)
        progress.finish()
        summaries.append(summary)
        _print_summary(summary, as_json)
        if summary.has_changes and not destroy:
            from bcce_tf.cli.apply_time import announce

            announce(summary, handle.target.key)
    fanout.write_result({"changed": sum(s.add + s.change + s.destroy for s in summaries), "readiness_score": score,
                         "has_changes": any(s.has_changes for s in summaries), "summaries": [s.to_dict() for s in summaries]})
    if as_json:
        typer.echo(json.dumps([s.to_dict() for s in summaries], indent=2, sort_keys=True))
    if not as_json:
        typer.echo("Apply with: bcce apply", err=True)
    if detailed_exitcode and any(s.has_changes for s in summaries):
        raise typer.Exit(int(ExitCode.CHANGES_PRESENT))


def apply_command(
    ctx: typer.Context,
    component: Optional[list[str]] = typer.Option(None, "--component", help=COMPONENT_HELP),
    auto_approve: bool = typer.Option(False, "--auto-approve", help="Plan and apply in one go, without a saved plan."),
    force: bool = typer.Option(False, "--force", help="Apply even when the readiness gate fails."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help="With several targets: stop the others when one fails."),
) -> None:
    """Apply the saved plan of each stack (or plan and apply with --auto-approve; several targets: in parallel)."""
    from bcce_tf import fanout, stack
    from bcce_tf.cli.fanout import over_targets
    from bcce_tf.cli.gate import readiness_gate
    from bcce_tf.logs import logger

    if over_targets(ctx, fail_fast=fail_fast):
        return
    runtime, handles = _render_all(ctx, component, "apply")
    score = readiness_gate(ctx, runtime, force=force)
    progress = run_state(ctx).progress
    changed = 0
    for handle in handles:
        from bcce_tf.cli import apply_time

        found = None
        if auto_approve:
            stack.init(handle)
        else:
            found = apply_time.saved_plan_estimate(handle, handle.target.key)
        result = stack.apply(handle, saved_plan=not auto_approve)
        progress.finish()
        changed += _applied(result.stdout)
        logger().info(f"{handle.target.key}: {apply_time.after_apply(result, found)}")
    fanout.write_result({"changed": changed, "readiness_score": score})
    typer.echo("Apply complete.")


def _applied(stdout: str) -> int:
    """Resources added, changed and destroyed, from the change_summary line of `apply -json`."""
    from bcce_tf.plan import parse_event

    totals = [event.total for event in map(parse_event, stdout.splitlines())
              if event is not None and event.type == "change_summary" and event.total is not None]
    return totals[-1] if totals else 0


def destroy_command(
    ctx: typer.Context,
    component: Optional[list[str]] = typer.Option(None, "--component", help=COMPONENT_HELP),
    auto_approve: bool = typer.Option(False, "--auto-approve", help="Do not ask for confirmation."),
    delete_data: bool = typer.Option(False, "--delete-data", help="Also delete what holds data: empty and delete the buckets, "
                                     "log groups, database (final snapshot unless the config skips it), secrets, then the KMS key."),
) -> None:
    """Destroy each stack; buckets, log groups, databases, secrets and their KMS key are kept unless --delete-data."""
    from bcce_tf import safe_destroy, stack
    from bcce_tf.errors import UsageError

    runtime, handles = _render_all(ctx, component, "destroy")
    what = "every resource, including all stored data," if delete_data else "every resource that holds no data"
    if not auto_approve:
        from bcce_tf.cli.common import environment

        if not environment(ctx).stdin_isatty:
            raise UsageError("destroy needs --auto-approve when not run from a terminal")
        names = ", ".join(h.target.key for h in handles)
        if not typer.confirm(f"Destroy {what} of {names}?"):
            from bcce_tf.errors import DeclinedError

            raise DeclinedError(f"destroy of {names} declined: nothing was destroyed")
    progress = run_state(ctx).progress
    for handle in handles:
        stack.init(handle)
        outcome = safe_destroy.destroy(handle, delete_data=delete_data, show=lambda s: _print_summary(s, False),
                                       say=lambda line: typer.echo(line, err=True))
        progress.finish()
        _print_outcome(outcome, handle)
    typer.echo("Destroy complete.")


def _print_outcome(outcome, handle) -> None:  # noqa: ANN001
    from bcce_tf.safe_destroy import RETAINED_FILENAME

    if outcome.nothing_to_do and not outcome.retained:
        typer.echo(f"{outcome.stack}: nothing to destroy.")
        return
    for bucket, count in outcome.emptied.items():
        typer.echo(f"{outcome.stack}: emptied s3://{bucket} ({count} object versions and delete markers deleted)")
    if outcome.destroyed:
        typer.echo(f"{outcome.stack}: destroyed {len(outcome.destroyed)} resources.")
    elif outcome.nothing_to_do:
        typer.echo(f"{outcome.stack}: nothing to destroy besides the retained resources.")
    if outcome.retained:
        typer.echo(f"{outcome.stack}: kept {len(outcome.retained)} resources that hold data or protect it "
                   f"(listed in {handle.directory / RETAINED_FILENAME}):")
        for item in outcome.retained:
            holds = f" - {item.holds}" if item.holds else ""
            typer.echo(f"  {item.address} ({item.name}){holds}")
        typer.echo("Delete them with: bcce destroy --delete-data   (or one by one, as listed in the file)")


def output_command(
    ctx: typer.Context,
    name: Optional[str] = typer.Argument(None, help="One output only."),
    as_json: bool = typer.Option(False, "--json", help="Print outputs as JSON."),
) -> None:
    """Print the outputs of each stack (sensitive values are masked)."""
    import json

    from bcce_tf import stack
    from bcce_tf.errors import UsageError

    _, handles = _render_all(ctx, None, "output")
    collected = {}
    for handle in handles:
        values = stack.outputs(handle)
        if name is not None:
            if name not in values:
                raise UsageError(f"no output '{name}' in {handle.target.key}; outputs: {', '.join(values) or 'none (not applied yet?)'}")
            values = {name: values[name]}
        collected[handle.target.key] = values
    if as_json:
        typer.echo(json.dumps(collected, indent=2, sort_keys=True))
        return
    for key, values in collected.items():
        typer.echo(f"{key}:")
        for out_name, value in values.items():
            typer.echo(f"  {out_name} = {json.dumps(value)}")


def register(app: typer.Typer) -> None:
    app.command("render")(render_command)
    app.command("plan")(plan_command)
    app.command("apply")(apply_command)
    app.command("destroy")(destroy_command)
    app.command("output")(output_command)
