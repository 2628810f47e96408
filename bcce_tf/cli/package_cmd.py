"""`bcce claude-code package`: one archive per OS for the developers, from the stack's outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from bcce_tf.cli.common import options


def build_archives(ctx: typer.Context, systems: list[str], from_outputs: Optional[Path], aws_profile: Optional[str],
                   team: Optional[str], sso_start_url: Optional[str], sso_region: Optional[str],
                   sso_session: Optional[str]) -> tuple[Any, str, dict[str, Any], list[Any], tuple[str, ...]]:
    """(config, region, outputs, archives, notes): the settings and profile `settings` and `profile` write."""
    from bcce_tf.cli.claude_code_cmd import profile_sections, stack_outputs
    from bcce_tf.developer import aws_profile as profiles
    from bcce_tf.developer import files, package, settings
    from bcce_tf.errors import UsageError

    if aws_profile is not None and not settings.PROFILE_RE.fullmatch(aws_profile):
        raise UsageError(f"--aws-profile '{aws_profile}': 1-64 letters, digits and . _ -")
    config, region, outputs = stack_outputs(ctx, from_outputs)
    profile = aws_profile or settings.default_profile(config, region)
    built = settings.build(outputs, config, region=region, profile=profile, team=team)
    sections = profile_sections(config, region, outputs, profile, sso_start_url, sso_region, sso_session)
    settings_text = files.json_text(built.settings)
    config_text = profiles.merge("", sections)
    model_ids = {tier: choice.profile_id for tier, choice in built.models.items()}
    archives = []
    for system in systems:
        readme = package.readme(system, stack=f"{config.stack_name}-{region}", profile=profile, auth=config.auth,
                                region=region, model_ids=model_ids)
        try:
            members = package.contents(system, settings_text=settings_text, aws_config_text=config_text, readme_text=readme)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        archives.append(package.archive(system, profile, members))
    return config, region, outputs, archives, built.notes


def package_command(
    ctx: typer.Context,
    systems: Optional[list[str]] = typer.Option(None, "--os", help="linux, macos, windows (comma-separated or repeated; default all three)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the archives (default .bcce/packages/<stack>-<region>).", metavar="DIR"),
    aws_profile: Optional[str] = typer.Option(None, "--aws-profile", help="AWS profile name (default <stack>-<organization>-<region>, as `settings` uses)."),
    team: Optional[str] = typer.Option(None, "--team", help="Team of the developers, sent as a telemetry resource attribute."),
    sso_start_url: Optional[str] = typer.Option(None, "--sso-start-url", help="identity-center: the AWS access portal URL."),
    sso_region: Optional[str] = typer.Option(None, "--sso-region", help="identity-center: region of the Identity Center instance."),
    sso_session: Optional[str] = typer.Option(None, "--sso-session", help="identity-center: name of the sso-session section."),
    from_outputs: Optional[Path] = typer.Option(None, "--from-outputs", help="Read the stack outputs from a `bcce output --json` file instead of the state.", metavar="FILE"),
) -> None:
    """Build one archive per OS (settings, AWS profile, installer, README) and a SHA256SUMS manifest."""
    from bcce_tf.cli import lists
    from bcce_tf.developer import package
    from bcce_tf.fsutil import atomic_write_bytes, atomic_write_text

    chosen = lists.choose(systems, "--os", package.SYSTEMS) or list(package.SYSTEMS)
    chosen = [s for s in package.SYSTEMS if s in chosen]
    config, region, _, archives, notes = build_archives(ctx, chosen, from_outputs, aws_profile, team,
                                                        sso_start_url, sso_region, sso_session)
    folder = out if out is not None else options(ctx).workdir / ".bcce" / "packages" / f"{config.stack_name}-{region}"
    folder.mkdir(parents=True, exist_ok=True)
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    for item in archives:
        atomic_write_bytes(folder / item.name, item.data)
        typer.echo(f"{folder / item.name}: {item.system}, {len(item.data)} bytes")
    atomic_write_text(folder / package.MANIFEST, package.manifest(archives))
    typer.echo(f"{folder / package.MANIFEST}: {len(archives)} archive(s)")


def distribute_command(
    ctx: typer.Context,
    systems: Optional[list[str]] = typer.Option(None, "--os", help="linux, macos, windows (comma-separated or repeated; default all three)."),
    expires_in: int = typer.Option(604800, "--expires-in", help="Seconds the download URLs last: 1 to 604800 (7 days, the SigV4 maximum).", metavar="SECONDS"),
    bucket: Optional[str] = typer.Option(None, "--bucket", help="Stack bucket for the packages (default: the output athena_results_bucket)."),
    aws_profile: Optional[str] = typer.Option(None, "--aws-profile", help="AWS profile name inside the packages (as `package`)."),
    team: Optional[str] = typer.Option(None, "--team", help="Team of the developers, sent as a telemetry resource attribute."),
    sso_start_url: Optional[str] = typer.Option(None, "--sso-start-url", help="identity-center: the AWS access portal URL."),
    sso_region: Optional[str] = typer.Option(None, "--sso-region", help="identity-center: region of the Identity Center instance."),
    sso_session: Optional[str] = typer.Option(None, "--sso-session", help="identity-center: name of the sso-session section."),
    from_outputs: Optional[Path] = typer.Option(None, "--from-outputs", help="Read the stack outputs from a `bcce output --json` file instead of the state.", metavar="FILE"),
) -> None:
    """Upload the packages (as `package` builds them) to a private, KMS-encrypted prefix of a stack
    bucket and print a presigned download URL per OS with its expiry."""
    from datetime import datetime, timezone

    from bcce_tf.aws import AwsClients
    from bcce_tf.cli import lists
    from bcce_tf.developer import distribute, package

    seconds = distribute.check_expires(expires_in)
    chosen = lists.choose(systems, "--os", package.SYSTEMS) or list(package.SYSTEMS)
    chosen = [s for s in package.SYSTEMS if s in chosen]
    config, region, outputs, archives, notes = build_archives(ctx, chosen, from_outputs, aws_profile, team,
                                                              sso_start_url, sso_region, sso_session)
    where = distribute.target(outputs, f"{config.stack_name}-{region}", bucket)
    opts = options(ctx)
    clients = AwsClients(profile=opts.profile, endpoint_url=opts.endpoint_url)
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    uploads = [(item.system, item.name, item.data) for item in archives]
    uploads.append(("manifest", package.MANIFEST, package.manifest(archives).encode("utf-8")))
    now = datetime.now(timezone.utc)
    credentials = clients.session().get_credentials()
    ends, note = distribute.expiry(now, seconds, getattr(credentials, "_expiry_time", None))
    urls = []
    for system, name, data in uploads:
        object_key = f"{where.prefix}/{name}"
        clients.call("s3", region, "put_object", Bucket=where.bucket, Key=object_key, Body=data,
                     ServerSideEncryption="aws:kms", SSEKMSKeyId=where.kms_key_arn,
                     ContentType="application/zip" if name.endswith(".zip") else "application/gzip" if name.endswith(".gz") else "text/plain")
        url = clients.presigned_url("s3", region, "get_object", {"Bucket": where.bucket, "Key": object_key}, seconds)
        urls.append((system, url))
    typer.echo(f"uploaded to s3://{where.bucket}/{where.prefix}/ (SSE-KMS {where.kms_key_arn})")
    if note:
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"download URLs, valid until {ends:%Y-%m-%dT%H:%M:%SZ} ({seconds} s); share each only with its developers:")
    for system, url in urls:
        typer.echo(f"{system}: {url}")


def register(app: typer.Typer) -> None:
    from bcce_tf.cli.claude_code_cmd import claude_code_app

    claude_code_app.command("package")(package_command)
    claude_code_app.command("distribute")(distribute_command)
