"""The application's state directory: the one place that decides where bcce keeps what it
remembers between runs (circuit breakers, run history, the metrics queue, the local emulator).

BCCE_STATE_DIR names it; without it, the platform's user state directory for "bcce".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

STATE_DIR_ENV = "BCCE_STATE_DIR"


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The state directory (not created here)."""
    environ = os.environ if environ is None else environ
    directory = environ.get(STATE_DIR_ENV, "").strip()
    if directory:
        return Path(directory).expanduser()
    import platformdirs

    return Path(platformdirs.user_state_dir("bcce"))


def state_file(name: str, environ: Mapping[str, str] | None = None) -> Path:
    """A file of the state directory."""
    return state_dir(environ) / name
