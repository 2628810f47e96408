"""`bcce readiness`, `bcce deploy` and `bcce external account|preflight`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from bcce_tf.exit_codes import ExitCode

FORMAT_HELP = "text, json, markdown (PR comment, GitHub step summary) or junit (XML for CI)."
OUTPUT_HELP = ("Write the report to FILE instead of stdout; FORMAT:FILE (e.g. junit:readiness.xml) writes another "
               "format as well. Repeatable.")
MIN_SCORE_HELP = "Lowest passing score, 0-100 (default: BCCE_MIN_SCORE, else readiness.min_score of the config, 70)."
COMPONENT_HELP = "Component(s) to deploy: security, network, analytics, monitoring, bedrock-access, identity, guardrails, dashboards, infrastructure or all."
STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"

external = typer.Typer(
    help='Programs for Terraform\'s data "external": a JSON object of strings on stdin, one on stdout.',
    no_args_is_help=True,
)


def _targets(fmt: str, outputs: list[str]) -> list[tuple[str, Optional[Path]]]:
    """(format, file or None for stdout) for each rendering asked for."""
    from bcce_tf.errors import UsageError
    from bcce_tf.readiness.report import FORMATS

    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    targets: list[tuple[str, Optional[Path]]] = []
    plain = []
    from bcce_tf.cli.lists import split

    for item in split(outputs, "--output"):
        prefix, sep, rest = item.partition(":")
        if sep and prefix in FORMATS and rest:
            targets.append((prefix, Path(rest)))
        else:
            plain.append(Path(item))
    if len(plain) > 1:
        raise UsageError("give at most one --output without a FORMAT: prefix (it takes --format)")
    targets.insert(0, (fmt, plain[0] if plain else None))
    return targets


def publish(report, fmt: str, outputs: list[str], environ: dict[str, str]) -> None:  # noqa: ANN001
    """Print and write the report in each requested format; append the Markdown to the GitHub
    step summary when that variable is set and Markdown was asked for."""
    from bcce_tf.errors import EnvironmentProblem
    from bcce_tf.logs import logger
    from bcce_tf.readiness.report import render, verdict_line

    rendered: dict[str, str] = {}
    targets = _targets(fmt, outputs)
    for kind, path in targets:
        if kind not in rendered:
            rendered[kind] = render(report, kind)
        text = rendered[kind]
        if path is None:
            typer.echo(text, nl=False)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise EnvironmentProblem(f"cannot write the readiness report to {path}: {exc.strerror or exc}") from exc
        logger().info(f"readiness report ({kind}) written to {path}")
    summary = environ.get(STEP_SUMMARY_ENV)
    if summary and "markdown" in rendered:
        try:
            with open(summary, "a", encoding="utf-8") as stream:
                stream.write(rendered["markdown"].rstrip("\n") + "\n\n")
        except OSError as exc:
            raise EnvironmentProblem(f"cannot append to {STEP_SUMMARY_ENV} ({summary}): {exc.strerror or exc}") from exc
    if targets[0] != ("text", None):  # the checklist did not go to the terminal: say the verdict there
        logger().info(verdict_line(report))


def readiness_command(
    ctx: typer.Context,
    min_score: Optional[int] = typer.Option(None, "--min-score", min=0, max=100, help=MIN_SCORE_HELP),
    fmt: str = typer.Option("text", "--format", "-f", help=FORMAT_HELP),
    output: Optional[list[str]] = typer.Option(None, "--output", "-o", help=OUTPUT_HELP),
) -> None:
    """Check the account, regions and config before deploying; print the checklist and the score.

    Exits 6 when the score is under the minimum or a critical check failed, 0 otherwise."""
    from bcce_tf.cli.common import load

    _targets(fmt, output or [])  # bad usage fails before any AWS call
    _check_and_publish(ctx, load(ctx), min_score, fmt, output or [])


def _check_and_publish(ctx: typer.Context, config, min_score: Optional[int], fmt: str, output: list[str]) -> None:  # noqa: ANN001
    from bcce_tf.cli.gate import run_readiness

    report = run_readiness(ctx, config, min_score=min_score)
    publish(report, fmt, output, dict(os.environ))
    if not report.ready:
        raise typer.Exit(int(ExitCode.READINESS_GATE))


def deploy_command(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Only run the readiness checks (same as 'bcce readiness')."),
    component: Optional[list[str]] = typer.Option(None, "--component", help=COMPONENT_HELP),
    min_score: Optional[int] = typer.Option(None, "--min-score", min=0, max=100, help=MIN_SCORE_HELP),
    force: bool = typer.Option(False, "--force", help="Deploy even when the readiness gate fails."),
    fmt: str = typer.Option("text", "--format", "-f", help="Report format with --dry-run: " + FORMAT_HELP),
    output: Optional[list[str]] = typer.Option(None, "--output", "-o", help="With --dry-run: " + OUTPUT_HELP),
) -> None:
    """Readiness, plan, apply, then doctor's live checks of what was deployed (with --dry-run: readiness only).

    Exits 14 when a check is unhealthy after a successful apply: the apply is kept, not undone."""
    from bcce_tf import stack
    from bcce_tf.cli import apply_time
    from bcce_tf.cli.common import load
    from bcce_tf.cli.gate import readiness_gate
    from bcce_tf.cli.lists import components
    from bcce_tf.cli.runtime import build, regions
    from bcce_tf.logs import logger

    if dry_run:
        _targets(fmt, output or [])
    config = load(ctx)
    chosen = None
    requested = components(component)
    if requested:
        config = config.with_values(components=requested)
        chosen = config.enabled_components()
    if dry_run:
        _check_and_publish(ctx, config, min_score, fmt, output or [])
        return
    runtime = build(ctx, label="deploy", config=config)
    handles = [stack.render(runtime, r, chosen) for r in regions(ctx, runtime.config)]
    for handle in handles:
        for warning in handle.rendered.warnings:
            logger().warning(warning)
    if handles:
        stack.prepare_providers(handles[0])
    score = readiness_gate(ctx, runtime, force=force, min_score=min_score)
    progress = ctx.find_root().meta["bcce"]["progress"]
    for handle in handles:
        stack.init(handle)
        summary = stack.plan(handle, readiness_score=score)
        progress.finish()
        typer.echo(f"Plan for {summary.stack}-{summary.region}: {summary.add} to add, {summary.change} to change, "
                   f"{summary.destroy} to destroy.")
        found = apply_time.announce(summary, handle.target.key)
        result = stack.apply(handle, saved_plan=True)
        progress.finish()
        logger().info(f"{handle.target.key}: {apply_time.after_apply(result, found)}")
    typer.echo(f"Deploy complete (readiness score {score}/100).")
    _doctor_after_apply(ctx, runtime, handles)


def _doctor_after_apply(ctx: typer.Context, runtime, handles) -> None:  # noqa: ANN001
    """doctor's live checks of what was just deployed; exit 14 when one is unhealthy (the apply is kept)."""
    from bcce_tf.cli.doctor_live import live_results
    from bcce_tf.health import report
    from bcce_tf.health.after_deploy import DEPLOY_COMPONENTS, judge
    from bcce_tf.logs import logger

    results = live_results(ctx, DEPLOY_COMPONENTS, runtime=runtime, handles=handles)
    for line in report.text_lines(results):
        typer.echo(line)
    outcome = judge(results)
    if outcome.exit_code:
        logger().error(outcome.summary)
        raise typer.Exit(outcome.exit_code)
    logger().info(outcome.summary)


@external.command("account")
def external_account(ctx: typer.Context) -> None:
    """The AWS account and caller, as external data.

    Query (optional): profile, endpoint_url, region. Prints account_id, partition, caller_arn,
    is_root, region. Cached 300 s per profile and endpoint (BCCE_CACHE_DIR)."""
    from bcce_tf.cli.common import options
    from bcce_tf.external import account

    opts = options(ctx)
    code = account.main(profile=opts.profile, endpoint_url=opts.endpoint_url)
    if code:
        raise typer.Exit(code)


@external.command("preflight")
def external_preflight(ctx: typer.Context) -> None:
    """The readiness score, as external data for a postcondition.

    Query (optional): config, min_score, region, profile, endpoint_url. Prints score, status
    (ready|blocked), min_score, failed, warnings, not_checked, blocked_because, checks, digest."""
    from bcce_tf.cli.common import options
    from bcce_tf.external import preflight

    opts = options(ctx)
    code = preflight.main(config_path=opts.config_path, profile=opts.profile, endpoint_url=opts.endpoint_url)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("readiness")(readiness_command)
    app.command("deploy")(deploy_command)
    app.add_typer(external, name="external")
