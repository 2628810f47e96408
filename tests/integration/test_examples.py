"""The examples, run for real: Terraform roots that call bcce (null_resource hook, data
"external" with the preflight module) and the CI gate script, all against the emulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from bcce_tf.providers import cli_config_path, render_cli_config
from tests.support.external_provider import install_external_provider

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
VENV_BIN = str(Path(sys.executable).parent)


def flat(text: str) -> str:
    """Terraform wraps diagnostics to the terminal width: compare with whitespace collapsed."""
    return " ".join(text.split())


def base_env(tmp_path: Path, provider_mirror: Path, cli_config: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(
        PATH=os.pathsep.join([VENV_BIN, env.get("PATH", "")]),
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        TF_CLI_CONFIG_FILE=str(cli_config),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        BCCE_MIRROR_DIR=str(provider_mirror),  # bcce's own Terraform runs install from the same mirror
        BCCE_CACHE_DIR=str(tmp_path / "cache"),
    )
    return env


def terraform(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bcce_tf.tfshim", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=900, check=False)


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    return result


def bucket_names(emulator) -> list[str]:  # noqa: ANN001
    return sorted(b["Name"] for b in emulator.client("s3").list_buckets().get("Buckets", []))


# ---------------------------------------------------------------- data "external"


@pytest.fixture(scope="module")
def external_cli_config(provider_mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    standin = tmp_path_factory.mktemp("external-mirror")
    install_external_provider(standin)
    config = tmp_path_factory.mktemp("external-cli") / "terraform.rc"
    config.write_text(render_cli_config([provider_mirror, standin]))
    return config


def copy_external_data_example(tmp_path: Path) -> Path:
    """The example and the module it uses, at the same relative places as in the repository."""
    shutil.copytree(EXAMPLES / "external-data", tmp_path / "examples" / "external-data")
    shutil.copytree(REPO_ROOT / "terraform" / "modules" / "preflight", tmp_path / "terraform" / "modules" / "preflight")
    return tmp_path / "examples" / "external-data"


def test_external_data_example_gates_a_plain_plan(emulator, provider_mirror, external_cli_config, tmp_path):
    root = copy_external_data_example(tmp_path)
    env = base_env(tmp_path, provider_mirror, external_cli_config)
    ok(terraform(root, env, "init", "-input=false", "-no-color"))
    url = f"-var=endpoint_url={emulator.url}"
    emulator.make_ready("us-east-1")  # a logging trail: no critical check fails, the threshold decides

    passing = ok(terraform(root, env, "plan", "-input=false", "-no-color", url, "-var=min_score=10", "-out=tfplan"))
    assert "Resource postcondition failed" not in passing.stderr
    outputs = json.loads(ok(terraform(root, env, "show", "-json", "tfplan")).stdout)["planned_values"]["outputs"]
    values = {name: item["value"] for name, item in outputs.items()}
    assert values["account_id"] == "123456789012"
    assert values["partition"] == "aws"
    assert values["caller_arn"] == "arn:aws:sts::123456789012:user/moto"
    assert values["readiness_status"] == "ready"
    assert 10 <= values["readiness_score"] < 100
    assert len(values["readiness_digest"]) == 64

    failing = terraform(root, env, "plan", "-input=false", "-no-color", url, "-var=min_score=100")
    assert failing.returncode == 1
    stderr = flat(failing.stderr)
    assert "Resource postcondition failed" in stderr
    assert f"bcce readiness gate: score {values['readiness_score']}/100 (minimum 100), status blocked." in stderr
    assert f"score {values['readiness_score']} is below the minimum 100" in stderr
    assert "Failed checks: security.root-mfa," in stderr
    assert "Run 'bcce readiness' for the checklist and what to fix." in stderr


def test_preflight_module_reports_a_program_failure(emulator, provider_mirror, external_cli_config, tmp_path):
    root = copy_external_data_example(tmp_path)
    env = base_env(tmp_path, provider_mirror, external_cli_config)
    ok(terraform(root, env, "init", "-input=false", "-no-color"))
    result = terraform(root, env, "plan", "-input=false", "-no-color", f"-var=endpoint_url={emulator.url}",
                       "-var=config_path=missing.json")
    assert result.returncode == 1
    stderr = flat(result.stderr)
    assert "External Program Execution Failed" in stderr
    assert f"{root / 'missing.json'}: file not found" in stderr


# ---------------------------------------------------------------- null_resource hook


def test_null_resource_hook_runs_readiness_plan_apply_and_destroy(emulator, provider_mirror, tmp_path):
    root = tmp_path / "hook"
    shutil.copytree(EXAMPLES / "null-resource-hook", root)
    env = base_env(tmp_path, provider_mirror, cli_config_path(provider_mirror))
    ok(terraform(root, env, "init", "-input=false", "-no-color"))
    url = f"-var=endpoint_url={emulator.url}"
    emulator.make_ready("us-east-1")

    refused = terraform(root, env, "apply", "-auto-approve", "-input=false", "-no-color", url, "-var=min_score=100")
    assert refused.returncode == 1
    assert "local-exec provisioner error" in flat(refused.stderr)
    assert "exit status 6" in flat(refused.stderr)
    report = json.loads((root / "bcce-readiness.json").read_text())
    assert report["status"] == "blocked" and report["min_score"] == 100
    assert not [b for b in bucket_names(emulator) if b.startswith("bcce-example-")], "nothing was deployed"

    ok(terraform(root, env, "apply", "-auto-approve", "-input=false", "-no-color", url, "-var=min_score=10"))
    report = json.loads((root / "bcce-readiness.json").read_text())
    assert report["status"] == "ready" and report["components"] == ["security"]
    buckets = bucket_names(emulator)
    assert "bcce-example-123456789012-us-east-1-trail" in buckets
    summary = json.loads((root / ".bcce/stacks/bcce-us-east-1/bcce-plan-summary.json").read_text())
    assert summary["readiness_score"] == report["score"]

    ok(terraform(root, env, "destroy", "-auto-approve", "-input=false", "-no-color", url, "-var=min_score=10"))
    kept = [b for b in bucket_names(emulator) if b.startswith("bcce-example-")]
    assert "bcce-example-123456789012-us-east-1-trail" in kept, "a destroy keeps the buckets that hold data"
    trails = [t["Name"] for t in emulator.client("cloudtrail").describe_trails()["trailList"]]
    assert trails == ["account-trail"], "what holds no data is gone; the account's own trail stays"


# ---------------------------------------------------------------- CI gate


CI_CONFIG = {
    "organization_id": "ci", "regions": ["us-east-1"], "components": ["security"], "guardrails": False,
    "provider": {"generation": 3}, "monitoring": {"alarm_email": "platform@example.com"},
    "security": {"key_deletion_window_days": 7, "force_destroy_buckets": True},
}


def run_gate(workdir: Path, env: dict[str, str], mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(EXAMPLES / "ci" / "gate.sh"), mode], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=900, check=False)


@pytest.fixture()
def ci_env(emulator, provider_mirror, tmp_path) -> dict[str, str]:  # noqa: ANN001
    (tmp_path / "bcce.json").write_text(json.dumps(CI_CONFIG))
    env = base_env(tmp_path, provider_mirror, cli_config_path(provider_mirror))
    env.update(AWS_ENDPOINT_URL=emulator.url, GITHUB_STEP_SUMMARY=str(tmp_path / "step-summary.md"))
    return env


def junit_suite(path: Path) -> ET.Element:
    suite = ET.fromstring(path.read_text().split("\n", 1)[1]).find("testsuite")
    assert suite is not None
    return suite


def test_ci_gate_blocks_below_the_threshold(ci_env, tmp_path):
    result = run_gate(tmp_path, {**ci_env, "BCCE_MIN_SCORE": "100"}, "plan")
    assert result.returncode == 6, result.stderr
    assert "readiness gate failed (exit 6): see bcce-reports/readiness.md" in result.stderr
    reports = tmp_path / "bcce-reports"
    md = (reports / "readiness.md").read_text()
    data = json.loads((reports / "readiness.json").read_text())
    assert md.startswith(f"## ❌ bcce readiness: {data['score']}/100 (blocked)")
    assert (tmp_path / "step-summary.md").read_text().strip() == md.strip()
    suite = junit_suite(reports / "readiness.xml")
    assert int(suite.get("tests")) == len(data["checks"])
    skipped = {c.get("name"): c.find("skipped").get("message") for c in suite.iter("testcase") if c.find("skipped") is not None}
    assert "permissions.simulation" in skipped and skipped["permissions.simulation"]
    assert not (reports / "plan.json").exists(), "nothing was planned"


def test_ci_gate_plans_above_the_threshold(ci_env, tmp_path, emulator):
    emulator.make_ready("us-east-1")
    env = {**ci_env, "BCCE_MIN_SCORE": "10"}
    assert run_gate(tmp_path, env, "check").returncode == 0
    result = run_gate(tmp_path, env, "plan")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    reports = tmp_path / "bcce-reports"
    data = json.loads((reports / "readiness.json").read_text())
    assert data["status"] == "ready"
    plans = json.loads((reports / "plan.json").read_text())
    assert [p["region"] for p in plans] == ["us-east-1"]
    assert plans[0]["add"] > 0 and plans[0]["readiness_score"] == data["score"]
    assert (tmp_path / "step-summary.md").read_text().count("bcce readiness:") == 2, "one summary per gate run"


def test_ci_gate_rejects_an_unknown_mode(ci_env, tmp_path):
    result = run_gate(tmp_path, ci_env, "ship")
    assert result.returncode == 3 and "usage:" in result.stderr


def test_ci_workflow_runs_the_gate_script():
    workflow = yaml.safe_load((EXAMPLES / "ci" / "readiness-gate.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    steps = workflow["jobs"]["gate"]["steps"]
    runs = {step.get("name"): step.get("run", "") for step in steps}
    assert "bash examples/ci/gate.sh plan" in runs["Readiness gate and plan"]
    assert "bash examples/ci/gate.sh apply" in runs["Readiness gate, plan and apply"]
    comment = runs["Comment the readiness report on the pull request"]
    assert "bcce-reports/readiness.md" in comment and "gh pr comment" in comment
    assert workflow["env"]["BCCE_REPORT_DIR"] == "bcce-reports"
    assert workflow["env"]["BCCE_ALLOW_FORCE"] == "0", "the CI gate cannot be bypassed with --force"
    assert workflow["permissions"]["pull-requests"] == "write"


# ---------------------------------------------------------------- the demo


def test_demo_shows_the_gate_refusing_then_passing_after_local_up_ready(provider_mirror, tmp_path):
    """examples/demo/run.sh up to its passing plan, against the emulator `bcce local up` starts."""
    env = base_env(tmp_path, provider_mirror, cli_config_path(provider_mirror))
    env.update(BCCE_DEMO_DIR=str(tmp_path / "demo"), BCCE_DEMO_UNTIL="plan")
    result = subprocess.run(["bash", str(EXAMPLES / "demo" / "run.sh")], env=env, capture_output=True, text=True,
                            timeout=1200, check=False)
    out, err = result.stdout, flat(result.stderr)
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    refused, rest = out.split("refused with exit 6, as it should be", 1)
    assert "readiness gate refused: critical check failed: security.cloudtrail.us-east-1 " \
           "(no CloudTrail trail covers us-east-1)" in err
    assert "Plan for" not in refused, "nothing was planned before the account was ready"
    assert "account ready: 7 change(s), 0 already in place" in err
    assert "root user MFA: not made ready" in err
    assert "Plan for bcce-us-east-1:" in rest
    assert "==> bcce local down" in out
    from bcce_tf.local_emulator import status

    assert status() is None, "the demo stops the emulator it started"
