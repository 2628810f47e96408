"""Where things live in a provider mirror, and the Terraform CLI configuration that points at it.

The unpacked filesystem-mirror layout Terraform accepts::

    <mirror>/<hostname>/<namespace>/<type>/<version>/<os>_<arch>/<executable>
"""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import platformdirs

PLATFORM = "linux_amd64"
MANIFEST_NAME = "manifest.json"
CLI_CONFIG_NAME = "terraform.rc"
DIST_CACHE_NAME = ".dist"
LOCK_NAME = ".lock"

SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


def default_mirror_dir() -> Path:
    """``BCCE_MIRROR_DIR`` if set, else ``<user cache dir>/bcce/providers``."""
    configured = os.environ.get("BCCE_MIRROR_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("bcce", appauthor=False)) / "providers"


def unpacked_dir(mirror_dir: Path, address: str, version: str, os_arch: str = PLATFORM) -> Path:
    """The folder of one provider version and platform (``address`` is ``host/namespace/type``)."""
    return Path(mirror_dir).joinpath(*address.split("/"), version, os_arch)


def cli_config_path(mirror_dir: Path) -> Path:
    return Path(mirror_dir) / CLI_CONFIG_NAME


def manifest_path(mirror_dir: Path) -> Path:
    return Path(mirror_dir) / MANIFEST_NAME


def is_safe_component(value: str) -> bool:
    return bool(SAFE_COMPONENT.match(value)) and ".." not in value


def check_member_name(name: str) -> None:
    """Raise ValueError unless ``name`` is a relative archive path without '.' or '..' parts."""
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"archive member {name!r} must be a relative path without '.' or '..' components")
    if PurePosixPath(name).is_absolute() or re.match(r"^[A-Za-z]:", name):
        raise ValueError(f"archive member {name!r} must be a relative path")


def archive_kind(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith((".whl", ".zip")):
        return "zip"
    if lowered.endswith((".tar.gz", ".tgz", ".tar")):
        return "tar"
    raise ValueError(f"{name!r} is not an archive this module reads (.whl, .zip, .tar.gz, .tgz, .tar)")


_CLI_CONFIG_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def cli_config_string(value: str) -> str:
    """``value`` as a quoted string of the CLI configuration language (HCL 1) that reads back unchanged.

    Terraform reads its CLI configuration with HCL 1: backslash and quote are escaped, ``%{`` is
    plain text, and the text of a ``${...}`` sequence is taken verbatim (``$${`` is not an escape
    there). A ``${`` without its closing brace, or a backslash or line break inside ``${...}``,
    cannot be written, and raises ValueError.
    """
    out: list[str] = []
    i = 0
    while i < len(value):
        if value.startswith("${", i):
            depth, j = 1, i + 2
            while j < len(value) and depth:
                depth += {"{": 1, "}": -1}.get(value[j], 0)
                j += 1
            region = value[i:j]
            if depth or any(c in region for c in "\\\n\r"):
                raise ValueError(f"{value!r} cannot be written in a Terraform CLI configuration string")
            out.append(region)
            i = j
            continue
        out.append(_CLI_CONFIG_ESCAPES.get(value[i], value[i]))
        i += 1
    return '"' + "".join(out) + '"'


def render_cli_config(mirror_dirs: Sequence[Path]) -> str:
    """A Terraform CLI configuration that installs providers from ``mirror_dirs`` only.

    Each directory becomes one ``filesystem_mirror`` block, tried in order. There is no ``direct``
    block: Terraform never contacts a registry with this configuration.
    """
    if not mirror_dirs:
        raise ValueError("render_cli_config needs at least one mirror directory")
    blocks = []
    for directory in mirror_dirs:
        path = Path(directory)
        if not path.is_absolute():
            raise ValueError(f"mirror directory must be an absolute path, got {str(path)!r}")
        blocks.append(f"  filesystem_mirror {{\n    path = {cli_config_string(str(path))}\n  }}\n")
    return "disable_checkpoint = true\n\nprovider_installation {\n" + "".join(blocks) + "}\n"


def host_platform() -> str:
    system = platform.system().lower()
    machine = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    return f"{system}_{machine}"
