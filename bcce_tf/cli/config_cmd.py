"""`bcce init`: write bcce.json from flags, asking for missing values only on a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from bcce_tf.cli.common import environment, options

PROMPTS = (
    ("auth", "Authentication (identity-center or cognito-oidc)", "identity-center"),
    ("regions", "AWS regions, comma-separated", "us-east-1"),
    ("organization_id", "Organization id (lower-case letters, digits, hyphens)", "default"),
)


def _on_off(value: Optional[str], flag: str) -> Optional[bool]:
    if value is None:
        return None
    if value.lower() in ("on", "true", "yes"):
        return True
    if value.lower() in ("off", "false", "no"):
        return False
    from bcce_tf.errors import UsageError

    raise UsageError(f"{flag} takes on or off, not '{value}'")


def init_command(
    ctx: typer.Context,
    auth: Optional[str] = typer.Option(None, "--auth", help="identity-center or cognito-oidc."),
    regions: Optional[list[str]] = typer.Option(None, "--regions", help="AWS regions, comma-separated or repeated."),
    guardrails: Optional[str] = typer.Option(None, "--guardrails", help="on or off."),
    privatelink: Optional[str] = typer.Option(None, "--privatelink", help="on or off."),
    organization_id: Optional[str] = typer.Option(None, "--organization-id"),
    analytics_model: Optional[str] = typer.Option(None, "--analytics-model", help="open-source-self-hosted or none."),
    dashboard: Optional[str] = typer.Option(None, "--dashboard", help="grafana, metabase, superset or none."),
    users: Optional[int] = typer.Option(None, "--users", min=1, max=100_000, help="Number of developers."),
    provider_generation: Optional[int] = typer.Option(None, "--provider-generation", help="3 (offline mirror) or 5."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing config file."),
) -> None:
    """Write bcce.json (validated before it is written)."""
    from bcce_tf.config import CONFIG_FILENAME, dump_config, parse_config
    from bcce_tf.errors import UsageError
    from bcce_tf.logs import logger

    opts = options(ctx)
    path = opts.config_path or (opts.workdir / CONFIG_FILENAME)
    if path.exists() and not force:
        raise UsageError(f"{path} exists; pass --force to overwrite it")
    given: dict[str, object] = {"auth": auth, "regions": regions or None, "organization_id": organization_id}
    if environment(ctx).stdin_isatty:
        for key, question, default in PROMPTS:
            if given[key] is None:
                given[key] = typer.prompt(question, default=default)
    data: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    if data.get("regions") is not None:
        from bcce_tf.cli.lists import split

        from bcce_tf import regions as region_names

        data["regions"] = [region_names.check(r, "--regions") for r in split(data["regions"], "--regions")]
    for key, value, flag in (("guardrails", guardrails, "--guardrails"), ("privatelink", privatelink, "--privatelink")):
        switch = _on_off(value, flag)
        if switch is not None:
            data[key] = switch
    if analytics_model is not None:
        data["analytics_model"] = analytics_model
    if dashboard is not None:
        data["dashboard"] = {"platform": dashboard}
    if users is not None:
        data["users"] = users
    if provider_generation is not None:
        data["provider"] = {"generation": provider_generation}
    config = parse_config(data, Path(path))
    path.write_text(dump_config(config), encoding="utf-8")
    logger().info(f"wrote {path} (components: {', '.join(config.enabled_components())})")


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
