"""The bcce.json model: loading, naming rules, and errors that name the file and the field.

Every value a user types ends up in Terraform through `*.auto.tfvars.json` (see render.py), but
it is still validated here first, so a bad value fails in one line before Terraform runs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bcce_tf.errors import ConfigFieldError, ConfigFileError

CONFIG_FILENAME = "bcce.json"
LEGACY_CONFIG_FILENAME = ".bcce.config.json"

COMPONENTS = (
    "security",
    "network",
    "analytics",
    "monitoring",
    "bedrock-access",
    "identity",
    "guardrails",
    "dashboards",
    "telemetry",
)
COMPONENT_GROUPS = {"infrastructure": ("security", "network")}

NAME_RE = r"^[a-z][a-z0-9-]*[a-z0-9]$"
ACCOUNT_ID_RE = r"^[0-9]{12}$"
# Longest region name in use today (ap-southeast-5 and friends); used for worst-case name lengths.
LONGEST_REGION = 14
ACCOUNT_ID_LEN = 12
BUCKET_SUFFIXES = ("lake", "athena", "trail", "logs")  # keep in step with terraform/modules


def bucket_name(stack: str, org: str, account: str, region: str, suffix: str) -> str:
    """The one naming rule for every bucket bcce creates (mirrored in terraform/modules)."""
    return f"{stack}-{org}-{account}-{region}-{suffix}"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class IdentityCenter(Strict):
    instance_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$")
    group_ids: list[str] = Field(default_factory=list)
    session_duration: str = Field(default="PT8H", pattern=r"^PT([1-9]|1[0-2])H$")
    permission_set_name: str = Field(default="ClaudeCodeBedrock", pattern=r"^[\w+=,.@-]{1,32}$")

    @field_validator("group_ids")
    @classmethod
    def _group_ids(cls, v: list[str]) -> list[str]:
        for gid in v:
            if not re.fullmatch(r"^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$", gid):
                raise ValueError(f"'{gid}' is not an Identity Store group id (a UUID, optionally prefixed)")
        return v


class CognitoOidc(Strict):
    issuer_url: str | None = Field(default=None, pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$")
    client_id: str | None = Field(default=None, pattern=r"^[\w.:@/-]{1,128}$")
    # Name of the environment variable that holds the client secret; the secret itself never
    # lives in a config file, a rendered file or a plan summary.
    client_secret_env: str = Field(default="BCCE_OIDC_CLIENT_SECRET", pattern=r"^[A-Z_][A-Z0-9_]*$")
    provider_name: str = Field(default="corporate-idp", pattern=r"^[A-Za-z0-9_-]{1,32}$")
    attribute_mapping: dict[str, str] = Field(
        default_factory=lambda: {"email": "email", "username": "sub", "custom:team": "team"}
    )
    user_claim: str = Field(default="email", pattern=r"^[\w:.-]{1,64}$")
    team_claim: str = Field(default="team", pattern=r"^[\w:.-]{1,64}$")
    # Where the hosted sign-in sends the authorization code: the local listener of the credential helper.
    callback_urls: list[str] = Field(default_factory=lambda: ["http://localhost:8400/callback"], min_length=1, max_length=10)

    @field_validator("callback_urls")
    @classmethod
    def _callbacks(cls, v: list[str]) -> list[str]:
        for url in v:
            if not re.fullmatch(r"^(https://[A-Za-z0-9.-]+(:[0-9]+)?|http://localhost(:[0-9]+)?)(/[A-Za-z0-9._~/-]*)?$", url):
                raise ValueError(f"callback URL '{url}' must be an https URL or an http://localhost URL")
        return v

    @field_validator("attribute_mapping")
    @classmethod
    def _mapping(cls, v: dict[str, str]) -> dict[str, str]:
        for key, value in v.items():
            if not re.fullmatch(r"^[\w:.-]{1,64}$", key) or not re.fullmatch(r"^[\w:.-]{1,64}$", value):
                raise ValueError(f"mapping '{key}' -> '{value}': names may hold letters, digits, _ : . - (1-64)")
        return v


class DeniedTopic(Strict):
    name: str = Field(pattern=r"^[0-9a-zA-Z-_ !?.]{1,100}$")
    definition: str = Field(min_length=1, max_length=200)
    examples: list[str] = Field(default_factory=list, max_length=5)


class Guardrail(Strict):
    content_filter_strength: Literal["LOW", "MEDIUM", "HIGH"] = "HIGH"
    denied_topics: list[DeniedTopic] = Field(default_factory=list, max_length=30)
    blocked_words: list[str] = Field(default_factory=list, max_length=100)
    pii_action: Literal["BLOCK", "ANONYMIZE"] = "ANONYMIZE"
    blocked_message: str = Field(default="This request was blocked by your organization's guardrail.", max_length=500)


class Security(Strict):
    key_deletion_window_days: int = Field(default=30, ge=7, le=30)
    # Lets destroy remove buckets that still hold objects: for demos and emulator runs only.
    force_destroy_buckets: bool = False


class Network(Strict):
    vpc_cidr: str = Field(default="10.80.0.0/16", pattern=r"^([0-9]{1,3}\.){3}[0-9]{1,3}/(1[6-9]|2[0-4])$")


class Dashboard(Strict):
    platform: Literal["grafana", "metabase", "superset", "none"] = "none"
    instance_type: str = Field(default="t3.small", pattern=r"^[a-z][a-z0-9]*\.[a-z0-9]+$")
    db_instance_class: str = Field(default="db.t3.micro", pattern=r"^db\.[a-z][a-z0-9]*\.[a-z0-9]+$")
    deletion_protection: bool = True
    skip_final_snapshot: bool = False
    backup_retention_days: int = Field(default=7, ge=7, le=35)
    # provider.generation 3 only (5 lets RDS manage the password): the environment variable an
    # operator may set to choose the initial database password; bcce generates one when it is unset.
    db_password_env: str = Field(default="BCCE_DASHBOARD_DB_PASSWORD", pattern=r"^[A-Z_][A-Z0-9_]*$")


class Monitoring(Strict):
    alarm_email: str | None = Field(default=None, pattern=r"^[^@\s\"'\\$]+@[^@\s\"'\\$]+\.[a-zA-Z]{2,}$")
    monthly_budget_usd: float = Field(default=1000.0, gt=0, le=10_000_000)
    # bcce's own metrics (deployments, failures, breakers, readiness, cost) to CloudWatch after each run.
    publish_metrics: bool = True
    # An HTTPS endpoint subscribed to the alert topic (it must confirm SNS's subscription request).
    chat_webhook_sns: str | None = Field(default=None, max_length=2048, pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/?&=+-]*)?$")


class Analytics(Strict):
    # Athena cancels a query of the analytics workgroup once it has scanned this many GB.
    athena_bytes_scanned_cutoff_gb: int = Field(default=10, ge=1, le=1_000_000)
    # Bedrock model invocation logging delivers metadata only (who, model, tokens, errors) unless
    # this is true: then the text, image and embedding bodies of every request are logged too.
    log_prompts: bool = False


class Telemetry(Strict):
    """The OpenTelemetry collector Claude Code exports to (ADOT on ECS Fargate, internal load balancer)."""

    enabled: bool = False
    # ACM certificate of the internal load balancer's HTTPS listener (OTLP/HTTP on port 4318).
    certificate_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$")
    # Plain HTTP inside the VPC instead of HTTPS: only when set explicitly, and never with a certificate.
    allow_http: bool = False
    desired_count: int = Field(default=2, ge=1, le=10)

    @model_validator(mode="after")
    def _listener(self) -> Telemetry:
        if self.enabled and self.certificate_arn is None and not self.allow_http:
            raise ValueError("telemetry.enabled needs telemetry.certificate_arn (an ACM certificate ARN for HTTPS) "
                             "or telemetry.allow_http: true (plain HTTP inside the VPC)")
        if self.certificate_arn is not None and self.allow_http:
            raise ValueError("telemetry.certificate_arn and telemetry.allow_http exclude each other: "
                             "give the certificate for HTTPS, or allow_http for plain HTTP")
        return self


class Backend(Strict):
    type: Literal["local", "s3"] = "local"
    bucket: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    lock_table: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{3,255}$")
    region: str | None = None
    key_prefix: str = Field(default="bcce", pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")

    @field_validator("region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        from bcce_tf import regions

        if v is not None and (reason := regions.problem(v)) is not None:
            raise ValueError(reason)
        return v


class Provider(Strict):
    # 3 = hashicorp/aws 3.x syntax (what the offline mirror carries); 5 = 5.x/6.x syntax.
    generation: Literal[3, 5] = 5


class Resilience(Strict):
    max_attempts: int | None = Field(default=None, ge=1, le=20)
    max_seconds: float | None = Field(default=None, gt=0, le=24 * 3600)
    lock_timeout: float | None = Field(default=None, ge=0, le=3600)
    breaker_fail_max: int | None = Field(default=None, ge=1, le=100)
    breaker_reset_seconds: float | None = Field(default=None, gt=0, le=24 * 3600)


class Readiness(Strict):
    min_score: int = Field(default=70, ge=0, le=100)
    # false: `--force` is refused (exit 15), so the gate cannot be bypassed (CI, production).
    allow_force: bool = True


ROLE_ARN_RE = r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$"


class Target(Strict):
    """One account to roll out to: reached with an assumed role or a named profile."""

    account_id: str = Field(pattern=ACCOUNT_ID_RE)
    role_arn: str | None = Field(default=None, pattern=ROLE_ARN_RE)
    profile: str | None = Field(default=None, pattern=r"^[\w+=,.@/-]{1,128}$")
    external_id: str | None = Field(default=None, min_length=2, max_length=1224, pattern=r"^[\w+=,.@:/-]+$")
    regions: list[str] | None = Field(default=None, min_length=1, max_length=10)
    # Lifetime of the assumed-role credentials (sts:AssumeRole DurationSeconds: 900 to 43200).
    session_duration_seconds: int = Field(default=3600, ge=900, le=43200)

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str] | None) -> list[str] | None:
        from bcce_tf import regions

        for region in v or ():
            if (reason := regions.problem(region)) is not None:
                raise ValueError(reason)
        if v is not None and len(set(v)) != len(v):
            raise ValueError("regions must not repeat")
        return v

    @model_validator(mode="after")
    def _access(self) -> Target:
        if (self.role_arn is None) == (self.profile is None):
            raise ValueError(f"target {self.account_id} needs exactly one of role_arn or profile")
        if self.role_arn is not None and self.role_arn.split(":")[4] != self.account_id:
            raise ValueError(f"role_arn {self.role_arn} is in account {self.role_arn.split(':')[4]}, not in {self.account_id}")
        if self.external_id is not None and self.role_arn is None:
            raise ValueError("external_id goes with role_arn (it is passed to sts:AssumeRole)")
        return self


class Config(Strict):
    version: int = Field(default=1, ge=1, le=1)
    organization_id: str = Field(default="default", min_length=2, max_length=20, pattern=NAME_RE)
    stack_name: str = Field(default="bcce", min_length=2, max_length=20, pattern=NAME_RE)
    regions: list[str] = Field(default_factory=lambda: ["us-east-1"], min_length=1, max_length=10)
    auth: Literal["identity-center", "cognito-oidc"] = "identity-center"
    identity_center: IdentityCenter = Field(default_factory=IdentityCenter)
    cognito: CognitoOidc = Field(default_factory=CognitoOidc)
    guardrails: bool = True
    guardrail: Guardrail = Field(default_factory=Guardrail)
    privatelink: bool = True
    network: Network = Field(default_factory=Network)
    analytics_model: Literal["open-source-self-hosted", "none"] = "open-source-self-hosted"
    dashboard: Dashboard = Field(default_factory=Dashboard)
    users: int = Field(default=50, ge=1, le=100_000)
    components: list[str] = Field(default_factory=lambda: ["all"], min_length=1)
    allowed_model_patterns: list[str] = Field(default_factory=lambda: ["anthropic.claude-*"], min_length=1)
    permissions_boundary_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:iam::[0-9]{12}:policy/[\w+=,.@/-]{1,128}$")
    cloudtrail_multi_region: bool = False
    log_retention_days: int = 365
    security: Security = Field(default_factory=Security)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    analytics: Analytics = Field(default_factory=Analytics)
    telemetry: Telemetry = Field(default_factory=Telemetry)
    backend: Backend = Field(default_factory=Backend)
    provider: Provider = Field(default_factory=Provider)
    resilience: Resilience = Field(default_factory=Resilience)
    readiness: Readiness = Field(default_factory=Readiness)
    tags: dict[str, str] = Field(default_factory=dict, max_length=40)
    # Accounts (each with its regions) to roll out to; empty = the caller's account in `regions`.
    targets: list[Target] = Field(default_factory=list, max_length=500)

    @field_validator("targets")
    @classmethod
    def _targets(cls, v: list[Target]) -> list[Target]:
        accounts = [t.account_id for t in v]
        repeated = sorted({a for a in accounts if accounts.count(a) > 1})
        if repeated:
            raise ValueError(f"account {repeated[0]} is listed twice; give each account once with all its regions")
        return v

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        from bcce_tf import regions

        for region in v:
            if (reason := regions.problem(region)) is not None:
                raise ValueError(reason)
        if len(set(v)) != len(v):
            raise ValueError("regions must not repeat")
        return v

    @field_validator("components")
    @classmethod
    def _components(cls, v: list[str]) -> list[str]:
        allowed = set(COMPONENTS) | set(COMPONENT_GROUPS) | {"all"}
        for name in v:
            if name not in allowed:
                raise ValueError(f"unknown component '{name}'; allowed: {', '.join(sorted(allowed))}")
        return v

    @field_validator("allowed_model_patterns")
    @classmethod
    def _models(cls, v: list[str]) -> list[str]:
        for pattern in v:
            if not re.fullmatch(r"^anthropic\.claude-[a-z0-9*.:-]*$", pattern):
                raise ValueError(f"'{pattern}' must name Anthropic Claude models (anthropic.claude-...)")
        return v

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, v: int) -> int:
        if v not in LOG_RETENTION_DAYS:
            raise ValueError(f"{v} is not a retention CloudWatch Logs accepts; one of {', '.join(map(str, LOG_RETENTION_DAYS))}")
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: dict[str, str]) -> dict[str, str]:
        for key, value in v.items():
            if not re.fullmatch(r"^[\w .:/=+@-]{1,128}$", key) or key.lower().startswith("aws:"):
                raise ValueError(f"tag key '{key}': 1-128 letters, digits, spaces and _ . : / = + - @, not starting with aws:")
            if not re.fullmatch(r"^[\w .:/=+@-]{0,256}$", value):
                raise ValueError(f"tag '{key}' value: up to 256 letters, digits, spaces and _ . : / = + - @")
        return v

    @model_validator(mode="after")
    def _combinations(self) -> Config:
        if self.auth == "cognito-oidc" and (not self.cognito.issuer_url or not self.cognito.client_id):
            raise ValueError("auth 'cognito-oidc' needs cognito.issuer_url and cognito.client_id (the corporate OIDC issuer)")
        if self.backend.type == "s3" and not self.backend.bucket:
            raise ValueError("backend.type 's3' needs backend.bucket (create it with: bcce state bootstrap)")
        if self.guardrails and self.provider.generation < 5 and "guardrails" in self.requested_components_raw():
            raise ValueError(
                "component 'guardrails' was requested explicitly but provider.generation 3 has no Bedrock resources; "
                "set provider.generation to 5 or drop the component"
            )
        self._access_combinations()
        if self.telemetry.enabled and self.analytics_model == "none":
            raise ValueError("telemetry.enabled writes Claude Code's events into the log group of the analytics component, "
                             "but analytics_model is 'none'; set analytics_model to 'open-source-self-hosted' or telemetry.enabled to false")
        if "telemetry" in self.requested_components_raw() and not self.telemetry.enabled:
            raise ValueError("component 'telemetry' was requested but telemetry.enabled is false; set it to true "
                             "(with telemetry.certificate_arn or telemetry.allow_http)")
        longest = max(len(s) for s in BUCKET_SUFFIXES)
        worst = len(bucket_name(self.stack_name, self.organization_id, "0" * ACCOUNT_ID_LEN, "x" * LONGEST_REGION, "x" * longest))
        if worst > 63:
            raise ValueError(
                f"stack_name + organization_id are too long for S3 bucket names ({worst} > 63 characters in the worst case); "
                f"shorten them to {len(self.stack_name) + len(self.organization_id) - (worst - 63)} characters together"
            )
        return self

    def _access_combinations(self) -> None:
        """Developer access, identity and dashboards settings that cannot work together."""
        if self.auth == "cognito-oidc" and self.identity_center.group_ids:
            raise ValueError(
                "identity_center.group_ids are assigned only with auth 'identity-center'; with 'cognito-oidc' "
                "access comes from the corporate identity provider: remove the group ids or switch auth"
            )
        if self.auth == "identity-center" and len(set(self.identity_center.group_ids)) != len(self.identity_center.group_ids):
            raise ValueError("identity_center.group_ids must not repeat")
        if self.auth == "cognito-oidc":
            claims = set(self.cognito.attribute_mapping.values())
            for field_name, claim in (("user_claim", self.cognito.user_claim), ("team_claim", self.cognito.team_claim)):
                if claim not in claims:
                    raise ValueError(
                        f"cognito.{field_name} '{claim}' is not mapped in cognito.attribute_mapping, so no session tag can "
                        f"carry it; add an entry such as \"custom:{claim.split(':')[-1]}\": \"{claim}\""
                    )
        if self.dashboard.platform != "none" and self.analytics_model == "none":
            raise ValueError(
                f"dashboard.platform '{self.dashboard.platform}' shows the Athena data lake of the analytics component, "
                "but analytics_model is 'none'; set analytics_model to 'open-source-self-hosted' or dashboard.platform to 'none'"
            )

    def with_values(self, **changes: Any) -> Config:
        """This config with some top-level fields replaced, validated again like a loaded file."""
        return Config.model_validate({**self.model_dump(mode="json"), **changes})

    def requested_components_raw(self) -> set[str]:
        return {c for c in self.components if c in COMPONENTS}

    def enabled_components(self) -> tuple[str, ...]:
        """Components to deploy, in dependency order: what `components` asks, within what the switches allow."""
        requested: set[str] = set()
        for name in self.components:
            if name == "all":
                requested |= set(COMPONENTS)
            else:
                requested |= set(COMPONENT_GROUPS.get(name, (name,)))
        allowed = {
            "security": True,
            "network": self.privatelink or self.dashboard.platform != "none",
            "analytics": self.analytics_model != "none",
            "monitoring": True,
            "bedrock-access": True,
            "identity": True,
            "guardrails": self.guardrails and self.provider.generation >= 5,
            "dashboards": self.dashboard.platform != "none",
            "telemetry": self.telemetry.enabled,
        }
        enabled = {c for c in requested if allowed[c]}
        # Every component encrypts with the stack key; dashboards live in the private subnets.
        if enabled:
            enabled.add("security")
        if "dashboards" in enabled:
            enabled |= {"network", "analytics"} if self.analytics_model != "none" else {"network"}
        # The collector runs in the private subnets and writes into the analytics log group.
        if "telemetry" in enabled:
            enabled |= {"network", "analytics"}
        # Identity hands out the developer policy; that policy requires the guardrail and the
        # bedrock-runtime VPC endpoint when those are on, so they come along.
        if "identity" in enabled:
            enabled.add("bedrock-access")
        if "bedrock-access" in enabled:
            if allowed["guardrails"]:
                enabled.add("guardrails")
            if self.privatelink:
                enabled.add("network")
        return tuple(c for c in COMPONENTS if c in enabled)

    def guardrails_unsupported(self) -> bool:
        """Guardrails are on in the config but the provider generation cannot create them."""
        return self.guardrails and self.provider.generation < 5


LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _describe(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see README for the fields bcce.json accepts)"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        return f"value {_short(err.get('input'))} does not match the allowed pattern {pattern}"
    if kind == "literal_error":
        return f"value {_short(err.get('input'))} is not allowed; expected {err.get('ctx', {}).get('expected', '')}"
    msg = str(err.get("msg", "invalid value"))
    return msg.removeprefix("Value error, ")


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_config(data: Any, path: Path) -> Config:
    """Validate a parsed JSON document; raise ConfigFieldError for the first problem."""
    if not isinstance(data, dict):
        raise ConfigFileError(path=path, problem="the top level must be a JSON object")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise ConfigFieldError(path=path, field=_field_path(first["loc"]), problem=_describe(first) + more) from None


def from_legacy(data: dict[str, Any]) -> dict[str, Any]:
    """Map the earlier TypeScript CLI's .bcce.config.json onto the bcce.json fields."""
    mapped: dict[str, Any] = {}
    for key in ("auth", "regions", "guardrails", "privatelink"):
        if key in data:
            mapped[key] = data[key]
    aliases = {
        "organizationId": "organization_id",
        "organization_id": "organization_id",
        "stackName": "stack_name",
        "analyticsModel": "analytics_model",
        "users": "users",
        "userCount": "users",
    }
    for old, new in aliases.items():
        if old in data:
            mapped[new] = data[old]
    dash = data.get("dashboard")
    if isinstance(dash, str):
        mapped["dashboard"] = {"platform": dash}
    backend = data.get("terraform_backend") or {}
    if isinstance(backend, dict) and backend.get("bucket"):
        mapped["backend"] = {"type": "s3", "bucket": backend["bucket"]}
        if backend.get("region"):
            mapped["backend"]["region"] = backend["region"]
    return mapped


def read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigFileError(path=path, problem="file not found (create one with: bcce init)") from None
    except OSError as exc:
        raise ConfigFileError(path=path, problem=f"cannot be read: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigFileError(path=path, problem=f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def find_config(explicit: Path | None, cwd: Path) -> Path:
    if explicit is not None:
        return explicit
    for name in (CONFIG_FILENAME, LEGACY_CONFIG_FILENAME):
        candidate = cwd / name
        if candidate.exists():
            return candidate
    return cwd / CONFIG_FILENAME


def load_config(path: Path) -> Config:
    data = read_json(path)
    if path.name == LEGACY_CONFIG_FILENAME and isinstance(data, dict):
        data = from_legacy(data)
    return parse_config(data, path)


def dump_config(config: Config) -> str:
    """Serialise a config as bcce.json text (stable key order, defaults included)."""
    return json.dumps(config.model_dump(mode="json"), indent=2, sort_keys=False) + "\n"
