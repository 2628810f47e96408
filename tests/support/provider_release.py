"""Provider release zips packaged the way HashiCorp packages them, and their SHA256SUMS files.

A release zip is flat: the executable ``terraform-provider-<type>_v<version>_x5`` (mode 0755 in the
zip's external attributes) and, in newer releases, a LICENSE.txt. SHA256SUMS is ``sha256sum``
output: 64 hex digits, two spaces, the file name.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path


def release_zip(folder: Path, provider_type: str, version: str, executable: bytes,
                extra: dict[str, bytes] | None = None, os_arch: str = "linux_amd64") -> Path:
    path = Path(folder) / f"terraform-provider-{provider_type}_{version}_{os_arch}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(f"terraform-provider-{provider_type}_v{version}_x5", date_time=(2025, 12, 1, 0, 0, 0))
        info.external_attr = (0o100755 << 16)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, executable)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def sha256sums(folder: Path, provider_type: str, version: str, files: list[Path]) -> Path:
    path = Path(folder) / f"terraform-provider-{provider_type}_{version}_SHA256SUMS"
    lines = [f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n" for f in files]
    lines.append(f"{'0' * 64}  terraform-provider-{provider_type}_{version}_manifest.json\n")
    path.write_text("".join(lines))
    return path
