"""Stack operations: render, init, plan, apply, destroy and output of one stack in one region,
each run through the retry policy and the stack's circuit breaker."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcce_tf import __version__, terraform
from bcce_tf.aws import EMULATOR_CREDENTIALS, is_embedded_emulator
from bcce_tf.components import component_module
from bcce_tf.config import Config
from bcce_tf.errors import EnvironmentProblem, TerraformError, UsageError
from bcce_tf.logs import log_context
from bcce_tf.plan import PlanSummary, summarize
from bcce_tf.providers.resolve import MirrorChoice, Probe
from bcce_tf.render import RenderedStack, RenderOptions, StackTarget, render_stack
from bcce_tf.resilience.classify import classify_terraform_output, error_diagnostics
from bcce_tf.resilience.failure import Failure
from bcce_tf.resilience.guard import Resilience
from bcce_tf.resilience.text import shorten

PLAN_FILENAME = "bcce.tfplan"
SUMMARY_FILENAME = "bcce-plan-summary.json"
BACKEND_FILENAME = "bcce.s3.tfbackend"


@dataclass
class Runtime:
    """Everything an operation needs besides the stack: resolved once per CLI run."""

    config: Config
    workdir: Path
    correlation_id: str
    profile: str | None = None
    endpoint_url: str | None = None
    terraform_bin: str | None = None
    provider_mirror: Path | None = None  # None = Terraform installs providers the usual way
    # Set: provider_mirror is decided from the rendered root before Terraform first runs (prepare_providers).
    provider_choice: MirrorChoice | None = None
    registry_probe: Probe | None = None  # None = a real name lookup and TCP connection
    resilience: Resilience = field(default_factory=Resilience)
    on_event: Callable[[str], None] | None = None  # each stdout line of Terraform's -json stream
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    account_id: str | None = None  # the target account of this run (config `targets`); None = caller's


def hcl_string(value: str) -> str:
    """A double-quoted HCL string literal that can never become an expression."""
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        .replace("${", "$${").replace("%{", "%%{")
    )
    return f'"{escaped}"'


def terraform_env(runtime: Runtime, target: StackTarget) -> dict[str, str]:
    env = dict(runtime.environ)
    env.update(CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_INPUT="0")
    # Shows up in CloudTrail's userAgent for every call the provider makes.
    env["TF_APPEND_USER_AGENT"] = f"bcce/{__version__} bcce-run/{runtime.correlation_id}"
    if runtime.correlation_id:
        # Programs Terraform starts (data "external", a local-exec calling bcce) join this run.
        env["BCCE_CORRELATION_ID"] = runtime.correlation_id
    if runtime.profile:
        env["AWS_PROFILE"] = runtime.profile
        env.pop("AWS_ACCESS_KEY_ID", None)
        env.pop("AWS_SECRET_ACCESS_KEY", None)
        env.pop("AWS_SESSION_TOKEN", None)
    env.setdefault("AWS_REGION", target.region)
    if runtime.provider_mirror is not None:
        from bcce_tf.providers import cli_config_path

        env["TF_CLI_CONFIG_FILE"] = str(cli_config_path(runtime.provider_mirror))
    if runtime.endpoint_url and not _has_credentials(env) and is_embedded_emulator(runtime.endpoint_url):
        env.update({f"AWS_{k}": v for k, v in EMULATOR_CREDENTIALS.items()})
    for name in runtime.config.enabled_components():
        secrets = getattr(component_module(name), "secret_environment", None)
        if secrets is not None:
            env.update(secrets(runtime.config, runtime.environ))
    return env


def _has_credentials(env: Mapping[str, str]) -> bool:
    return bool(env.get("AWS_ACCESS_KEY_ID") or env.get("AWS_PROFILE"))


def backend_file(runtime: Runtime, target: StackTarget) -> str | None:
    """The S3 backend settings of a stack as a .tfbackend file: one state key per stack and region."""
    backend = runtime.config.backend
    if backend.type != "s3":
        return None
    assert backend.bucket is not None
    lines = {
        "bucket": hcl_string(backend.bucket),
        "key": hcl_string(state_key(backend.key_prefix, target)),
        "region": hcl_string(backend.region or target.region),
        "encrypt": "true",
    }
    if backend.lock_table:
        lines["dynamodb_table"] = hcl_string(backend.lock_table)
    if runtime.endpoint_url:
        url = hcl_string(runtime.endpoint_url)
        lines["endpoints"] = f"{{ s3 = {url}, dynamodb = {url}, sts = {url}, iam = {url} }}"
        lines["use_path_style"] = "true"
        lines["skip_credentials_validation"] = "true"
        lines["skip_requesting_account_id"] = "true"
        lines["skip_metadata_api_check"] = "true"
        lines["skip_region_validation"] = "true"
    return "".join(f"{key} = {value}\n" for key, value in lines.items())


def state_key(prefix: str, target: StackTarget) -> str:
    """<prefix>/<stack>/<region>/terraform.tfstate; with a target account
    <prefix>/<account>/<stack>/<region>/terraform.tfstate."""
    account = f"{target.account_id}/" if target.account_id else ""
    return f"{prefix}/{account}{target.stack_name}/{target.region}/terraform.tfstate"


def breaker_parts(target: StackTarget, endpoint_url: str | None) -> tuple[str, ...]:
    """What a Terraform breaker is keyed by besides the operation: stack and region, and for a
    target account also the account and the endpoint, so one endpoint's failures never open
    the breaker of another account or endpoint."""
    if not target.account_id:
        return (target.stack_name, target.region)
    from bcce_tf.targets import endpoint_label

    return (target.stack_name, target.account_id, target.region, endpoint_label(endpoint_url))


@dataclass
class StackHandle:
    runtime: Runtime
    target: StackTarget
    rendered: RenderedStack

    @property
    def directory(self) -> Path:
        return self.rendered.directory

    @property
    def plan_path(self) -> Path:
        return self.directory / PLAN_FILENAME

    @property
    def summary_path(self) -> Path:
        return self.directory / SUMMARY_FILENAME


def render(runtime: Runtime, region: str, components: tuple[str, ...] | None = None, *,
           out: Path | None = None) -> StackHandle:
    """Render the root of one stack under the working directory's .bcce/stacks/, or under `out`."""
    config = runtime.config
    if region not in config.regions:
        raise UsageError(f"region '{region}' is not in the config's regions ({', '.join(config.regions)})")
    target = StackTarget(config.stack_name, region, runtime.account_id)
    rendered = render_stack(config, target, runtime.workdir, RenderOptions(endpoint_url=runtime.endpoint_url, components=components),
                            directory=None if out is None else out / target.key)
    backend = backend_file(runtime, target)
    if backend is not None:
        (rendered.directory / BACKEND_FILENAME).write_text(backend, encoding="utf-8")
    return StackHandle(runtime=runtime, target=target, rendered=rendered)


