"""`bcce state bootstrap|backups|restore`: the S3 backend's bucket and lock table, and the copies of
each stack's state taken before every apply and destroy."""

from __future__ import annotations

from typing import Optional

import typer

from bcce_tf.cli.common import load, options

state = typer.Typer(help="Terraform state storage.", no_args_is_help=True)


@state.command("bootstrap")
def bootstrap_command(
    ctx: typer.Context,
    bucket: Optional[str] = typer.Option(None, "--bucket", help="State bucket (default: backend.bucket of the config)."),
    table: Optional[str] = typer.Option(None, "--lock-table", help="DynamoDB lock table (default: backend.lock_table)."),
) -> None:
    """Create the KMS-encrypted, versioned, private state bucket and the lock table (idempotent)."""
    import os

    from bcce_tf import run_record
    from bcce_tf.aws import AwsClients
    from bcce_tf.cli.runtime import resilience_for
    from bcce_tf.errors import UsageError
    from bcce_tf.logs import log_context, logger
    from bcce_tf.state_backend import bootstrap

    opts = options(ctx)
    run = ctx.find_root().meta.setdefault("bcce", {})
    run["operation"] = "state bootstrap"
    config = load(ctx)
    bucket = bucket or config.backend.bucket
    table = table or config.backend.lock_table
    if not bucket:
        raise UsageError("no state bucket: pass --bucket or set backend.bucket in the config")
    _check_names(bucket, table)
    region = config.backend.region or opts.region or config.regions[0]
    run.update(stack=config.stack_name, regions=[region])
    run_record.announce(run)
    correlation_id = run.get("correlation_id")
    resilience = resilience_for(config, dict(os.environ), run.setdefault("transitions", []), opts=opts,
                                attempts=run.setdefault("attempts", {}), correlation_id=correlation_id)
    run["resilience"] = resilience
    clients = AwsClients(profile=opts.profile, endpoint_url=opts.endpoint_url, resilience=resilience,
                         correlation_id=correlation_id)
    with log_context(operation="state-bootstrap", region=region, stack=config.stack_name):
        result = bootstrap(clients, bucket=bucket, table=table, region=region)
    for item in result.created:
        logger().info(f"created {item}")
    typer.echo(f"state bucket s3://{result.bucket}" + (f", lock table {result.table}" if result.table else "") + " ready")


@state.command("backups")
def backups_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the backups as JSON."),
) -> None:
    """List the copies of each stack's state taken before every apply and destroy, newest first."""
    import json

    from bcce_tf import state_backups
    from bcce_tf.cli.stack_cmds import _render_all

    ctx.find_root().meta.setdefault("bcce", {})["operation"] = "state backups"
    _, handles = _render_all(ctx, None, "render")
    listing = {handle.target.key: state_backups.list_backups(handle) for handle in handles}
    if as_json:
        typer.echo(json.dumps({key: [b.to_dict() for b in found] for key, found in listing.items()}, indent=2, sort_keys=True))
        return
    for handle in handles:
        found = listing[handle.target.key]
        typer.echo(f"{handle.target.key} ({state_backups.backup_dir(handle)}):")
        if not found:
            typer.echo("  no backups yet (one is taken before every apply and destroy)")
        for backup in found:
            typer.echo(f"  {backup.name}  before {backup.operation}, serial {backup.serial}, {backup.resources} resources")


@state.command("restore")
def restore_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="BACKUP", help="The backup to bring back, as `bcce state backups` names it."),
    auto_approve: bool = typer.Option(False, "--auto-approve", help="Do not ask for confirmation."),
) -> None:
    """Make a backup the stack's state again (the current state is backed up first). Refused with
    exit 26 while another run holds the state lock."""
    import sys

    from bcce_tf import run_record, stack, state_backups
    from bcce_tf.cli.stack_cmds import _render_all
    from bcce_tf.errors import DeclinedError, UsageError

    run = ctx.find_root().meta.setdefault("bcce", {})
    run["operation"] = "state restore"
    if not state_backups.is_backup_name(name):
        raise UsageError(f"BACKUP '{name}' is not a backup name: <time>-<operation>-serial<N>.tfstate as `bcce state backups` lists it")
    runtime, handles = _render_all(ctx, None, "state restore")
    handle, backup = state_backups.locate(handles, name)
    run.update(stack=runtime.config.stack_name, regions=[handle.target.region])
    if not auto_approve:
        if not sys.stdin.isatty():
            raise UsageError("state restore needs --auto-approve when not run from a terminal")
        if not typer.confirm(f"Replace the state of {handle.target.key} with {backup.name} "
                             f"(serial {backup.serial}, {backup.resources} resources)?"):
            raise DeclinedError(f"restore of {handle.target.key} declined: the state is unchanged")
    run_record.announce(run)
    stack.init(handle)
    saved, serial = state_backups.restore(handle, backup)
    if saved is not None:
        typer.echo(f"{handle.target.key}: the state it replaced is backed up as {saved.name}", err=True)
    typer.echo(f"{handle.target.key}: state restored from {backup.name} (now serial {serial}, {backup.resources} resources)")


def _check_names(bucket: str, table: Optional[str]) -> None:
    """The config's rules for backend.bucket and backend.lock_table, applied to the flags."""
    from pydantic import ValidationError

    from bcce_tf.config import Backend
    from bcce_tf.errors import UsageError

    try:
        Backend(type="s3", bucket=bucket, lock_table=table)
    except ValidationError as exc:
        error = exc.errors()[0]
        flag = "--bucket" if error["loc"][0] == "bucket" else "--lock-table"
        value = bucket if flag == "--bucket" else table
        rule = "3-63 lower-case letters, digits, dots and hyphens" if flag == "--bucket" else "3-255 letters, digits, _ . -"
        raise UsageError(f"{flag} '{value}' is not a valid name: {rule}") from None


def register(app: typer.Typer) -> None:
    app.add_typer(state, name="state")
