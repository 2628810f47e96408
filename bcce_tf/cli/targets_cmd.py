"""`bcce targets`: the (account, region) pairs a run works on, as text, JSON or a GitHub Actions matrix."""

from __future__ import annotations


import typer

FORMATS = ("text", "json", "github-matrix")


def targets_command(
    ctx: typer.Context,
    fmt: str = typer.Option("text", "--format", help="text, json or github-matrix (one line, for a job output read with fromJSON).",
                            metavar="FORMAT"),
) -> None:
    """List the targets of the config (narrowed by --account and --region); no AWS call."""
    import json

    from bcce_tf import targets
    from bcce_tf.cli.common import load, options
    from bcce_tf.errors import UsageError

    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    opts = options(ctx)
    refs = targets.expand(load(ctx), account=opts.account, region=opts.region)
    if fmt == "github-matrix":
        typer.echo(json.dumps(targets.github_matrix(refs), separators=(",", ":")))
        return
    records = targets.describe(refs)
    if fmt == "json":
        typer.echo(json.dumps(records, indent=2, sort_keys=True))
        return
    for record in records:
        how = f"role {record['role_arn']}" if "role_arn" in record else (
            f"profile {record['profile']}" if "profile" in record else "the caller's credentials")
        typer.echo(f"{record['target']}: {how}")


def register(app: typer.Typer) -> None:
    app.command("targets")(targets_command)
