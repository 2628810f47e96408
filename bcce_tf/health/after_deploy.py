"""What `bcce deploy` makes of the doctor it runs after a successful apply (pure: no I/O).

The apply stands whatever doctor finds: nothing is rolled back. An unhealthy result makes the
deploy exit 14 (the same code as `bcce doctor`), so a CI job fails on it; degraded and
not-checked results are reported and do not change the exit code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bcce_tf.exit_codes import ExitCode
from bcce_tf.health.model import Health, HealthResult, verdict
from bcce_tf.health.names import LIVE_COMPONENTS

# doctor's live components, less `cost`: Cost Explorer charges for every request.
DEPLOY_COMPONENTS = tuple(name for name in LIVE_COMPONENTS if name != "cost")


@dataclass(frozen=True)
class DeployVerdict:
    health: Health
    exit_code: int
    summary: str  # one line for the log


def judge(results: Sequence[HealthResult]) -> DeployVerdict:
    health = verdict(results)
    if health is Health.UNHEALTHY:
        bad = [f"{r.stack} {r.name}".strip() for r in results if r.status is Health.UNHEALTHY]
        return DeployVerdict(health, int(ExitCode.UNHEALTHY),
                             f"the apply succeeded and is kept, but doctor found {len(bad)} unhealthy check(s): "
                             f"{', '.join(bad)}; fix them, then run 'bcce doctor'")
    if health is Health.DEGRADED:
        names = [f"{r.stack} {r.name}".strip() for r in results if r.status is Health.DEGRADED]
        return DeployVerdict(health, int(ExitCode.OK), f"deployed; doctor found {len(names)} degraded check(s): {', '.join(names)}")
    return DeployVerdict(health, int(ExitCode.OK), "deployed; doctor found the platform healthy")
