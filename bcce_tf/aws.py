"""The one place bcce makes AWS clients, and the one way it calls them.

A session per profile, clients cached per (service, region), botocore's own retries in standard
or adaptive mode under bcce's retry policy and circuit breaker, explicit timeouts, a pool size
from BCCE_CLIENT_POOL_SIZE, and ClientError translated into bcce's own errors at this boundary.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from bcce_tf import __version__
from bcce_tf.aws_errors import translate
from bcce_tf.client_stats import ClientStats
from bcce_tf.resilience.guard import Resilience

DEFAULT_POOL_SIZE = 10
EMULATOR_CREDENTIALS = {"ACCESS_KEY_ID": "bcce-local", "SECRET_ACCESS_KEY": "bcce-local"}


def is_embedded_emulator(url: str) -> bool:
    """Only the emulator `bcce local up` started gets placeholder credentials."""
    host = urlparse(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return False
    from bcce_tf.local_emulator import is_embedded

    return is_embedded(url)


class AwsClients:
    def __init__(
        self,
        *,
        profile: str | None = None,
        endpoint_url: str | None = None,
        retry_mode: str = "standard",
        connect_timeout: float = 5,
        read_timeout: float = 30,
        resilience: Resilience | None = None,
        correlation_id: str | None = None,
        environ: Mapping[str, str] = os.environ,
        unsigned: bool = False,
    ) -> None:
        self.profile = profile
        # Unsigned requests, for the few operations that take no credentials (Cognito Identity's
        # GetId and GetCredentialsForIdentity, which a developer calls before having any).
        self.unsigned = unsigned
        self.endpoint_url = endpoint_url
        self.retry_mode = retry_mode
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.resilience = resilience or Resilience()
        self.correlation_id = correlation_id
        self.pool_size = _pool_size(environ)
        self.stats = ClientStats(self.pool_size)
        self._session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def session(self) -> Any:
        import boto3

        with self._lock:
            if self._session is None and self.unsigned:
                import botocore.session

                # No profile at all: AWS_PROFILE may name the very profile whose credential_process
                # is calling here, and unsigned calls need no credentials.
                core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
                self._session = boto3.session.Session(botocore_session=core)
            if self._session is None:
                session = boto3.session.Session(profile_name=self.profile)
                if self.endpoint_url and session.get_credentials() is None and is_embedded_emulator(self.endpoint_url):
                    # The embedded emulator accepts any credentials; no other endpoint ever sees these.
                    session = boto3.session.Session(**{f"aws_{k.lower()}": v for k, v in EMULATOR_CREDENTIALS.items()})
                self._session = session
            return self._session

    def client(self, service: str, region: str) -> Any:
        from botocore.config import Config as BotoConfig

        session = self.session()
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                agent = f"bcce/{__version__}" + (f" bcce-run/{self.correlation_id}" if self.correlation_id else "")
                config = BotoConfig(
                    region_name=region,
                    retries={"mode": self.retry_mode, "max_attempts": 3},
                    connect_timeout=self.connect_timeout,
                    read_timeout=self.read_timeout,
                    max_pool_connections=self.pool_size,
                    user_agent_extra=agent,
                )
                if self.unsigned:
                    from botocore import UNSIGNED

                    config = config.merge(BotoConfig(signature_version=UNSIGNED))
                client = session.client(service, endpoint_url=self.endpoint_url, config=config)
                client.meta.events.register("needs-retry", self.stats.hook(service, region))
                self._clients[key] = client
                self.stats.client(service, region, created=True)
            else:
                self.stats.client(service, region, created=False)
            return self._clients[key]

    def presigned_url(self, service: str, region: str, operation: str, params: Mapping[str, Any], expires_in: int) -> str:
        """A presigned URL signed with SigV4 (botocore would pick SigV2 for S3 on some endpoints);
        made locally, no request is sent."""
        from botocore.config import Config as BotoConfig

        base = self.client(service, region)
        session = self.session()
        with self._lock:
            key = (f"{service}#sigv4", region)
            if key not in self._clients:
                config = base.meta.config.merge(BotoConfig(signature_version="s3v4" if service == "s3" else "v4"))
                self._clients[key] = session.client(service, endpoint_url=self.endpoint_url, config=config)
            signer = self._clients[key]
        return str(signer.generate_presigned_url(operation, Params=dict(params), ExpiresIn=expires_in))

    def call(self, service: str, region: str, operation: str, **params: Any) -> Any:
        """Call one AWS API operation through the retry policy and the aws:<service>:<region> breaker."""
        client = self.client(service, region)
        method = getattr(client, operation)

        started = self.stats.started(service, region)
        failed = True
        try:
            result = self.resilience.run("aws", (service, region), lambda _: method(**params), check=lambda _: None)
            failed = False
            return result
        except Exception as exc:  # botocore's errors end here; bcce's own pass through unchanged
            translated = translate(exc, service, operation)
            if translated is exc:
                raise
            raise translated from exc
        finally:
            self.stats.finished(service, region, started, failed=failed)


def _pool_size(environ: Mapping[str, str]) -> int:
    raw = environ.get("BCCE_CLIENT_POOL_SIZE")
    if raw is None:
        return DEFAULT_POOL_SIZE
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 1000:
        from bcce_tf.errors import UsageError

        raise UsageError(f"BCCE_CLIENT_POOL_SIZE must be a whole number from 1 to 1000, got '{raw}'")
    return value
