"""What every check shares: the context it reads, the outcome it returns, and its description."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bcce_tf.aws import AwsClients
from bcce_tf.config import Config
from bcce_tf.errors import AwsError, BcceError, CircuitOpenError, CredentialsError, RetriesExhaustedError
from bcce_tf.readiness.model import Category, Impact, Status
from bcce_tf.resilience.text import flatten, shorten

DENIED_CODES = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized")


@dataclass(frozen=True)
class Outcome:
    status: Status
    evidence: str
    remediation: str = ""

    @classmethod
    def passed(cls, evidence: str) -> Outcome:
        return cls(Status.PASSED, evidence)

    @classmethod
    def warning(cls, evidence: str, remediation: str = "") -> Outcome:
        return cls(Status.WARNING, evidence, remediation)

    @classmethod
    def failed(cls, evidence: str, remediation: str = "") -> Outcome:
        return cls(Status.FAILED, evidence, remediation)

    @classmethod
    def not_checked(cls, reason: str, remediation: str = "") -> Outcome:
        return cls(Status.NOT_CHECKED, reason, remediation)


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str
    user_id: str

    @property
    def partition(self) -> str:
        parts = self.arn.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else "aws"

    @property
    def is_root(self) -> bool:
        # Root signs in as arn:<partition>:iam::<account>:root; a role or a user never ends so.
        return self.arn.endswith(":root")

    @property
    def kind(self) -> str:
        resource = self.arn.split(":", 5)[-1]
        return "root" if self.is_root else resource.split("/", 1)[0]


@dataclass
class CheckContext:
    """What a check may read: the config, the regions, and AWS through the one client factory."""

    config: Config
    regions: tuple[str, ...]
    clients: AwsClients
    components: tuple[str, ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)
    _key_locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.components:
            self.components = self.config.enabled_components()

    @property
    def home_region(self) -> str:
        return self.regions[0] if self.regions else self.config.regions[0]

    def call(self, service: str, region: str, operation: str, **params: Any) -> Any:
        return self.clients.call(service, region, operation, **params)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute a value once per run, shared by every check (a failure is shared too)."""
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self._memo:
                try:
                    self._memo[key] = ("ok", compute())
                except Exception as exc:  # noqa: BLE001 - replayed to every caller below
                    self._memo[key] = ("error", exc)
            kind, value = self._memo[key]
        if kind == "error":
            raise value
        return value

    def known(self, key: str) -> Any | None:
        """The value `once` computed for `key`, without waiting or computing; None if none (yet)."""
        entry = self._memo.get(key)
        return entry[1] if entry is not None and entry[0] == "ok" else None

    def identity(self) -> Identity:
        def lookup() -> Identity:
            answer = self.call("sts", self.home_region, "get_caller_identity")
            return Identity(account=str(answer["Account"]), arn=str(answer["Arn"]), user_id=str(answer.get("UserId", "")))

        return self.once("identity", lookup)

    def identity_or_none(self) -> Identity | None:
        try:
            return self.identity()
        except Exception:  # noqa: BLE001 - the credentials check reports why
            return None


@dataclass(frozen=True)
class Check:
    """One check: an id, what it is about, how much it matters, and the function that runs it."""

    id: str
    title: str
    category: Category
    impact: Impact
    run: Callable[..., Outcome]
    args: tuple[Any, ...] = ()
    remediation: str = ""

    def __call__(self, ctx: CheckContext) -> Outcome:
        return self.run(ctx, *self.args)


def is_denied(exc: BaseException) -> bool:
    if isinstance(exc, CredentialsError):
        return any(str(exc.fields.get("detail", "")).startswith(code) for code in DENIED_CODES)
    if isinstance(exc, AwsError):
        return str(exc.fields.get("code", "")) in DENIED_CODES
    return False


_HTML_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _readable(text: str, limit: int = 160) -> str:
    """An error text on one line; an HTML error page is reduced to its title."""
    if re.search(r"<!doctype html|<html", text, re.IGNORECASE):
        title = _HTML_TITLE.search(text)
        page = f"an HTML error page ({flatten(title.group(1))})" if title else "an HTML error page"
        text = re.split(r"<!doctype html|<html", text, maxsplit=1, flags=re.IGNORECASE)[0].rstrip(" :\n") + f" {page}"
    return shorten(text.strip(), limit)


def describe_error(exc: BaseException) -> str:
    """Why a check could not get its answer, in one short line."""
    if is_denied(exc):
        return f"not allowed: {_readable(str(exc), 200)}"
    if isinstance(exc, CircuitOpenError):
        return f"not attempted: {_readable(str(exc), 200)}"
    if isinstance(exc, RetriesExhaustedError):
        attempts = exc.fields.get("attempts", "?")
        return f"no answer after {attempts} attempt(s): {_readable(str(exc.fields.get('reason', exc)))}"
    if isinstance(exc, CredentialsError):
        return _readable(str(exc), 200)
    if isinstance(exc, AwsError):
        fields = exc.fields
        code = str(fields.get("code", ""))
        detail = _readable(str(fields.get("detail", "")))
        status = fields.get("status")
        where = f"{fields.get('service', '?')}:{fields.get('operation', '?')}"
        suffix = f" (HTTP {status})" if status else ""
        return f"{where} failed: {code}: {detail}{suffix}" if detail and detail != code else f"{where} failed: {code}{suffix}"
    if isinstance(exc, BcceError):
        return _readable(str(exc), 200)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return _readable(f"{type(exc).__name__}: {first}", 200)


def count_pages(ctx: CheckContext, service: str, region: str, operation: str, key: str, **params: Any) -> int:
    """How many items a paginated EC2-style Describe call returns in all its pages."""
    total = 0
    token: str | None = None
    for _ in range(1000):
        answer = ctx.call(service, region, operation, **params, **({"NextToken": token} if token else {}))
        total += len(answer.get(key, []))
        token = answer.get("NextToken")
        if not token:
            return total
    raise RuntimeError(f"{service}:{operation} kept paginating past 1000 pages")
