"""The apply durations bcce has seen, kept in the state directory (apply-durations.json).

Read-modify-write under a lock file, written atomically: two applies finishing at once both keep
their samples. A damaged file is read as empty (with a warning): estimates fall back to the table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from bcce_tf.durations import History
from bcce_tf.paths import state_file

FILENAME = "apply-durations.json"
LOCK_TIMEOUT_SECONDS = 30


def path(environ: Mapping[str, str] | None = None) -> Path:
    return state_file(FILENAME, environ)


def load(environ: Mapping[str, str] | None = None) -> History:
    import json

    from bcce_tf.logs import logger

    target = path(environ)
    try:
        return History.from_dict(json.loads(target.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return History()
    except (OSError, ValueError, TypeError, KeyError) as exc:
        logger().warning(f"{target}: apply durations unreadable ({exc}); estimating from the table")
        return History()


def update(change: Callable[[History], History], environ: Mapping[str, str] | None = None) -> History:
    import json

    from filelock import FileLock

    from bcce_tf.fsutil import atomic_write_text

    target = path(environ)
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock", timeout=LOCK_TIMEOUT_SECONDS):
        new = change(load(environ))
        atomic_write_text(target, json.dumps(new.to_dict(), indent=1, sort_keys=True) + "\n", fsync=False)
    return new
