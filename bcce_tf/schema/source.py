"""Where the provider schemas come from, and their cache.

Generation 5 (hashicorp/aws 6.25.0): read out of npm `@cdktf/provider-aws` 21.22.1, pinned by
version and sha256, fetched from the npm registry (`BCCE_NPM_REGISTRY`, `npm_config_registry`, or
registry.npmjs.org) the first time and kept, extracted, in the schema cache (`BCCE_SCHEMA_FETCH=0`
forbids the download: a missing schema is then reported, not fetched). Generation 3
(hashicorp/aws 3.39.0): what `terraform providers schema -json` prints for the provider in bcce's
offline mirror. The cache is `BCCE_SCHEMA_DIR`, else `<user cache dir>/bcce/schemas`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

import platformdirs

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.fsutil import atomic_write_text
from bcce_tf.schema.cdktf import assemble, schemas_of

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
DEFAULT_NPM_REGISTRY = "https://registry.npmjs.org/"
Log = Callable[[str], None]


@dataclass(frozen=True)
class CdktfPackage:
    name: str
    version: str
    sha256: str
    provider_version: str  # the hashicorp/aws release it was generated from (lib/provider/index.js)

    def tarball_url(self, registry: str) -> str:
        basename = self.name.rsplit("/", 1)[-1]
        return f"{registry.rstrip('/')}/{self.name}/-/{basename}-{self.version}.tgz"


CDKTF_AWS = CdktfPackage(
    name="@cdktf/provider-aws",
    version="21.22.1",
    sha256="d1446ab6ac6526c6fab4b28a5ebefdd90c0ce56203949925d35a4d286c05cbbf",
    provider_version="6.25.0",
)


def schema_dir(environ: Mapping[str, str] = os.environ) -> Path:
    configured = environ.get("BCCE_SCHEMA_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("bcce", appauthor=False)) / "schemas"


def npm_registry(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get("BCCE_NPM_REGISTRY") or environ.get("npm_config_registry") or DEFAULT_NPM_REGISTRY


def cached_path(provider_version: str, environ: Mapping[str, str] = os.environ) -> Path:
    return schema_dir(environ) / f"hashicorp-aws-{provider_version}.schema.json"


def _write_json_atomically(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(document, separators=(",", ":"), sort_keys=True))


def load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EnvironmentProblem(f"provider schema {path} is unreadable ({exc}); delete it to fetch it again") from exc
    if not isinstance(document, dict) or "provider_schemas" not in document:
        raise EnvironmentProblem(f"provider schema {path} has no provider_schemas; delete it to fetch it again")
    return document


# ------------------------------------------------------------------ generation 5: from npm


def extract(tarball: IO[bytes], package: CdktfPackage = CDKTF_AWS) -> dict[str, Any]:
    """The schema in `terraform providers schema -json` shape, from the package's gzipped tar."""
    sources: dict[str, list[str]] = {}
    declarations: dict[str, list[str]] = {}
    with tarfile.open(fileobj=tarball, mode="r|gz") as archive:
        for member in archive:
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or len(parts) < 4 or parts[:2] != ("package", "lib"):
                continue
            if parts[-1].endswith(".d.ts"):
                into = declarations
            elif parts[-1].endswith(".js"):
                into = sources
            else:
                continue
            handle = archive.extractfile(member)
            if handle is not None:
                into.setdefault(parts[2], []).append(handle.read().decode("utf-8", "replace"))
    folders = {folder: schemas_of(texts, declarations.get(folder, [])) for folder, texts in sources.items()}
    schema = assemble(folders, PROVIDER_ADDRESS, package.provider_version)
    schema["bcce_source"].update({"package": package.name, "package_version": package.version})
    return schema


def _download(url: str, target: Path, expected_sha256: str, opener: Callable[..., Any]) -> None:
    digest = hashlib.sha256()
    try:
        with opener(url, timeout=120) as response, open(target, "wb") as out:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise EnvironmentProblem(
            f"cannot download the provider schema package from {url} ({reason}); set BCCE_NPM_REGISTRY to a "
            "reachable npm registry, or put the extracted schema into BCCE_SCHEMA_DIR"
        ) from None
    if digest.hexdigest() != expected_sha256:
        raise EnvironmentProblem(
            f"{url} has sha256 {digest.hexdigest()}, expected {expected_sha256}: refusing it"
        )


def generation5(
    *, fetch: bool = True, environ: Mapping[str, str] = os.environ, log: Log = lambda _: None,
    opener: Callable[..., Any] = urllib.request.urlopen, package: CdktfPackage = CDKTF_AWS,
) -> Path:
    """Path of the cached hashicorp/aws 6.x schema; fetched and extracted once when `fetch`."""
    path = cached_path(package.provider_version, environ)
    if path.is_file():
        return path
    if not fetch or environ.get("BCCE_SCHEMA_FETCH") == "0":
        raise EnvironmentProblem(f"no provider schema for hashicorp/aws {package.provider_version} in {path.parent} "
                                 "(run `make schema` or `bcce validate` once with the npm registry reachable)")
    url = package.tarball_url(npm_registry(environ))
    log(f"fetching {package.name} {package.version} (the hashicorp/aws {package.provider_version} schema) from {url}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        tarball = Path(scratch) / "package.tgz"
        _download(url, tarball, package.sha256, opener)
        with open(tarball, "rb") as handle:
            schema = extract(handle, package)
    _write_json_atomically(path, schema)
    log(f"provider schema cached in {path}")
    return path


# ------------------------------------------------------------------ generation 3: from the mirror


def generation3(mirror_dir: Path, version: str = "3.39.0", *, environ: Mapping[str, str] = os.environ,
                log: Log = lambda _: None) -> Path:
    """Path of the cached schema Terraform prints for the mirror's hashicorp/aws `version`."""
    from bcce_tf import terraform
    from bcce_tf.providers import cli_config_path

    path = cached_path(version, environ)
    if path.is_file():
        return path
    config = cli_config_path(mirror_dir)
    if not config.is_file():
        raise EnvironmentProblem(f"no provider mirror at {mirror_dir} (run `bcce providers mirror`)")
    log(f"reading the hashicorp/aws {version} schema from the provider mirror")
    with tempfile.TemporaryDirectory() as root:
        Path(root, "versions.tf").write_text(
            'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n'
            f'      version = "{version}"\n    }}\n  }}\n}}\n', encoding="utf-8")
        env = {**environ, "TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
        prefix = terraform.executable(environ=environ)
        for argv in (["init", "-input=false", "-backend=false"], ["providers", "schema", "-json"]):
            result = terraform.run(prefix, argv, Path(root), env)
            if result.exit_code != 0:
                raise EnvironmentProblem(f"terraform {' '.join(argv[:2])} failed reading the schema: "
                                         f"{(result.stderr or result.stdout).strip().splitlines()[-1:]}")
    try:
        schema = json.loads(result.stdout)
    except ValueError as exc:
        raise EnvironmentProblem(f"terraform providers schema printed no JSON ({exc})") from exc
    schema["bcce_source"] = {"provider_version": version, "from": "terraform providers schema -json"}
    _write_json_atomically(path, schema)
    return path
