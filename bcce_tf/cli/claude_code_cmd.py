"""`bcce claude-code settings`: the developer's Claude Code settings, built from the stack's outputs."""

from __future__ import annotations

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
    import json

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


def aws_config_path() -> Path:
    """The AWS shared config file: AWS_CONFIG_FILE, else ~/.aws/config."""
    import os

    given = os.environ.get("AWS_CONFIG_FILE", "").strip()
    return Path(given).expanduser() if given else Path.home() / ".aws" / "config"


def profile_sections(config: Any, region: str, outputs: dict[str, Any], profile: str, sso_start_url: Optional[str],
                     sso_region: Optional[str], sso_session: Optional[str]) -> list[Any]:
    """The AWS config sections of the developer's profile for the config's identity track."""
    from bcce_tf.developer import aws_profile as profiles
    from bcce_tf.errors import UsageError
    from bcce_tf.regions import check as check_region

    key = f"{config.stack_name}-{region}"
    if config.auth == "identity-center":
        if sso_region is not None:
            check_region(sso_region, "--sso-region")
        return profiles.identity_center(config, outputs, profile=profile, region=region, start_url=sso_start_url,
                                        sso_region=sso_region, session=sso_session, key=key)
    given = [n for n, v in (("--sso-start-url", sso_start_url), ("--sso-region", sso_region), ("--sso-session", sso_session)) if v]
    if given:
        raise UsageError(f"{', '.join(given)}: only with auth identity-center; this config uses cognito-oidc")
    return profiles.cognito(config, outputs, profile=profile, region=region, key=key)


def profile_command(
    ctx: typer.Context,
    aws_profile: Optional[str] = typer.Option(None, "--aws-profile", help="Name of the profile to write (default <stack>-<organization>-<region>, as `settings` uses)."),
    sso_start_url: Optional[str] = typer.Option(None, "--sso-start-url", help="identity-center: the AWS access portal URL (https://d-xxxxxxxxxx.awsapps.com/start)."),
    sso_region: Optional[str] = typer.Option(None, "--sso-region", help="identity-center: region of the Identity Center instance (default: the config's first region)."),
    sso_session: Optional[str] = typer.Option(None, "--sso-session", help="identity-center: name of the sso-session section (default: the profile name)."),
    config_file: Optional[Path] = typer.Option(None, "--config-file", help="AWS config file to write (default AWS_CONFIG_FILE, else ~/.aws/config).", metavar="PATH"),
    from_outputs: Optional[Path] = typer.Option(None, "--from-outputs", help="Read the stack outputs from a `bcce output --json` file instead of the state.", metavar="FILE"),
    print_only: bool = typer.Option(False, "--print", help="Print the merged config file instead of writing it."),
) -> None:
    """Write the developer's AWS profile: sso-session + profile (identity-center), or a profile whose
    credential_process is `bcce credentials` (cognito-oidc). Merged into the file, a backup kept."""
    from bcce_tf.developer import aws_profile as profiles
    from bcce_tf.developer import files, settings
    from bcce_tf.errors import UsageError

    if aws_profile is not None and not settings.PROFILE_RE.fullmatch(aws_profile):
        raise UsageError(f"--aws-profile '{aws_profile}': 1-64 letters, digits and . _ -")
    config, region, outputs = stack_outputs(ctx, from_outputs)
    profile = aws_profile or settings.default_profile(config, region)
    sections = profile_sections(config, region, outputs, profile, sso_start_url, sso_region, sso_session)
    path = config_file or aws_config_path()
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the AWS config file ({exc}); nothing was written") from exc
    text = profiles.merge(old, sections)
    if print_only:
        typer.echo(text, nl=False)
        return
    written = files.write_merged_text(path, text, now=lambda: datetime.now(timezone.utc), mode=0o600)
    if not written.changed:
        typer.echo(f"{path}: profile {profile} up to date")
        return
    typer.echo(f"{path}: profile {profile} written" + (f" (previous file kept as {written.backup})" if written.backup else ""))
    if config.auth == "identity-center":
        typer.echo(f"  sign in with: aws sso login --profile {profile}")


def current_os() -> str:
    import sys

    return "windows" if sys.platform.startswith("win") else "macos" if sys.platform == "darwin" else "linux"


def doctor_command(
    ctx: typer.Context,
    live: bool = typer.Option(False, "--live", help="Also make one minimal Converse call with the configured model (and guardrail)."),
    as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
    managed_settings: Optional[Path] = typer.Option(None, "--managed-settings", help="Managed settings file to read (default: this OS's).", metavar="PATH"),
) -> None:
    """Check this machine for Claude Code on Bedrock: the claude command, the settings files and which
    values win, the AWS profile's credentials, and (--live) model access. Exit 24 when a check fails."""
    import json
    import shutil
    import subprocess

    from bcce_tf.aws import AwsClients
    from bcce_tf.developer import doctor, files, settings
    from bcce_tf.developer.errors import DeveloperCheckError
    from bcce_tf.errors import BcceError

    opts = options(ctx)

    def version(path: str) -> str | None:
        try:
            done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20, check=False)  # noqa: S603 - the claude found on PATH
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else None

    def read(scope: str, path: Path) -> doctor.SettingsFile:
        if not path.exists():
            return doctor.SettingsFile(scope, str(path), None)
        try:
            return doctor.SettingsFile(scope, str(path), files.read_json_object(path))
        except BcceError as exc:
            return doctor.SettingsFile(scope, str(path), {}, problem=str(exc).split(": ", 1)[-1])

    managed = managed_settings or Path(str(settings.MANAGED_PATHS[current_os()]))
    found = [
        read("managed", managed),
        read("local", opts.workdir / ".claude" / "settings.local.json"),
        read("project", opts.workdir / ".claude" / "settings.json"),
        read("user", Path.home() / ".claude" / "settings.json"),
    ]
    checks = [doctor.check_claude(shutil.which, version)]
    settings_check, eff = doctor.check_settings(found)
    checks.append(settings_check)
    region = eff.env.get("AWS_REGION") or "us-east-1"
    clients: dict[str, AwsClients] = {}

    def client_of(profile: str) -> AwsClients:
        if profile not in clients:
            clients[profile] = AwsClients(profile=profile, endpoint_url=opts.endpoint_url)
        return clients[profile]

    checks.append(doctor.check_credentials(
        eff.env.get("AWS_PROFILE"), lambda profile: client_of(profile).call("sts", region, "get_caller_identity")["Arn"]))
    checks.append(doctor.check_model(
        eff.env, live, lambda profile, where, **params: client_of(profile).call("bedrock-runtime", where, "converse", **params)))
    if as_json:
        typer.echo(json.dumps({"ok": not doctor.failed(checks), "checks": [c.to_dict() for c in checks]}, indent=2))
    else:
        for check in checks:
            typer.echo(check.line())
    bad = [c.name for c in checks if c.status == doctor.FAIL]
    if bad:
        raise DeveloperCheckError(f"{len(bad)} check(s) failed: {', '.join(bad)}")


def register(app: typer.Typer) -> None:
    claude_code_app.command("settings")(settings_command)
    claude_code_app.command("profile")(profile_command)
    claude_code_app.command("doctor")(doctor_command)
    app.add_typer(claude_code_app, name="claude-code")
