"""`bcce metrics`: bcce's metrics in the Prometheus text format, from the run history and the
circuit breakers; to stdout, a node_exporter text file, a Pushgateway, or served for scraping."""

from __future__ import annotations

import os
from typing import Any, Optional
from urllib.parse import urlparse

import typer

from bcce_tf.cli.common import options

HISTORY_LIMIT = 10_000_000  # every recorded run: counters are sums over all of them

metrics_app = typer.Typer(help="bcce's metrics for Prometheus, computed from the run history and the circuit breakers.",
                          invoke_without_command=True, no_args_is_help=False)


def _collector(ctx: typer.Context) -> Any:
    from bcce_tf import history
    from bcce_tf.cli.runtime import breaker_store
    from bcce_tf.metrics.prometheus import HistoryCollector

    environ = dict(os.environ)
    opts = options(ctx)
    store = breaker_store(environ, profile=opts.profile, endpoint_url=opts.endpoint_url)
    path = history.history_path(environ)
    cost = _cost(ctx)
    return HistoryCollector(
        runs=lambda: history.read(path, limit=HISTORY_LIMIT),
        breakers=lambda: {name: str(record.state) for name, record in store.read_all().items()},
        cost=lambda: cost,
    )


def _cost(ctx: typer.Context) -> Any:
    """The config's cost estimate; None when there is no config here (an invalid one is an error)."""
    from bcce_tf.cli.common import config_path, load
    from bcce_tf.cost import estimate
    from bcce_tf.metrics.prometheus import Cost

    if options(ctx).config_path is None and not config_path(ctx).exists():
        return None
    config = load(ctx)
    return Cost(stack=config.stack_name, monthly_usd=float(estimate(config).monthly_usd))


def _check_push_url(url: str) -> None:
    from bcce_tf.errors import UsageError

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UsageError(f"--push must be the http(s) URL of a Pushgateway, such as http://pushgateway:9091, not '{url}'")


@metrics_app.callback()
def metrics_command(
    ctx: typer.Context,
    textfile: Optional[str] = typer.Option(None, "--textfile", help="Write the metrics to this .prom file (atomically) for node_exporter's textfile collector."),
    push: Optional[str] = typer.Option(None, "--push", help="Push the metrics to the Prometheus Pushgateway at this URL."),
    job: str = typer.Option("bcce", "--job", help="Pushgateway job name."),
) -> None:
    """Print bcce's metrics in the Prometheus text format (or write, push them)."""
    if ctx.invoked_subcommand is not None:
        return
    from prometheus_client import generate_latest, push_to_gateway, write_to_textfile

    from bcce_tf.errors import MetricsError, UsageError
    from bcce_tf.metrics.prometheus import registry

    if textfile is not None and not textfile.endswith(".prom"):
        raise UsageError(f"--textfile must name a .prom file (node_exporter reads only those), not '{textfile}'")
    if push is not None:
        _check_push_url(push)
    if not job or "/" in job:
        raise UsageError(f"--job must be a non-empty name without '/', not '{job}'")
    metrics = registry(_collector(ctx))
    if textfile is None and push is None:
        typer.echo(generate_latest(metrics).decode("utf-8"), nl=False)
        return
    if textfile is not None:
        try:
            write_to_textfile(textfile, metrics)
        except OSError as exc:
            raise MetricsError(f"cannot write the metrics to {textfile}: {exc.strerror or exc}") from exc
        typer.echo(f"metrics written to {textfile}")
    if push is not None:
        try:
            push_to_gateway(push, job=job, registry=metrics, timeout=10)
        except OSError as exc:  # URLError and HTTPError are OSErrors
            raise MetricsError(f"cannot push the metrics to the Pushgateway at {push}: {exc}") from exc
        typer.echo(f"metrics pushed to {push} (job {job})")


@metrics_app.command("serve")
def serve_command(
    ctx: typer.Context,
    port: int = typer.Option(9464, "--port", min=0, max=65535, help="TCP port to listen on (0: any free port)."),
    bind: str = typer.Option("127.0.0.1", "--bind", help="Address to listen on (default loopback only; 0.0.0.0 for every interface)."),
) -> None:
    """Serve the metrics over HTTP for Prometheus to scrape (GET /metrics) until stopped."""
    import ipaddress

    from prometheus_client import start_http_server

    from bcce_tf.errors import MetricsError, UsageError
    from bcce_tf.metrics.prometheus import registry

    try:
        ipaddress.ip_address(bind)
    except ValueError:
        if bind != "localhost":
            raise UsageError(f"--bind must be an IP address (127.0.0.1, ::1, 0.0.0.0) or localhost, not '{bind}'") from None
    metrics = registry(_collector(ctx.parent or ctx))
    try:
        server, thread = start_http_server(port, addr=bind, registry=metrics)
    except OSError as exc:
        raise MetricsError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from exc
    host = f"[{bind}]" if ":" in bind else bind
    typer.echo(f"serving metrics on http://{host}:{server.server_port}/metrics (Ctrl-C to stop)")
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")
