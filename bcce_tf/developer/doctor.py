"""`bcce claude-code doctor`: the checks of a developer's machine, each one a function that takes
what it needs (files already read, a credentials resolver, a Bedrock caller) and returns a Check.

Settings precedence is Claude Code's: managed, then local project (.claude/settings.local.json),
then project (.claude/settings.json), then user (~/.claude/settings.json); the first file that sets
a key wins it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

OK, FAIL, NOT_CHECKED = "ok", "fail", "not checked"
PRECEDENCE = ("managed", "local", "project", "user")
REQUIRED_ENV = ("CLAUDE_CODE_USE_BEDROCK", "AWS_REGION", "AWS_PROFILE", "ANTHROPIC_MODEL")
GUARDRAIL_ID = "X-Amzn-Bedrock-GuardrailIdentifier"
GUARDRAIL_VERSION = "X-Amzn-Bedrock-GuardrailVersion"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status.upper() if self.status == FAIL else self.status:<11} {self.name}: {self.detail}"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class SettingsFile:
    scope: str
    path: str
    data: Mapping[str, Any] | None  # None: the file does not exist
    problem: str | None = None  # the file exists but cannot be used


@dataclass(frozen=True)
class Effective:
    env: dict[str, str]
    origin: dict[str, str]  # key -> scope whose file set it
    top: dict[str, Any]


def effective(files: Sequence[SettingsFile]) -> Effective:
    """The values Claude Code uses: for each key, the highest-precedence file that sets it."""
    ordered = sorted((f for f in files if f.data is not None), key=lambda f: PRECEDENCE.index(f.scope))
    env: dict[str, str] = {}
    origin: dict[str, str] = {}
    top: dict[str, Any] = {}
    for found in ordered:
        data = found.data or {}
        file_env = data.get("env") if isinstance(data.get("env"), dict) else {}
        for key, value in file_env.items():
            if key not in env:
                env[key], origin[key] = str(value), found.scope
        for key in ("awsAuthRefresh", "awsCredentialExport"):
            if key in data and key not in top:
                top[key], origin[key] = data[key], found.scope
    return Effective(env, origin, top)


def check_claude(which: Callable[[str], str | None], version: Callable[[str], str | None]) -> Check:
    path = which("claude")
    if path is None:
        return Check("claude", FAIL, "the claude command is not on PATH: install Claude Code (npm install -g @anthropic-ai/claude-code)")
    found = version(path)
    return Check("claude", OK, f"{path} ({found})" if found else f"{path} (version not reported)")


def check_settings(files: Sequence[SettingsFile]) -> tuple[Check, Effective]:
    broken = [f for f in files if f.problem]
    eff = effective([f for f in files if not f.problem])
    present = [f"{f.scope} {f.path}" for f in files if f.data is not None and not f.problem]
    if broken:
        first = broken[0]
        return Check("settings", FAIL, f"{first.path}: {first.problem}"), eff
    missing = [k for k in REQUIRED_ENV if not eff.env.get(k)]
    if not present:
        return Check("settings", FAIL, "no Claude Code settings file found: run bcce claude-code settings"), eff
    if missing:
        return Check("settings", FAIL, f"env lacks {', '.join(missing)} (files: {'; '.join(present)}): run bcce claude-code settings"), eff
    if eff.env["CLAUDE_CODE_USE_BEDROCK"] != "1":
        return Check("settings", FAIL, f"CLAUDE_CODE_USE_BEDROCK is '{eff.env['CLAUDE_CODE_USE_BEDROCK']}' (from {eff.origin['CLAUDE_CODE_USE_BEDROCK']}), not 1"), eff
    wins = ", ".join(f"{k} from {eff.origin[k]}" for k in REQUIRED_ENV)
    return Check("settings", OK, f"{'; '.join(present)}; {wins}"), eff


def check_credentials(profile: str | None, resolve: Callable[[str], str]) -> Check:
    """`resolve(profile)` returns the caller's ARN or raises an error whose text is the reason."""
    if not profile:
        return Check("credentials", NOT_CHECKED, "no AWS_PROFILE in the settings")
    try:
        arn = resolve(profile)
    except Exception as exc:  # the reason is reported; the doctor keeps going
        return Check("credentials", FAIL, f"profile {profile}: {' '.join(str(exc).split())}")
    return Check("credentials", OK, f"profile {profile} signs in as {arn}")


def guardrail(env: Mapping[str, str]) -> tuple[str, str] | None:
    headers = dict(
        (m.group(1).strip(), m.group(2).strip())
        for m in (re.match(r"^([^:]+):(.*)$", line) for line in env.get("ANTHROPIC_CUSTOM_HEADERS", "").splitlines()) if m
    )
    if headers.get(GUARDRAIL_ID) and headers.get(GUARDRAIL_VERSION):
        return headers[GUARDRAIL_ID], headers[GUARDRAIL_VERSION]
    return None


def check_model(env: Mapping[str, str], live: bool, converse: Callable[..., Any],
                clock: Callable[[], float] = time.monotonic) -> Check:
    model = env.get("ANTHROPIC_MODEL")
    if not live:
        return Check("model", NOT_CHECKED, "--live makes one Converse call with the configured model")
    if not model or not env.get("AWS_REGION") or not env.get("AWS_PROFILE"):
        return Check("model", NOT_CHECKED, "the settings name no model, region or profile")
    params: dict[str, Any] = {
        "modelId": model,
        "messages": [{"role": "user", "content": [{"text": "ping"}]}],
        "inferenceConfig": {"maxTokens": 1},
    }
    rail = guardrail(env)
    if rail:
        params["guardrailConfig"] = {"guardrailIdentifier": rail[0], "guardrailVersion": rail[1]}
    started = clock()
    try:
        converse(env["AWS_PROFILE"], env["AWS_REGION"], **params)
    except Exception as exc:
        return Check("model", FAIL, f"Converse with {model} in {env['AWS_REGION']}: {' '.join(str(exc).split())}")
    took = clock() - started
    return Check("model", OK, f"Converse with {model} in {env['AWS_REGION']}" + (" (guardrail on)" if rail else "") + f": answered in {took * 1000:.0f} ms")


def failed(checks: Sequence[Check]) -> bool:
    return any(c.status == FAIL for c in checks)
