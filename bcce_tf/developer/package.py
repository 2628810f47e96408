"""A package per developer and OS: the Claude Code settings, the AWS config snippet, an installer
and a README, in one deterministic archive (tar.gz for linux and macos, zip for windows), with a
SHA256SUMS manifest beside the archives. Pure functions: bytes in, bytes out.

The installer merges with the very functions `bcce claude-code settings` and `bcce claude-code
profile` merge with (bcce_tf.developer.settings.merge, bcce_tf.developer.aws_profile.merge): their
source is copied into the package's merge.py, which install.sh and install.ps1 run with the
machine's Python 3, so the installed files are the ones those commands would write.
"""

from __future__ import annotations

import gzip
import hashlib
import inspect
import io
import re
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bcce_tf.developer import aws_profile, files, settings

SYSTEMS = settings.SYSTEMS
# 1980-01-01T00:00:00Z: the earliest time a zip entry can carry; every entry of every archive has it.
FIXED_MTIME = 315532800
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SETTINGS_NAME = "claude-settings.json"
AWS_CONFIG_NAME = "aws-config"
MANIFEST = "SHA256SUMS"
# What never goes into a package: AWS keys, tokens, secrets (the credentials are had on the machine).
SECRET_MARKERS = re.compile(r"aws_secret_access_key|aws_session_token|SecretAccessKey|SessionToken|refresh_token|id_token"
                            r"|client_secret|\bAKIA[0-9A-Z]{16}\b|\bASIA[0-9A-Z]{16}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Archive:
    system: str
    name: str
    data: bytes


def base_name(profile: str) -> str:
    return f"bcce-claude-code-{profile}"


def archive_name(profile: str, system: str) -> str:
    return f"{base_name(profile)}-{system}.{'zip' if system == 'windows' else 'tar.gz'}"


def parse_sections(text: str) -> list[aws_profile.Section]:
    """The sections of an AWS config snippet (the text aws_profile.merge writes into an empty file)."""
    sections: list[aws_profile.Section] = []
    header, values = None, []
    for line in text.splitlines():
        if (m := _HEADER.match(line)) is not None:
            if header is not None:
                sections.append(Section(header, tuple(values)))
            header, values = m.group(1), []
        elif header is not None and (k := _KEY.match(line)) is not None:
            values.append((k.group(2), k.group(4).strip()))
    if header is not None:
        sections.append(Section(header, tuple(values)))
    return sections


# merge.py refers to these by their short names, as the copied functions do.
Section = aws_profile.Section
_HEADER, _KEY = aws_profile._HEADER, aws_profile._KEY  # noqa: SLF001 - the same parser the merge uses


_MAIN = '''

def write(path, text, mode):
    """Write text unless the file holds it already; the previous content is kept beside it."""
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    if old == text.encode("utf-8"):
        print(f"{path}: up to date")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    note = ""
    if old is not None:
        backup = backup_name(path, datetime.now(timezone.utc))
        backup.write_bytes(old)
        os.chmod(backup, 0o600)
        note = f" (previous file kept as {backup})"
    temporary = path.with_name(path.name + ".bcce-tmp")
    temporary.write_bytes(text.encode("utf-8"))
    os.chmod(temporary, mode)
    os.replace(temporary, path)
    print(f"{path}: written{note}")


def main(here):
    home = Path.home()
    settings_path = home / ".claude" / "settings.json"
    given = os.environ.get("AWS_CONFIG_FILE", "").strip()
    config_path = Path(given).expanduser() if given else home / ".aws" / "config"
    owned = json.loads((here / SETTINGS_NAME).read_text(encoding="utf-8"))
    sections = parse_sections((here / AWS_CONFIG_NAME).read_text(encoding="utf-8"))
    # Read and merge both before writing either: a broken file leaves everything as it was.
    try:
        existing = read_json_object(settings_path)
    except ValueError as exc:
        sys.exit(f"install: {exc}")
    try:
        old_config = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old_config = ""
    except (OSError, UnicodeDecodeError) as exc:
        sys.exit(f"install: {config_path}: cannot read the AWS config file ({exc}); nothing was written")
    settings_text = json_text(merge_settings(existing, owned))
    config_text = merge_config(old_config, sections)
    write(settings_path, settings_text, 0o644)
    write(config_path, config_text, 0o600)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
'''


def _source(obj: object, rename: str | None = None) -> str:
    text = inspect.getsource(obj)  # type: ignore[arg-type]
    if rename is not None:
        text = text.replace(f"def {obj.__name__}(", f"def {rename}(", 1)  # type: ignore[attr-defined]
    return text


def merge_program() -> str:
    """merge.py: the settings and AWS config merges of bcce, standalone (Python 3.8+, no packages)."""
    parts = [
        '"""Merge the Claude Code settings and the AWS profile of this package into the files of the user\n'
        'running it (~/.claude/settings.json, AWS_CONFIG_FILE or ~/.aws/config), keeping a backup of each\n'
        'file it changes; a second run changes nothing. Written by `bcce claude-code package`."""\n',
        "from __future__ import annotations\n\nimport json\nimport os\nimport re\nimport sys\n"
        "from dataclasses import dataclass\nfrom datetime import datetime, timezone\nfrom pathlib import Path\n"
        "from typing import Any, Mapping, Sequence\n",
        f"SETTINGS_NAME = {SETTINGS_NAME!r}\nAWS_CONFIG_NAME = {AWS_CONFIG_NAME!r}\n"
        f"OWNED_ENV = {settings.OWNED_ENV!r}\nOWNED_TOP = {settings.OWNED_TOP!r}\nOWNED = {aws_profile.OWNED!r}\n"
        f"_HEADER = re.compile({aws_profile._HEADER.pattern!r})\n_KEY = re.compile({aws_profile._KEY.pattern!r})\n",  # noqa: SLF001
        "\n" + _source(aws_profile.Section),
        "\n" + _source(settings.merge, "merge_settings"),
        "\n" + _source(aws_profile.merge, "merge_config"),
        "\n" + _source(parse_sections),
        "\n" + _source(files.json_text),
        "\n" + _source(files.backup_name),
        # the installer has no UsageError: the same check raises ValueError, which merge.py reports
        "\n" + _source(files.read_json_object).replace("raise UsageError(", "raise ValueError("),
        _MAIN,
    ]
    return "\n".join(p.rstrip("\n") + "\n" for p in parts)


INSTALL_SH = """#!/bin/sh
# Installs this package's Claude Code settings and AWS profile for the user running it.
# Safe to run twice: the second run changes nothing. Needs Python 3.8+ (python3) on PATH.
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
py=${BCCE_PYTHON:-}
if [ -z "$py" ]; then
  for candidate in python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
      py=$candidate
      break
    fi
  done
fi
if [ -z "$py" ]; then
  echo "install.sh: needs Python 3.8 or newer (python3) on PATH to merge the settings; nothing was changed" >&2
  exit 1
fi
exec "$py" "$here/merge.py" "$here"
"""

INSTALL_PS1 = """# Installs this package's Claude Code settings and AWS profile for the user running it.
# Safe to run twice: the second run changes nothing. Needs Python 3.8+ (py -3, python3 or python).
$ErrorActionPreference = 'Stop'
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$python = $null
foreach ($candidate in @('py -3', 'python3', 'python')) {
    $parts = $candidate -split ' '
    if (Get-Command $parts[0] -ErrorAction SilentlyContinue) {
        & $parts[0] @($parts | Select-Object -Skip 1) -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>$null
        if ($LASTEXITCODE -eq 0) { $python = $parts; break }
    }
}
if ($null -eq $python) {
    [Console]::Error.WriteLine('install.ps1: needs Python 3.8 or newer (py -3, python3 or python) on PATH to merge the settings; nothing was changed')
    exit 1
}
& $python[0] @($python | Select-Object -Skip 1) (Join-Path $here 'merge.py') $here
exit $LASTEXITCODE
"""


def readme(system: str, *, stack: str, profile: str, auth: str, region: str, model_ids: Mapping[str, str]) -> str:
    windows = system == "windows"
    archive = archive_name(profile, system)
    folder = base_name(profile)
    check = (f"Get-FileHash {archive} -Algorithm SHA256   # compare with SHA256SUMS" if windows
             else f"sha256sum -c --ignore-missing {MANIFEST}   # macOS: shasum -a 256 -c --ignore-missing {MANIFEST}")
    unpack = f"Expand-Archive {archive} -DestinationPath ." if windows else f"tar -xzf {archive}"
    run = (f"powershell -ExecutionPolicy Bypass -File {folder}\\install.ps1" if windows else f"sh {folder}/install.sh")
    home = "%USERPROFILE%" if windows else "~"
    sep = "\\" if windows else "/"
    sign_in = (f"Sign in (once a day or so): aws sso login --profile {profile}\n"
               "Claude Code runs the same command by itself (awsAuthRefresh) when the sign-in has expired.\n"
               if auth == "identity-center" else
               "Sign-in happens by itself: the profile's credential_process is `bcce credentials`, which opens\n"
               "the browser when it needs a new sign-in. Install bcce first (pip install bcce) so it is on PATH.\n")
    models = "".join(f"  {tier}: {model_id}\n" for tier, model_id in model_ids.items())
    return (
        f"Claude Code on Amazon Bedrock: stack {stack}, region {region}\n"
        f"{'=' * 60}\n\n"
        "This package sets up Claude Code for you. It holds no password, key or token.\n\n"
        f"1. Check the archive:   {check}\n"
        f"2. Unpack it:           {unpack}\n"
        f"3. Install:             {run}\n\n"
        "The installer needs Python 3.8 or newer. It merges into your files and keeps a copy of each\n"
        "file it changes (<file>.<UTC time>.bak); running it again changes nothing:\n"
        f"  {home}{sep}.claude{sep}settings.json   Claude Code settings ({SETTINGS_NAME}): keys it does not set stay\n"
        f"  {home}{sep}.aws{sep}config             the AWS profile {profile} ({AWS_CONFIG_NAME}); AWS_CONFIG_FILE if set\n\n"
        f"{sign_in}\n"
        "Models the platform allows you, by Claude Code tier:\n"
        f"{models}\n"
        "Then start `claude`. `bcce claude-code doctor` (when bcce is installed) checks the setup.\n"
    )


def contents(system: str, *, settings_text: str, aws_config_text: str, readme_text: str) -> dict[str, bytes]:
    """The files of one OS's package, by name; installer, merge program, settings, snippet, README."""
    installer = {"install.ps1": INSTALL_PS1} if system == "windows" else {"install.sh": INSTALL_SH}
    found = {"settings": SECRET_MARKERS.search(settings_text), "aws-config": SECRET_MARKERS.search(aws_config_text)}
    leaked = [name for name, hit in found.items() if hit]
    if leaked:
        raise ValueError(f"refusing to package what looks like a secret in {', '.join(leaked)}")
    return {
        "README.txt": readme_text.encode("utf-8"),
        SETTINGS_NAME: settings_text.encode("utf-8"),
        AWS_CONFIG_NAME: aws_config_text.encode("utf-8"),
        "merge.py": merge_program().encode("utf-8"),
        **{name: text.encode("utf-8") for name, text in installer.items()},
    }


def _mode(name: str) -> int:
    return 0o755 if name.endswith((".sh", ".py")) else 0o644


def tar_gz(folder: str, members: Mapping[str, bytes]) -> bytes:
    """A tar.gz whose bytes depend on the members only: sorted names, fixed time, owner and modes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        directory = tarfile.TarInfo(folder)
        directory.type, directory.mode, directory.mtime = tarfile.DIRTYPE, 0o755, FIXED_MTIME
        tar.addfile(directory)
        for name in sorted(members):
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size, info.mode, info.mtime = len(members[name]), _mode(name), FIXED_MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(members[name]))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def zip_bytes(folder: str, members: Mapping[str, bytes]) -> bytes:
    """A zip whose bytes depend on the members only: sorted names, fixed time and attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the modes below are read
            info.external_attr = (0o100000 | _mode(name)) << 16
            archive.writestr(info, members[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def archive(system: str, profile: str, members: Mapping[str, bytes]) -> Archive:
    folder = base_name(profile)
    data = zip_bytes(folder, members) if system == "windows" else tar_gz(folder, members)
    return Archive(system, archive_name(profile, system), data)


def manifest(archives: Sequence[Archive]) -> str:
    """SHA256SUMS in the format `sha256sum -c` reads: `<hex>  <name>`, sorted by name."""
    return "".join(f"{hashlib.sha256(a.data).hexdigest()}  {a.name}\n" for a in sorted(archives, key=lambda a: a.name))