def _check(result: terraform.TerraformResult) -> Failure | None:
    return None if result.ok else classify_terraform_output(result.stderr, result.stdout)


def _reason(result: terraform.TerraformResult) -> str:
    diagnostics = error_diagnostics(result.stdout)
    text = diagnostics[0] if diagnostics else result.stderr.strip() or result.stdout.strip()[-2000:]
    return shorten(text, 400)


def _run(handle: StackHandle, kind: str, argv: list[str], *, stream: bool = False,
         attempt_argv: Callable[[int], list[str]] | None = None) -> terraform.TerraformResult:
    runtime = handle.runtime
    prefix = terraform.executable(runtime.terraform_bin, runtime.environ)
    env = terraform_env(runtime, handle.target)

    def operation(attempt: int) -> terraform.TerraformResult:
        args = attempt_argv(attempt) if attempt_argv else argv
        return terraform.run(prefix, args, handle.directory, env, on_stdout_line=runtime.on_event if stream else None)

    target = handle.target
    with log_context(operation=kind, stack=target.stack_name, region=target.region,
                     component=",".join(handle.rendered.components)):
        result = runtime.resilience.run(kind, breaker_parts(target, runtime.endpoint_url), operation, _check)
        if not result.ok:
            raise TerraformError(command=argv[0], exit_code_tf=result.exit_code, reason=_reason(result), result=result)
    return result


