"""`bcce state bootstrap`: the S3 bucket and DynamoDB lock table for the S3 backend."""

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
