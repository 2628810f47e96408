"""Stack runs for the access components: secrets through the environment, every output kept.

`SecretStackRun` passes extra environment entries (the TF_VAR_ secrets a component's
`secret_environment` returns) to every Terraform command and records each command's stdout and
stderr, so a test can check that a secret shows up in none of them.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from bcce_tf.config import Config
from bcce_tf.render import RenderOptions, StackTarget, render_stack
from tests.conftest import terraform_env
from tests.support.stack import StackRun

# Terraform state holds every resource argument, secrets included; it is the one place allowed to.
STATE_FILES = ("terraform.tfstate", "terraform.tfstate.backup")


@dataclass
class SecretStackRun(StackRun):
    env: dict[str, str] = field(default_factory=dict)
    transcripts: list[str] = field(default_factory=list)

    def tf(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "bcce_tf.tfshim", *args],
            cwd=self.directory,
            env=terraform_env(self.mirror, self.env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        self.transcripts.extend([result.stdout, result.stderr])
        assert result.returncode in ok, f"terraform {' '.join(args)} exited {result.returncode}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        return result


def render_with_secrets(config: Config, workdir: Path, endpoint_url: str, mirror: Path, env: dict[str, str],
                        components: tuple[str, ...] | None = None, region: str = "us-east-1") -> SecretStackRun:
    target = StackTarget(config.stack_name, region)
    rendered = render_stack(config, target, workdir, RenderOptions(endpoint_url=endpoint_url, components=components))
    return SecretStackRun(rendered=rendered, mirror=mirror, env=dict(env))


def files_containing(directory: Path, needle: str) -> list[str]:
    """Every file under directory (state files excepted) whose bytes contain needle.

    Zip archives are searched member by member: a saved Terraform plan is a zip file and holds the
    values of all input variables, sensitive ones included.
    """
    data = needle.encode()
    found = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.name.startswith(STATE_FILES):
            continue
        if data in path.read_bytes() or _zip_contains(path, data):
            found.append(path.relative_to(directory).as_posix())
    return found


def _zip_contains(path: Path, data: bytes) -> bool:
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(data in archive.read(name) for name in archive.namelist())


def state_contains(directory: Path, needle: str) -> bool:
    state = directory / "terraform.tfstate"
    return state.exists() and needle.encode() in state.read_bytes()
