"""``manifest.json``: what the mirror holds, from which file, with which hashes."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.fsutil import atomic_write_text
from bcce_tf.providers.layout import manifest_path

MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class ManifestEntry:
    """One installed provider. ``executable`` is relative to the mirror and names the platform
    folder (``<host>/<namespace>/<type>/<version>/<os>_<arch>/<file>``)."""

    address: str
    version: str
    source: str
    dist_filename: str
    dist_sha256: str
    executable: str
    executable_sha256: str

    @property
    def os_arch(self) -> str:
        parts = self.executable.split("/")
        return parts[-2] if len(parts) >= 2 else ""


@dataclass(frozen=True)
class Manifest:
    providers: tuple[ManifestEntry, ...]

    def find(self, address: str, version: str) -> ManifestEntry | None:
        for entry in self.providers:
            if entry.address == address and entry.version == version:
                return entry
        return None

    def versions_of(self, address: str, os_arch: str) -> list[str]:
        return [e.version for e in self.providers if e.address == address and e.os_arch == os_arch]

    def with_entry(self, entry: ManifestEntry) -> Manifest:
        """This manifest with ``entry`` added, replacing the one of the same address, version and platform."""
        kept = [e for e in self.providers
                if (e.address, e.version, e.os_arch) != (entry.address, entry.version, entry.os_arch)]
        return Manifest(providers=tuple(sorted([*kept, entry], key=lambda e: (e.address, e.version, e.os_arch))))

    def to_json(self) -> str:
        document = {"format": MANIFEST_FORMAT, "providers": [asdict(e) for e in self.providers]}
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse a manifest; raises ValueError when the document is not a manifest this code wrote."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON: {exc}") from exc
        if not isinstance(document, dict) or document.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"expected an object with format {MANIFEST_FORMAT}")
        raw = document.get("providers")
        if not isinstance(raw, list):
            raise ValueError("'providers' must be a list")
        names = [f.name for f in ManifestEntry.__dataclass_fields__.values()]
        entries = []
        for item in raw:
            if not isinstance(item, dict) or sorted(item) != sorted(names):
                raise ValueError(f"each provider needs exactly the fields {', '.join(names)}")
            if not all(isinstance(item[n], str) for n in names):
                raise ValueError("provider fields must be strings")
            entries.append(ManifestEntry(**{n: item[n] for n in names}))
        return cls(providers=tuple(entries))


def load_manifest(mirror_dir: Path) -> Manifest | None:
    """The manifest of ``mirror_dir``, or None when there is none yet."""
    path = manifest_path(mirror_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise EnvironmentProblem(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return Manifest.from_json(text)
    except ValueError as exc:
        raise EnvironmentProblem(
            f"{path} is not a valid provider manifest ({exc}); delete it and build the mirror again"
        ) from exc


def save_manifest(mirror_dir: Path, manifest: Manifest) -> None:
    path = manifest_path(mirror_dir)
    try:
        atomic_write_text(path, manifest.to_json())
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write {path}: {exc.strerror or exc}") from exc
