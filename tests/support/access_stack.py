"""Stack runs for the access components: secrets through the environment, every output kept.

`render_with_secrets` gives a StackRun that passes extra environment entries (the TF_VAR_ secrets a
component's `secret_environment` returns) to every Terraform command; StackRun records each
command's stdout and stderr, so a test can check that a secret shows up in none of them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from bcce_tf.config import Config
from tests.support.stack import StackRun, render_for_emulator

# Terraform state holds every resource argument, secrets included; it is the one place allowed to.
STATE_FILES = ("terraform.tfstate", "terraform.tfstate.backup")


def render_with_secrets(config: Config, workdir: Path, endpoint_url: str, mirror: Path, env: dict[str, str],
                        components: tuple[str, ...] | None = None, region: str = "us-east-1") -> StackRun:
    return render_for_emulator(config, workdir, endpoint_url, mirror, region=region, components=components, env=env)


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
