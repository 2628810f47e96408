"""CloudWatch publishing at the end of every recorded run.

The run's data points go to the queue in the state directory first, then every point queued for
the same endpoint and profile is sent with PutMetricData through the one AWS client factory, the
retry policy and the `aws:cloudwatch:<region>` breaker. Points CloudWatch did not accept stay in
the queue, with their timestamps, for the next run. Publishing never changes a run's outcome.

Off with `monitoring.publish_metrics: false` or `BCCE_PUBLISH_METRICS=0`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from bcce_tf.errors import UsageError
from bcce_tf.metrics.points import Datum, run_points
from bcce_tf.metrics.queue import Entry, MetricQueue, Target
from bcce_tf.metrics.table import REGION
from bcce_tf.resilience.policy import RetryPolicy

PUBLISH_ENV = "BCCE_PUBLISH_METRICS"
_OFF = ("0", "false", "off", "no")
_ON = ("1", "true", "on", "yes")
# PutMetricData takes at most 1000 metrics and 1 MB per request; a point of bcce is ~250 bytes.
BATCH_SIZE = 500
# Publishing happens when the run's work is done: a short budget, so a dead endpoint delays the
# exit by seconds, not by the minutes a deployment's own retries may take.
PUBLISH_POLICY = RetryPolicy(max_attempts=2, max_seconds=10, initial_wait=0.5, max_wait=2, lock_timeout=0)
CONNECT_TIMEOUT, READ_TIMEOUT = 3.0, 10.0
CREDENTIALS_EXIT = 7


def environment_setting(environ: Mapping[str, str]) -> bool | None:
    """BCCE_PUBLISH_METRICS: False for 0/false/off/no, True for 1/true/on/yes, None when unset;
    anything else is a usage error (raised when the run starts, never at its end)."""
    raw = environ.get(PUBLISH_ENV)
    if raw is None or not raw.strip():
        return None
    value = raw.strip().lower()
    if value in _OFF:
        return False
    if value in _ON:
        return True
    raise UsageError(f"{PUBLISH_ENV} must be 0 or 1 (also false/true, off/on), not '{raw}'")


def enabled(config: Any, environ: Mapping[str, str]) -> bool:
    """Either switch turned off is enough: BCCE_PUBLISH_METRICS=1 cannot override the config's false."""
    monitoring = getattr(config, "monitoring", None)
    configured = bool(getattr(monitoring, "publish_metrics", True))
    return configured and environment_setting(environ) is not False


@dataclass(frozen=True)
class SendResult:
    sent: int
    kept: int
    error: str = ""
    credentials: bool = False  # the failure was missing or rejected credentials


def region_of(datum: Datum) -> str:
    return dict(datum.dimensions).get(REGION, "")


def send(queue: MetricQueue, target: Target, put: Callable[[str, str, list[dict[str, Any]]], object]) -> SendResult:
    """Send every point queued for `target`, one request per region and namespace and batch of
    BATCH_SIZE; `put(region, namespace, metric_data)` makes the call. Stops at the first batch
    that fails and keeps it and the rest; each accepted batch leaves the queue at once."""
    from bcce_tf.errors import CredentialsError

    sent, error, credentials = 0, "", False
    with queue.locked() as entries:
        mine = [entry for entry in entries if entry.target == target and region_of(entry.datum)]
        groups: dict[tuple[str, str], list[Entry]] = {}
        for entry in mine:
            groups.setdefault((region_of(entry.datum), entry.datum.namespace), []).append(entry)
        for (region, namespace), group in sorted(groups.items()):
            for start in range(0, len(group), BATCH_SIZE):
                batch = group[start:start + BATCH_SIZE]
                try:
                    put(region, namespace, [entry.datum.metric_datum() for entry in batch])
                except Exception as exc:  # noqa: BLE001 - whatever failed, the points stay queued
                    error = str(exc) or type(exc).__name__
                    credentials = isinstance(exc, CredentialsError)
                    break
                accepted = {id(entry) for entry in batch}
                entries[:] = [entry for entry in entries if id(entry) not in accepted]
                queue.save_locked(entries)
                sent += len(batch)
            if error:
                break
        kept = sum(1 for entry in entries if entry.target == target)
    return SendResult(sent=sent, kept=kept, error=error, credentials=credentials)


