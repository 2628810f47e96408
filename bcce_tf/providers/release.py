"""``bcce providers mirror --add FILE.zip``: a provider release zip carried in, added to the mirror.

HashiCorp publishes each provider release as ``terraform-provider-<type>_<version>_<os>_<arch>.zip``
with a ``terraform-provider-<type>_<version>_SHA256SUMS`` file (``sha256sum`` output: 64 hex
digits, two spaces, the file name). The zip is checked against that file when it is given, then
unpacked into the mirror the way Terraform unpacks a package it installs::

    <mirror>/<host>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>_x5
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bcce_tf.errors import EnvironmentProblem, UsageError
from bcce_tf.fsutil import sha256_file
from bcce_tf.providers.archive import ARCHIVE_ERRORS, copy_stream, zip_member_is_regular
from bcce_tf.providers.constraints import Version
from bcce_tf.providers.install import mirror_lock, prepare_mirror_dir, write_cli_config
from bcce_tf.providers.layout import host_platform, is_safe_component, unpacked_dir
from bcce_tf.providers.manifest import Manifest, ManifestEntry, load_manifest, save_manifest

Log = Callable[[str], None]

DEFAULT_HOSTNAME = "registry.terraform.io"
DEFAULT_NAMESPACE = "hashicorp"
RELEASE_NAME = re.compile(
    r"^terraform-provider-(?P<type>[a-z0-9][a-z0-9-]*)_(?P<version>[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.]+)?)"
    r"_(?P<os>[a-z0-9]+)_(?P<arch>[a-z0-9]+)\.zip$"
)
_SUMS_LINE = re.compile(r"^(?P<sha>[0-9a-fA-F]{64}) [ *](?P<name>\S.*)$")


@dataclass(frozen=True)
class ReleaseName:
    type: str
    version: str
    os_arch: str

    @classmethod
    def parse(cls, filename: str) -> ReleaseName:
        match = RELEASE_NAME.match(filename)
        if not match:
            raise UsageError(
                f"--add {filename}: not a provider release file name; expected "
                "terraform-provider-<type>_<version>_<os>_<arch>.zip (as HashiCorp publishes them)"
            )
        return cls(match["type"], match["version"], f"{match['os']}_{match['arch']}")


def provider_address(release: ReleaseName, source: str | None) -> str:
    """``host/namespace/type`` from ``--source`` (``namespace/type`` or ``host/namespace/type``)."""
    if source is None:
        return f"{DEFAULT_HOSTNAME}/{DEFAULT_NAMESPACE}/{release.type}"
    parts = source.strip().split("/")
    if len(parts) == 2:
        parts = [DEFAULT_HOSTNAME, *parts]
    if len(parts) != 3 or not all(is_safe_component(p) for p in parts):
        raise UsageError(f"--source {source}: expected NAMESPACE/TYPE or HOSTNAME/NAMESPACE/TYPE")
    if parts[2] != release.type:
        raise UsageError(f"--source {source}: the file is a release of provider type '{release.type}', not '{parts[2]}'")
    return "/".join(parts)


def parse_sha256sums(text: str, label: str) -> dict[str, str]:
    """File name -> sha256 of a SHA256SUMS file; raises EnvironmentProblem naming the bad line."""
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _SUMS_LINE.match(line.rstrip("\r"))
        if not match:
            raise EnvironmentProblem(f"{label}:{number}: not a SHA256SUMS line (expected '<64 hex digits>  <file name>')")
        sums[match["name"].strip()] = match["sha"].lower()
    if not sums:
        raise EnvironmentProblem(f"{label}: no checksums in the file")
    return sums


def _read_sums(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"--sha256sums {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentProblem(f"--sha256sums {path}: cannot read it ({exc})") from exc
    return parse_sha256sums(text, str(path))


def _members(zf: zipfile.ZipFile, label: str, release: ReleaseName) -> tuple[list[zipfile.ZipInfo], str]:
    """The zip's files (flat, regular, safely named) and the provider executable among them."""
    files = []
    for info in zf.infolist():
        if info.is_dir():
            continue
        if "/" in info.filename or "\\" in info.filename or not is_safe_component(info.filename):
            raise EnvironmentProblem(f"{label}: member {info.filename!r} is not a plain file name; not a provider release")
        if not zip_member_is_regular(info):
            raise EnvironmentProblem(f"{label}: member {info.filename} is not a regular file")
        files.append(info)
    executables = [i.filename for i in files if i.filename.startswith(f"terraform-provider-{release.type}")]
    if len(executables) != 1:
        found = ", ".join(i.filename for i in files) or "nothing"
        raise EnvironmentProblem(
            f"{label}: expected one executable named terraform-provider-{release.type}*, found {found}"
        )
    return files, executables[0]


