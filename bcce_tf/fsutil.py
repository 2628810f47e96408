"""Files that are either entirely old or entirely new: write beside the target, then rename."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

CHUNK = 1024 * 1024


@contextlib.contextmanager
def atomic_output(
    path: Path, mode: int = 0o644, tmp_dir: Path | None = None, *, fsync: bool = True
) -> Iterator[tuple[IO[bytes], Callable[[], None]]]:
    """A temporary file (next to ``path`` unless ``tmp_dir`` is given, on the same file system);
    calling ``commit()`` moves it into place atomically. Without a commit the target is untouched."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir or path.parent, prefix=f".{path.name}.", suffix=".tmp")
    committed = False
    try:
        with os.fdopen(fd, "wb") as handle:

            def commit() -> None:
                nonlocal committed
                handle.flush()
                if fsync:
                    os.fsync(handle.fileno())
                os.fchmod(handle.fileno(), mode)
                os.replace(tmp_name, path)
                committed = True

            yield handle, commit
    finally:
        if not committed:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644, *, fsync: bool = True) -> None:
    with atomic_output(path, mode, fsync=fsync) as (handle, commit):
        handle.write(data)
        commit()


def atomic_write_text(path: Path, text: str, mode: int = 0o644, *, fsync: bool = True) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode, fsync=fsync)


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` atomically unless the file already holds it; returns whether it wrote."""
    try:
        if Path(path).read_text(encoding="utf-8") == text:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write_text(path, text)
    return True


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