def _config_of(state: Mapping[str, Any]) -> Any:
    """The run's config; a run that never loaded it (`bcce doctor`) reads it now. None when there
    is no config file or it is invalid: such a run publishes nothing, and says nothing about it."""
    if state.get("config") is not None:
        return state["config"]
    from bcce_tf.config import find_config, load_config
    from bcce_tf.errors import BcceError

    options = state.get("options")
    workdir = getattr(options, "workdir", None)
    if workdir is None:
        return None
    path = find_config(getattr(options, "config_path", None), workdir)
    if not path.is_file():
        return None
    try:
        config = load_config(path)
    except (BcceError, OSError, ValueError):
        return None
    stack_name = getattr(options, "stack_name", None)
    return config.with_values(stack_name=stack_name) if stack_name else config


def _breaker_states(state: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    """Breaker states as stored after the run, from the run's own store (the file store when the
    run made none)."""
    resilience = state.get("resilience")
    store = getattr(resilience, "store", None)
    if store is None:
        if (environ.get("BCCE_BREAKER_STORE") or "file").strip() not in ("", "file"):
            return {}
        from bcce_tf.resilience.breaker import FileBreakerStore

        store = FileBreakerStore(environ=environ)
    return {name: str(record.state) for name, record in store.read_all().items()}


def _monthly_cost(config: Any) -> float | None:
    from bcce_tf.cost import estimate

    try:
        return float(estimate(config).monthly_usd)
    except (ValueError, KeyError):
        return None


def _cloudwatch_put(state: Mapping[str, Any], environ: Mapping[str, str], target: Target) -> Callable[..., object]:
    from bcce_tf.aws import AwsClients
    from bcce_tf.resilience.breaker import BreakerSettings
    from bcce_tf.resilience.guard import Resilience

    run_resilience = state.get("resilience")
    resilience = Resilience(policy=PUBLISH_POLICY, breakers=getattr(run_resilience, "breakers", None) or BreakerSettings(),
                            store=getattr(run_resilience, "store", None), attempts={})
    clients = AwsClients(profile=target.profile or None, endpoint_url=target.endpoint_url or None,
                         connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT, resilience=resilience,
                         correlation_id=str(state.get("correlation_id") or "") or None, environ=environ)

    def put(region: str, namespace: str, metric_data: list[dict[str, Any]]) -> object:
        return clients.call("cloudwatch", region, "put_metric_data", Namespace=namespace, MetricData=metric_data)

    return put


def after_run(record: Mapping[str, Any], state: MutableMapping[str, Any], environ: Mapping[str, str] | None = None,
              *, put: Callable[..., object] | None = None) -> SendResult | None:
    """Queue the run's points and send what is queued; None when nothing is published (no config
    was loaded, or publishing is off)."""
    from bcce_tf.logs import logger

    environ = os.environ if environ is None else environ
    config = _config_of(state)
    if config is None or not enabled(config, environ):
        return None
    options = state.get("options")
    target = Target(str(getattr(options, "endpoint_url", None) or ""), str(getattr(options, "profile", None) or ""))
    view = dict(record)
    if not view.get("stack"):
        view["stack"] = config.stack_name
    if not view.get("regions"):
        chosen = getattr(options, "region", None)
        view["regions"] = [chosen] if chosen in config.regions else list(config.regions)
    points = run_points(view, _breaker_states(state, environ), _monthly_cost(config), config.regions[0])
    queue = MetricQueue(environ=environ, warn=logger().warning)
    queue.add(target, points)
    if record.get("exit_code") == CREDENTIALS_EXIT:
        # The same credentials would be refused again: keep the points for a run that has them.
        logger().debug(f"metrics of this run kept in {queue.path} for the next run (AWS credentials missing or rejected)")
        return SendResult(sent=0, kept=len(points))
    result = send(queue, target, put or _cloudwatch_put(state, environ, target))
    if result.credentials:
        # No credentials at all is a machine without AWS access: the run said so already, if it mattered.
        logger().debug(f"metrics not published ({result.error}); {result.kept} data point(s) kept in {queue.path}")
    elif result.error:
        logger().warning(f"could not publish metrics to CloudWatch ({result.error}); {result.kept} data point(s) "
                         f"kept in {queue.path} for the next run")
    elif result.sent:
        logger().debug(f"published {result.sent} metric data point(s) to CloudWatch at {target.describe()}")
    return result
