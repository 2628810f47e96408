"""checkov on the rendered Terraform of every component, for both provider generations.

checkov lives in its own virtualenv (.venv-scan: it pins an old boto3); without it the test is
skipped with the reason. A finding is fixed in the template, or skipped inline next to the
resource with the reason (`#checkov:skip=CKV_...:why`), never here.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bcce_tf.config import COMPONENTS, Config
from bcce_tf.render import (
    RenderOptions,
    StackTarget,
    render_files,
    templates_dir,
    write_stack,
)

pytestmark = pytest.mark.scan

REPO_ROOT = Path(__file__).resolve().parents[2]
CHECKOV = REPO_ROOT / ".venv-scan" / "bin" / "checkov"


def present_components() -> tuple[str, ...]:
    return tuple(c for c in COMPONENTS if (templates_dir() / "modules" / c).is_dir())


def scan_config(generation: int) -> Config:
    """A config that switches every component on (what the provider generation allows)."""
    return Config.model_validate({
        "provider": {"generation": generation},
        "components": ["all"],
        "privatelink": True,
        "guardrails": True,
        "analytics_model": "open-source-self-hosted",
        "dashboard": {"platform": "grafana"},
        "monitoring": {"alarm_email": "alerts@example.com"},
        "telemetry": {"enabled": True,
                      "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"},
    })


def failed_checks(report: Any) -> tuple[list[dict[str, Any]], int]:
    reports = report if isinstance(report, list) else [report]
    failed: list[dict[str, Any]] = []
    parsing_errors = 0
    for item in reports:
        failed += item.get("results", {}).get("failed_checks", [])
        parsing_errors += int(item.get("summary", {}).get("parsing_errors", 0))
    return failed, parsing_errors


@pytest.mark.skipif(not CHECKOV.exists(), reason=f"checkov is not installed in {CHECKOV.parent.parent} (make creates it)")
@pytest.mark.parametrize("generation", [3, 5])
def test_rendered_components_pass_checkov(generation, tmp_path):
    config = scan_config(generation)
    components = tuple(c for c in config.enabled_components() if c in present_components())
    assert {"security", "network", "analytics", "monitoring"} <= set(components)
    files, rendered, _ = render_files(config, StackTarget(config.stack_name, config.regions[0]), RenderOptions(components=components))
    root = tmp_path / f"generation-{generation}"
    write_stack(root, files)

    result = subprocess.run(
        [str(CHECKOV), "-d", str(root), "--framework", "terraform", "--compact", "--quiet", "--skip-download", "-o", "json"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.stdout.strip(), f"checkov printed no report (exit {result.returncode}):\n{result.stderr[-3000:]}"
    failed, parsing_errors = failed_checks(json.loads(result.stdout))
    assert parsing_errors == 0, f"checkov could not parse the rendered files of {', '.join(rendered)}"
    listing = "\n".join(
        f"  {f['check_id']} {f['resource']} {f['file_path']}:{'-'.join(map(str, f.get('file_line_range', [])))} {f.get('check_name', '')}"
        for f in sorted(failed, key=lambda f: (f["file_path"], f["check_id"], f["resource"]))
    )
    assert not failed, f"checkov findings for components {', '.join(rendered)} (provider generation {generation}):\n{listing}"
