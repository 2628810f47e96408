"""The developer's AWS profile in the shared config file (~/.aws/config), as pure functions.

identity-center: an `[sso-session NAME]` section (sso_start_url, sso_region,
sso_registration_scopes) and a `[profile NAME]` section (sso_session, sso_account_id,
sso_role_name, region), the names of the AWS CLI's "IAM Identity Center" configuration.
cognito-oidc: a `[profile NAME]` section whose credential_process is `bcce credentials`.

The merge replaces only the keys bcce owns inside its own sections; every other line of the file
(other sections, comments, keys such as `output`) stays as it was, so a second run changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bcce_tf.config import Config
from bcce_tf.errors import UsageError

START_URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$")
ACCOUNT_RE = re.compile(r"^\d{12}$")
SESSION_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REGISTRATION_SCOPES = "sso:account:access"
OWNED = ("sso_session", "sso_account_id", "sso_role_name", "sso_start_url", "sso_region",
         "sso_registration_scopes", "region", "credential_process")


@dataclass(frozen=True)
class Section:
    header: str  # "profile dev" or "sso-session dev"
    values: tuple[tuple[str, str], ...]


def _output(outputs: Mapping[str, Any], name: str, key: str) -> str:
    value = outputs.get(name)
    if value in (None, "", "(sensitive)"):
        raise UsageError(f"stack {key} has no output '{name}': apply the stack (bcce apply) with the identity component first")
    return str(value)


def identity_center(config: Config, outputs: Mapping[str, Any], *, profile: str, region: str, start_url: str | None,
                    sso_region: str | None, session: str | None, key: str) -> list[Section]:
    if not start_url:
        raise UsageError("--sso-start-url is required with auth identity-center: the AWS access portal URL "
                         "(https://d-xxxxxxxxxx.awsapps.com/start, shown in the IAM Identity Center console)")
    if not START_URL_RE.fullmatch(start_url):
        raise UsageError(f"--sso-start-url must be an https URL, not '{start_url}'")
    session = session or profile
    if not SESSION_RE.fullmatch(session):
        raise UsageError(f"--sso-session '{session}': 1-64 letters, digits and . _ -")
    account = _output(outputs, "account_id", key)
    if not ACCOUNT_RE.fullmatch(account):
        raise UsageError(f"output account_id of {key} is not a 12-digit account id: '{account}'")
    # The Identity Center instance is the one of the config's first region (that region manages the permission set).
    sso_region = sso_region or config.regions[0]
    return [
        Section(f"sso-session {session}", (
            ("sso_start_url", start_url), ("sso_region", sso_region), ("sso_registration_scopes", REGISTRATION_SCOPES),
        )),
        Section(f"profile {profile}", (
            ("sso_session", session), ("sso_account_id", account),
            ("sso_role_name", config.identity_center.permission_set_name), ("region", region),
        )),
    ]


def loopback_redirect(config: Config) -> str:
    for url in config.cognito.callback_urls:
        if url.startswith(("http://localhost:", "http://127.0.0.1:")):
            return url
    raise UsageError("cognito.callback_urls has no http://localhost:PORT URL for the sign-in of `bcce credentials`; add one")


def cognito(config: Config, outputs: Mapping[str, Any], *, profile: str, region: str, key: str,
            program: str = "bcce") -> list[Section]:
    user_pool = _output(outputs, "identity_user_pool_id", key)
    client_id = _output(outputs, "identity_user_pool_client_id", key)
    identity_pool = _output(outputs, "identity_pool_id", key)
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool}"
    command = (f"{program} credentials --profile {profile} --region {region} --issuer-url {issuer} "
               f"--client-id {client_id} --identity-pool-id {identity_pool} --redirect-uri {loopback_redirect(config)}")
    for part in (user_pool, client_id, identity_pool):
        if not re.fullmatch(r"[\w:+-]+", part):
            raise UsageError(f"stack output '{part}' of {key} holds characters a credential_process line cannot carry")
    return [Section(f"profile {profile}", (("credential_process", command), ("region", region)))]


_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")
_KEY = re.compile(r"^(\s*)([A-Za-z0-9_.-]+)(\s*=\s*)(.*)$")


def merge(text: str, sections: Sequence[Section]) -> str:
    """The config file text with bcce's sections set: owned keys replaced in place (or added at the
    end of the section), a missing section appended; nothing else changes."""
    lines = text.splitlines()
    for section in sections:
        start = next((i for i, line in enumerate(lines) if (m := _HEADER.match(line)) and m.group(1) == section.header), None)
        if start is None:
            if lines and lines[-1].strip():
                lines.append("")
            lines.append(f"[{section.header}]")
            lines.extend(f"{k} = {v}" for k, v in section.values)
            continue
        end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
        wanted = dict(section.values)
        body: list[str] = []
        seen: set[str] = set()
        for line in lines[start + 1:end]:
            m = _KEY.match(line)
            if m and m.group(2) in OWNED:
                name = m.group(2)
                if name in wanted and name not in seen:
                    body.append(f"{m.group(1)}{name}{m.group(3)}{wanted[name]}")
                    seen.add(name)
                continue  # an owned key bcce no longer writes (or a repeat) goes
            body.append(line)
        missing = [f"{k} = {v}" for k, v in section.values if k not in seen]
        # New keys go after the section's last non-blank line, before the blank lines that separate it.
        tail = len(body)
        while tail and not body[tail - 1].strip():
            tail -= 1
        body[tail:tail] = missing
        lines[start + 1:end] = body
    return "\n".join(lines) + "\n"
