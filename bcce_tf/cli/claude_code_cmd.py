"""`bcce claude-code settings`: the developer's Claude Code settings, built from the stack's outputs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import typer

from bcce_tf.cli.common import options

claude_code_app = typer.Typer(help="Claude Code on the deployed platform: settings, AWS profile, packages, checks.",
                              no_args_is_help=True)


def stack_outputs(ctx: typer.Context, from_outputs: Optional[Path]) -> tuple[Any, str, dict[str, Any]]:
    """(config, region, outputs) of one stack: the --region one, else the config's first region.
    From Terraform (like `bcce output`), or from a saved `bcce output --json` file."""
    from bcce_tf.cli.common import load
    from bcce_tf.errors import UsageError

    config = load(ctx)
    region = options(ctx).region or config.regions[0]
    if region not in config.regions:
        raise UsageError(f"--region {region} is not one of the config's regions ({', '.join(config.regions)})")
    key = f"{config.stack_name}-{region}"
    if from_outputs is not None:
        try:
            saved = json.loads(from_outputs.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise UsageError(f"--from-outputs {from_outputs}: not a readable `bcce output --json` file ({exc})") from exc
        if not isinstance(saved, dict) or not isinstance(saved.get(key), dict):
            raise UsageError(f"--from-outputs {from_outputs} has no outputs of {key} (it holds: {', '.join(saved) if isinstance(saved, dict) else 'no object'})")
        return config, region, saved[key]
    from bcce_tf import stack
    from bcce_tf.cli.runtime import build

    runtime = build(ctx, label="output", config=config)
    handle = stack.render(runtime, region, None)
    stack.prepare_providers(handle)
    return config, region, stack.outputs(handle)


def settings_command(
    ctx: typer.Context,
    scope: str = typer.Option("user", "--scope", help="user (~/.claude/settings.json), project (.claude/settings.json) or managed (the OS's managed-settings.json)."),
    system: str = typer.Option("linux", "--os", help="linux, macos or windows: where the managed settings file lives."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write here instead of the scope's file.", metavar="PATH"),
    aws_profile: Optional[str] = typer.Option(None, "--aws-profile", help="AWS profile name the settings use (default <stack>-<organization>-<region>)."),
    team: Optional[str] = typer.Option(None, "--team", help="Team of the developer, sent as a telemetry resource attribute."),
    from_outputs: Optional[Path] = typer.Option(None, "--from-outputs", help="Read the stack outputs from a `bcce output --json` file instead of the state.", metavar="FILE"),
    print_only: bool = typer.Option(False, "--print", help="Print the merged settings instead of writing them."),
) -> None:
    """Write Claude Code's settings for this stack, merged into the existing file (a backup is kept)."""
    from bcce_tf.developer import files, settings

    target = settings.settings_path(scope, system, Path.home(), options(ctx).workdir)
    config, region, outputs = stack_outputs(ctx, from_outputs)
    built = settings.build(outputs, config, region=region, profile=aws_profile or settings.default_profile(config, region), team=team)
    path = Path(out) if out is not None else Path(str(target))
    merged = settings.merge(files.read_json_object(path), built.settings)
    text = files.json_text(merged)
    for note in built.notes:
        typer.echo(f"note: {note}", err=True)
    if print_only:
        typer.echo(text, nl=False)
        return
    written = files.write_merged_text(path, text, now=lambda: datetime.now(timezone.utc))
    if not written.changed:
        typer.echo(f"{path}: up to date")
        return
    typer.echo(f"{path}: written" + (f" (previous file kept as {written.backup})" if written.backup else ""))
    for tier, choice in built.models.items():
        typer.echo(f"  {tier}: {choice.profile_id}")


def register(app: typer.Typer) -> None:
    claude_code_app.command("settings")(settings_command)
    app.add_typer(claude_code_app, name="claude-code")