def prepare_providers(handle: StackHandle) -> None:
    """Decide once per run where Terraform installs the root's providers from; when nowhere can
    serve them, fail here, before Terraform runs (ProviderUnavailableError)."""
    runtime = handle.runtime
    choice = runtime.provider_choice
    if choice is None:
        return
    from bcce_tf.logs import logger
    from bcce_tf.providers.manifest import load_manifest
    from bcce_tf.providers.resolve import choose_installation, probe_with, required_providers

    installation = choose_installation(
        required_providers(handle.directory), mirror_dir=choice.mirror_dir, manifest=load_manifest(choice.mirror_dir),
        forced=choice.forced, environ=runtime.environ, workdir=handle.directory,
        probe=runtime.registry_probe or probe_with(runtime.environ), generation=runtime.config.provider.generation,
    )
    runtime.provider_mirror, runtime.provider_choice = installation.mirror, None
    logger().debug(installation.reason)


def init(handle: StackHandle, *, upgrade: bool = False) -> terraform.TerraformResult:
    prepare_providers(handle)
    options: dict[str, object] = {"input": "false", "no_color": True, "upgrade": upgrade}
    if (handle.directory / BACKEND_FILENAME).exists():
        options["backend_config"] = BACKEND_FILENAME
        options["reconfigure"] = True
    return _run(handle, "terraform-init", terraform.build_argv("init", options=options))


def show_plan(handle: StackHandle, plan_path: Path) -> PlanSummary:
    result = _run(handle, "terraform-show", terraform.build_argv("show", str(plan_path.name), options={"json": True, "no_color": True}))
    try:
        return summarize(json.loads(result.stdout))
    except (json.JSONDecodeError, ValueError, KeyError) as exc:
        raise EnvironmentProblem(f"could not read the plan of {handle.target.key}: {exc}") from None


