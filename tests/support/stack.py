"""Render a stack from a config dict and drive it with real Terraform against the emulator."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcce_tf.config import Config
from bcce_tf.render import RenderedStack, RenderOptions, StackTarget, render_stack
from tests.conftest import run_terraform

# Settings that make an emulator run disposable (short key window, buckets deletable with objects).
EMULATOR_DEFAULTS: dict[str, Any] = {
    "provider": {"generation": 3},
    "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
}


def emulator_config(**overrides: Any) -> Config:
    data = json.loads(json.dumps(EMULATOR_DEFAULTS))
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return Config.model_validate(data)


@dataclass
class StackRun:
    rendered: RenderedStack
    mirror: Path
    env: dict[str, str] = field(default_factory=dict)  # extra environment, e.g. TF_VAR_ secrets
    transcripts: list[str] = field(default_factory=list)  # stdout and stderr of every command
    policies_checked: int = 0  # policy documents of the last apply checked against the IAM catalogue

    @property
    def directory(self) -> Path:
        return self.rendered.directory

    def tf(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        result = run_terraform(self.directory, self.mirror, *args, extra_env=self.env)
        self.transcripts.extend([result.stdout, result.stderr])
        assert result.returncode in ok, f"terraform {' '.join(args)} exited {result.returncode}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        return result

    def init(self) -> None:
        self.tf("init", "-input=false", "-no-color")

    def apply(self, *, check_policies: bool = True) -> None:
        """Apply, then check every policy document in the state against AWS's catalogue."""
        self.tf("apply", "-auto-approve", "-input=false", "-no-color")
        if check_policies:
            from tests.support.policy_scan import assert_policies_clean

            self.policies_checked = assert_policies_clean(self.show_state_json())

    def show_state_json(self) -> dict[str, Any]:
        # Not kept in the transcripts: the state holds the secrets the transcripts must never show.
        result = run_terraform(self.directory, self.mirror, "show", "-json", extra_env=self.env)
        assert result.returncode == 0, result.stderr[-4000:]
        return json.loads(result.stdout)

    def plan_exit_code(self) -> int:
        return self.tf("plan", "-detailed-exitcode", "-input=false", "-no-color", ok=(0, 2)).returncode

    def destroy(self) -> None:
        self.tf("destroy", "-auto-approve", "-input=false", "-no-color")

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.tf("output", "-json").stdout)
        return {name: item["value"] for name, item in raw.items()}

    def show_plan_json(self) -> dict[str, Any]:
        self.tf("plan", "-input=false", "-no-color", "-out=tfplan")
        return json.loads(self.tf("show", "-json", "tfplan").stdout)


def render_for_emulator(config: Config, workdir: Path, endpoint_url: str, mirror: Path, region: str = "us-east-1",
                        components: tuple[str, ...] | None = None, env: dict[str, str] | None = None) -> StackRun:
    target = StackTarget(config.stack_name, region)
    rendered = render_stack(config, target, workdir, RenderOptions(endpoint_url=endpoint_url, components=components))
    return StackRun(rendered=rendered, mirror=mirror, env=dict(env or {}))


# A bedrock-access stack that enforces a guardrail, as the developer settings and package tests need it.
GUARDRAIL_ACCOUNT = "123456789012"
GUARDRAIL_VERSION = "3"
DEVELOPER_MODEL_PATTERNS = ["anthropic.claude-sonnet-4-5-*", "anthropic.claude-haiku-4-5-*"]


def guardrail_arn(region: str = "us-east-1") -> str:
    return f"arn:aws:bedrock:{region}:{GUARDRAIL_ACCOUNT}:guardrail/gr0example1abc"


def deploy_guarded_bedrock_access(moto_server: Any, provider_mirror: Path, directory: Path,
                                  regions: list[str]) -> tuple[Config, dict[str, Any]]:
    """Apply bedrock-access with the guardrail enforced (moto has no Bedrock guardrails, so an override
    names one) on the emulator, from an environment without AWS_/TF_/BCCE_ variables; (config, outputs)."""
    import os

    import pytest

    override = (f'module "bedrock_access" {{\n  enforce_guardrail = true\n  guardrail_arn     = "{guardrail_arn()}"\n'
                f'  guardrail_version = "{GUARDRAIL_VERSION}"\n}}\n')
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("AWS_", "TF_", "BCCE_")):
                mp.delenv(name)
        moto_server.reset()
        config = emulator_config(organization_id="acme", components=["bedrock-access"], privatelink=False,
                                 regions=regions, allowed_model_patterns=DEVELOPER_MODEL_PATTERNS)
        stack_run = render_for_emulator(config, directory, moto_server.url, provider_mirror)
        (stack_run.directory / "guardrail_override.tf").write_text(override, encoding="utf-8")
        stack_run.init()
        stack_run.apply()
        outputs = stack_run.outputs()
    outputs.update(guardrail_arn=guardrail_arn(), guardrail_version=GUARDRAIL_VERSION)
    return config, outputs