def add_release(
    mirror_dir: Path,
    zip_path: Path,
    *,
    sha256sums: Path | None = None,
    source: str | None = None,
    log: Log = lambda _line: None,
) -> ManifestEntry:
    """Verify ``zip_path`` (against ``sha256sums`` when given), unpack it into ``mirror_dir`` and
    record it in the manifest. The mirror is changed only once everything checked out."""
    zip_path = Path(zip_path)
    release = ReleaseName.parse(zip_path.name)
    Version.parse(release.version)
    address = provider_address(release, source)
    if not zip_path.is_file():
        raise UsageError(f"--add {zip_path}: no such file")
    expected = None
    if sha256sums is not None:
        sums = _read_sums(Path(sha256sums))
        if zip_path.name not in sums:
            raise EnvironmentProblem(f"{sha256sums} does not list {zip_path.name}; refused (is it the SHA256SUMS of this release?)")
        expected = sums[zip_path.name]
    got = sha256_file(zip_path)
    if expected is not None and got != expected:
        raise EnvironmentProblem(
            f"sha256 mismatch for {zip_path.name}: {sha256sums} says {expected}, the file has {got}; refused, "
            "the file is damaged or not the published release"
        )
    host = host_platform()
    if release.os_arch != host:
        log(f"warning: {zip_path.name} is for {release.os_arch}; this machine is {host} and cannot run it")

    mirror_dir = prepare_mirror_dir(mirror_dir)
    target = unpacked_dir(mirror_dir, address, release.version, release.os_arch)
    with mirror_lock(mirror_dir, log):
        manifest = _current(mirror_dir)
        previous = next((e for e in manifest.providers if (e.address, e.version, e.os_arch)
                         == (address, release.version, release.os_arch)), None)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{release.os_arch}-"))
            try:
                executable, executable_sha256 = _unpack(zip_path, release, staging)
                _swap_in(staging, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except OSError as exc:
            raise EnvironmentProblem(f"cannot install {zip_path.name} into {target}: {exc.strerror or exc}") from exc
        checked = f", checked against {Path(sha256sums).name}" if sha256sums is not None else ", no SHA256SUMS given"
        entry = ManifestEntry(
            address=address,
            version=release.version,
            source=f"release zip{checked}",
            dist_filename=zip_path.name,
            dist_sha256=got,
            executable=(target / executable).relative_to(mirror_dir).as_posix(),
            executable_sha256=executable_sha256,
        )
        save_manifest(mirror_dir, manifest.with_entry(entry))
        write_cli_config(mirror_dir)
    if previous is not None and previous.dist_sha256 != got:
        log(f"replaced {address} {release.version} ({release.os_arch}) from {previous.dist_filename} sha256 {previous.dist_sha256}")
    log(f"added {address} {release.version} ({release.os_arch}) sha256 {got}")
    return entry


def _swap_in(staging: Path, target: Path) -> None:
    """Put the unpacked folder in place; an earlier one stays until the new one is there."""
    backup = target.with_name(f".{target.name}.old-{os.getpid()}") if target.exists() else None
    if backup is not None:
        os.replace(target, backup)
    try:
        os.replace(staging, target)
    except OSError:
        if backup is not None:
            os.replace(backup, target)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def _current(mirror_dir: Path) -> Manifest:
    return load_manifest(mirror_dir) or Manifest(providers=())


def _unpack(zip_path: Path, release: ReleaseName, staging: Path) -> tuple[str, str]:
    label = zip_path.name
    try:
        with zipfile.ZipFile(zip_path) as zf:
            files, executable = _members(zf, label, release)
            executable_sha256 = ""
            for info in files:
                mode = 0o755 if info.filename == executable else 0o644
                with zf.open(info) as stream:
                    digest = copy_stream(stream, staging / info.filename, mode)
                if info.filename == executable:
                    executable_sha256 = digest
    except EnvironmentProblem:
        raise
    except ARCHIVE_ERRORS as exc:
        raise EnvironmentProblem(f"{label}: not a readable zip file ({exc})") from exc
    except OSError as exc:
        raise EnvironmentProblem(f"cannot unpack {label} into {staging.parent}: {exc.strerror or exc}") from exc
    return executable, executable_sha256
