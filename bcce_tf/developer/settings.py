"""Claude Code settings from a stack's Terraform outputs and the config: a pure function.

Names follow Claude Code's documentation: settings `env`, `awsAuthRefresh`; environment variables
CLAUDE_CODE_USE_BEDROCK, AWS_REGION, AWS_PROFILE, ANTHROPIC_MODEL, ANTHROPIC_DEFAULT_OPUS_MODEL,
ANTHROPIC_DEFAULT_SONNET_MODEL, ANTHROPIC_DEFAULT_HAIKU_MODEL, ANTHROPIC_CUSTOM_HEADERS (one
`Name: Value` per line; Bedrock reads the guardrail from X-Amzn-Bedrock-GuardrailIdentifier and
X-Amzn-Bedrock-GuardrailVersion), and the OpenTelemetry ones of "Monitoring":
CLAUDE_CODE_ENABLE_TELEMETRY, OTEL_METRICS_EXPORTER, OTEL_LOGS_EXPORTER, OTEL_EXPORTER_OTLP_PROTOCOL,
OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_RESOURCE_ATTRIBUTES.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from bcce_tf.config import Config
from bcce_tf.developer import models
from bcce_tf.errors import UsageError

SCOPES = ("user", "project", "managed")
SYSTEMS = ("linux", "macos", "windows")

# Managed settings file of each OS (Claude Code settings, "Settings files").
MANAGED_PATHS = {
    "linux": PurePosixPath("/etc/claude-code/managed-settings.json"),
    "macos": PurePosixPath("/Library/Application Support/ClaudeCode/managed-settings.json"),
    "windows": PureWindowsPath(r"C:\ProgramData\ClaudeCode\managed-settings.json"),
}

# Every key bcce writes; on a merge these are bcce's, everything else stays as the user had it.
OWNED_ENV = (
    "CLAUDE_CODE_USE_BEDROCK", "AWS_REGION", "AWS_PROFILE",
    "ANTHROPIC_MODEL", "ANTHROPIC_DEFAULT_OPUS_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL", "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "ANTHROPIC_CUSTOM_HEADERS",
    "CLAUDE_CODE_ENABLE_TELEMETRY", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER",
    "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_RESOURCE_ATTRIBUTES",
)
OWNED_TOP = ("awsAuthRefresh", "awsCredentialExport")

TIER_VARIABLES = {"opus": "ANTHROPIC_DEFAULT_OPUS_MODEL", "sonnet": "ANTHROPIC_DEFAULT_SONNET_MODEL", "haiku": "ANTHROPIC_DEFAULT_HAIKU_MODEL"}
OTLP_PROTOCOLS = ("grpc", "http/protobuf", "http/json")
TEAM_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
PROFILE_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class Built:
    settings: dict[str, Any]
    models: dict[str, models.Choice]
    notes: tuple[str, ...] = field(default=())


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def default_profile(config: Config, region: str) -> str:
    return f"{config.stack_name}-{config.organization_id}-{region}"


def settings_path(scope: str, system: str, home: Any, cwd: Any) -> Any:
    """Where the settings file of a scope lives (user: ~/.claude, project: ./.claude, managed: the OS's)."""
    if scope not in SCOPES:
        raise UsageError(f"--scope must be one of {', '.join(SCOPES)}, not '{scope}'")
    if system not in SYSTEMS:
        raise UsageError(f"--os must be one of {', '.join(SYSTEMS)}, not '{system}'")
    if scope == "user":
        return home / ".claude" / "settings.json"
    if scope == "project":
        return cwd / ".claude" / "settings.json"
    return MANAGED_PATHS[system]


def _required(outputs: Mapping[str, Any], name: str, key: str) -> Any:
    value = outputs.get(name)
    if value in (None, "", "(sensitive)"):
        raise UsageError(f"stack {key} has no output '{name}': apply the stack (bcce apply) with the bedrock-access component first")
    return value


def otlp_protocol(outputs: Mapping[str, Any], endpoint: str) -> str:
    given = outputs.get("telemetry_otlp_protocol")
    if given:
        if given not in OTLP_PROTOCOLS:
            raise UsageError(f"output telemetry_otlp_protocol '{given}' is not one of {', '.join(OTLP_PROTOCOLS)}")
        return str(given)
    # OTLP's registered ports: 4317 gRPC, 4318 HTTP.
    return "grpc" if re.search(r":4317(/|$)", endpoint) else "http/protobuf"


def build(outputs: Mapping[str, Any], config: Config, *, region: str, profile: str, team: str | None = None,
          key: str = "") -> Built:
    """The settings bcce owns, from the stack outputs of one region."""
    key = key or f"{config.stack_name}-{region}"
    if not PROFILE_RE.fullmatch(profile):
        raise UsageError(f"--aws-profile '{profile}': 1-64 letters, digits and . _ -")
    if team is not None and not TEAM_RE.fullmatch(team):
        raise UsageError(f"--team '{team}': 1-64 letters, digits and . _ -")
    account = str(_required(outputs, "account_id", key))
    stack_region = str(outputs.get("region") or region)
    policy = models.parse_policy(_required(outputs, "bedrock_access_policy_json", key))
    chosen = models.choose(policy, partition_of(stack_region), stack_region, account)
    if not chosen:
        raise UsageError(
            f"the deployed policy of {key} allows none of the Claude models bcce knows in {stack_region} "
            f"(allowed_model_patterns: {', '.join(config.allowed_model_patterns)})"
        )
    env: dict[str, str] = {"CLAUDE_CODE_USE_BEDROCK": "1", "AWS_REGION": stack_region, "AWS_PROFILE": profile}
    main = chosen.get("sonnet") or chosen.get("opus") or chosen["haiku"]
    env["ANTHROPIC_MODEL"] = main.profile_id
    for tier, variable in TIER_VARIABLES.items():
        if tier in chosen:
            env[variable] = chosen[tier].profile_id
    notes = [f"no {tier} model allowed in {stack_region}: {TIER_VARIABLES[tier]} left unset" for tier in models.TIERS if tier not in chosen]
    guardrail_arn, guardrail_version = outputs.get("guardrail_arn"), outputs.get("guardrail_version")
    if guardrail_arn and guardrail_version:
        env["ANTHROPIC_CUSTOM_HEADERS"] = (
            f"X-Amzn-Bedrock-GuardrailIdentifier: {guardrail_arn}\nX-Amzn-Bedrock-GuardrailVersion: {guardrail_version}"
        )
    elif config.guardrails:
        notes.append("guardrails are on in the config but the stack outputs no guardrail: no guardrail header written")
    endpoint = outputs.get("telemetry_otlp_endpoint")
    if endpoint:
        endpoint = str(endpoint)
        if not re.fullmatch(r"https?://[^\s,]+", endpoint):
            raise UsageError(f"output telemetry_otlp_endpoint '{endpoint}' is not an http(s) URL")
        attributes = f"organization={config.organization_id}" + (f",team={team}" if team else "")
        env.update({
            "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
            "OTEL_METRICS_EXPORTER": "otlp",
            "OTEL_LOGS_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_PROTOCOL": otlp_protocol(outputs, endpoint),
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_RESOURCE_ATTRIBUTES": attributes,
        })
    settings: dict[str, Any] = {"env": env}
    if config.auth == "identity-center":
        settings["awsAuthRefresh"] = f"aws sso login --profile {profile}"
    # cognito-oidc: the profile's credential_process (bcce credentials) signs in and refreshes by
    # itself whenever the AWS SDK needs credentials, so Claude Code needs no refresh command.
    return Built(settings, chosen, tuple(notes))


def merge(existing: Mapping[str, Any], owned: Mapping[str, Any]) -> dict[str, Any]:
    """The existing settings with bcce's keys replaced: keys bcce does not own stay, in their order;
    a key bcce owns but no longer writes (telemetry switched off, say) goes. Keys keep their places,
    so merging the same settings again gives the same text."""
    result = {k: v for k, v in existing.items() if k not in OWNED_TOP or k in owned}
    old_env = existing.get("env") if isinstance(existing.get("env"), dict) else {}
    new_env = owned.get("env", {})
    env = {k: new_env.get(k, v) for k, v in old_env.items() if k not in OWNED_ENV or k in new_env}
    env.update({k: v for k, v in new_env.items() if k not in env})
    result["env"] = env
    for name in OWNED_TOP:
        if name in owned:
            result[name] = owned[name]
    return result
