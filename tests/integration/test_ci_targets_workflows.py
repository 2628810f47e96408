"""The CI examples for many targets: a matrix from `bcce targets`, one job per target, one merge."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.integration

CI = Path(__file__).resolve().parents[2] / "examples" / "ci"


def runs(job):
    return "\n".join(step.get("run", "") for step in job["steps"])


@pytest.mark.parametrize("name, fan_out, command, merged", [
    ("targets-plan.yml", "plan", "plan --json > \"plan-", "bcce report merge plan-*.json --markdown report.md --junit report.xml"),
    ("drift.yml", "drift", "drift --format json > \"drift-", "bcce report merge drift-*.json --markdown drift.md --junit drift.xml"),
])
def test_each_target_gets_a_job_and_one_job_merges_them(name, fan_out, command, merged):
    workflow = yaml.safe_load((CI / name).read_text())
    jobs = workflow["jobs"]
    assert "bcce targets --format github-matrix" in runs(jobs["targets"])
    assert jobs["targets"]["outputs"]["matrix"] == "${{ steps.list.outputs.matrix }}"
    job = jobs[fan_out]
    assert job["needs"] == "targets" and job["strategy"]["fail-fast"] is False
    assert job["strategy"]["matrix"] == "${{ fromJSON(needs.targets.outputs.matrix) }}"
    assert f"bcce --account ${{{{ matrix.account }}}} --region ${{{{ matrix.region }}}} {command}" in runs(job)
    report = jobs["report"]
    assert report["needs"] == fan_out and report["if"] == "always()"
    assert merged in runs(report)
    assert workflow["env"]["BCCE_BREAKER_STORE"] == "dynamodb", "the jobs share breaker state"


def test_apply_runs_per_target_on_main_only():
    jobs = yaml.safe_load((CI / "targets-plan.yml").read_text())["jobs"]
    assert jobs["apply"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert "apply --auto-approve" in runs(jobs["apply"])