def plan(handle: StackHandle, *, destroy: bool = False, readiness_score: int | None = None) -> PlanSummary:
    """Plan into the stack's plan file and write the summary (counts, addresses, score) next to it."""
    handle.plan_path.unlink(missing_ok=True)
    handle.summary_path.unlink(missing_ok=True)
    options = {"input": "false", "json": True, "detailed_exitcode": True, "destroy": destroy, "out": PLAN_FILENAME}
    _run(handle, "terraform-plan", terraform.build_argv("plan", options=options), stream=True)
    summary = show_plan(handle, handle.plan_path)
    summary.readiness_score = readiness_score
    summary.stack = handle.target.stack_name
    summary.region = handle.target.region
    handle.summary_path.write_text(json.dumps(summary.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return summary


def apply(handle: StackHandle, *, saved_plan: bool) -> terraform.TerraformResult:
    """Apply the saved plan; if an attempt fails in passing, later attempts re-plan against the state
    that attempt left behind and apply only what is left, so the run converges without duplicates."""
    approved: set[str] | None = None
    if saved_plan:
        if not handle.plan_path.exists():
            raise UsageError(f"no saved plan for stack {handle.target.key}: run 'bcce plan' first, or pass --auto-approve")
        approved = {c.address for c in show_plan(handle, handle.plan_path).changes}
    from bcce_tf import state_backups

    state_backups.before(handle, "apply")

    def argv_for(attempt: int) -> list[str]:
        if attempt == 1 and saved_plan:
            return terraform.build_argv("apply", PLAN_FILENAME, options={"input": "false", "json": True})
        if approved is not None:
            _check_replan_within(handle, approved)
        return terraform.build_argv("apply", options={"input": "false", "json": True, "auto_approve": True})

    result = _run(handle, "terraform-apply", ["apply"], stream=True, attempt_argv=argv_for)
    handle.plan_path.unlink(missing_ok=True)
    return result


def _check_replan_within(handle: StackHandle, approved: set[str]) -> None:
    """Before a retry applies without the saved plan, make sure it only does what was approved."""
    prefix = terraform.executable(handle.runtime.terraform_bin, handle.runtime.environ)
    env = terraform_env(handle.runtime, handle.target)
    retry_plan = "bcce-retry.tfplan"
    result = terraform.run(prefix, terraform.build_argv("plan", options={"input": "false", "no_color": True, "out": retry_plan}),
                           handle.directory, env)
    if not result.ok:
        return  # the apply attempt itself will fail the same way and be classified
    shown = terraform.run(prefix, ["show", "-json", retry_plan], handle.directory, env)
    (handle.directory / retry_plan).unlink(missing_ok=True)
    if not shown.ok:
        return
    remaining = {c.address for c in summarize(json.loads(shown.stdout)).changes}
    unexpected = sorted(remaining - approved)
    if unexpected:
        raise TerraformError(command="apply", exit_code_tf=1,
                             reason="after a failed attempt the re-plan wants changes that were not in the approved plan: "
                                    + ", ".join(unexpected[:10]) + "; run 'bcce plan' again and review")


def destroy(handle: StackHandle, targets: list[str] | None = None) -> terraform.TerraformResult:
    """Destroy the stack, or only `targets` (and whatever depends on them)."""
    options: dict[str, object] = {"input": "false", "json": True, "auto_approve": True}
    if targets:
        options["target"] = list(targets)
    return _run(handle, "terraform-destroy", terraform.build_argv("destroy", options=options), stream=True)


def state_addresses(handle: StackHandle) -> list[str]:
    """The managed resource instances in the stack's state now (`terraform state list`)."""
    result = _run(handle, "terraform-state", ["state", "list"])
    return sorted(line.strip() for line in result.stdout.splitlines() if line.strip() and not ("." + line.strip()).count(".data."))


def plan_destroy(handle: StackHandle) -> tuple[PlanSummary, dict[str, Any]]:
    """Plan the destruction of the stack; the summary and the whole `show -json` document (its
    prior_state says what each resource holds and depends on)."""
    summary = plan(handle, destroy=True)
    result = _run(handle, "terraform-show", terraform.build_argv("show", PLAN_FILENAME, options={"json": True, "no_color": True}))
    handle.plan_path.unlink(missing_ok=True)
    try:
        return summary, json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise EnvironmentProblem(f"could not read the destroy plan of {handle.target.key}: {exc}") from None


def drift_plan(handle: StackHandle) -> dict[str, Any]:
    """A plan of the stack (-detailed-exitcode) into a file of its own, so the saved plan of
    `bcce plan` is left alone, as `terraform show -json` gives it; the file is removed afterwards."""
    drift_plan = "bcce-drift.tfplan"
    options = {"input": "false", "json": True, "detailed_exitcode": True, "out": drift_plan}
    try:
        _run(handle, "terraform-plan", terraform.build_argv("plan", options=options), stream=True)
        result = _run(handle, "terraform-show", terraform.build_argv("show", drift_plan, options={"json": True, "no_color": True}))
    finally:
        (handle.directory / drift_plan).unlink(missing_ok=True)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise EnvironmentProblem(f"could not read the drift plan of {handle.target.key}: {exc}") from None


def outputs(handle: StackHandle) -> dict[str, Any]:
    """Stack outputs; values Terraform marks sensitive are replaced by "(sensitive)"."""
    result = _run(handle, "terraform-output", terraform.build_argv("output", options={"json": True, "no_color": True}))
    raw = json.loads(result.stdout or "{}")
    return {name: ("(sensitive)" if item.get("sensitive") else item.get("value")) for name, item in sorted(raw.items())}


def show_state(handle: StackHandle) -> dict[str, Any]:
    """The stack's state as `terraform show -json` gives it ({} when nothing was ever applied).
    The state holds secrets: callers keep only the ids they need and never print it."""
    if not (handle.directory / ".terraform").is_dir():
        init(handle)
    result = _run(handle, "terraform-show", terraform.build_argv("show", options={"json": True, "no_color": True}))
    try:
        return json.loads(result.stdout or "{}")
    except json.JSONDecodeError as exc:
        raise EnvironmentProblem(f"could not read the state of {handle.target.key}: {exc}") from None
