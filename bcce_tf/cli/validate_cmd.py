"""`bcce validate [PATH]`: check a Terraform root on disk, or the config's rendered stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def validate_command(
    ctx: typer.Context,
    path: Optional[Path] = typer.Argument(None, help="A Terraform root folder (default: render the config's stacks and check them)."),
) -> None:
    """Check Terraform without credentials: IAM policies against AWS's action catalogue, and the
    provider schema where this build has it. Exit 0 valid, 4 with one line per finding."""
    import tempfile

    from bcce_tf.errors import ConfigError, UsageError
    from bcce_tf.policies.extract import terraform_files
    from bcce_tf.validation import validate

    roots: list[tuple[str, Path]] = []
    with tempfile.TemporaryDirectory(prefix="bcce-validate-") as scratch:
        if path is not None:
            if not path.is_dir():
                raise UsageError(f"validate: {path} is not a folder (give the folder of a Terraform root)")
            if not terraform_files(path):
                raise UsageError(f"validate: {path} holds no .tf files")
            roots.append((str(path), path))
        else:
            from bcce_tf.cli.common import load
            from bcce_tf.cli.runtime import regions
            from bcce_tf.render import RenderOptions, StackTarget, render_stack

            config = load(ctx)
            for region in regions(ctx, config):
                target = StackTarget(config.stack_name, region)
                rendered = render_stack(config, target, Path(scratch), RenderOptions())
                roots.append((f"{target.key} (rendered)", rendered.directory))
        problems = 0
        for label, root in roots:
            findings, results = validate(root)
            for finding in findings:
                typer.echo(f"{label}: {finding}", err=True)
            problems += len(findings)
            for result in results:
                state = f"not checked ({result.skipped})" if result.skipped else f"{result.checked}, {len(result.findings)} finding(s)"
                typer.echo(f"{label}: {result.name}: {state}")
    if problems:
        raise ConfigError(f"validate: {problems} finding(s); each is listed above with its file and line")
    typer.echo("valid")


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_command)
