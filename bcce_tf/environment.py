"""What a run takes from the process it runs in: environment variables, working directory,
standard streams and whether they are terminals, the clock, and the state directory.

`__main__.run` builds one from the process, or takes the one it is given (tests pass their own),
and every command reads it through `bcce_tf.cli.common.environment(ctx)` instead of reading
`os.environ`, `os.getcwd()` or `isatty()` on its own.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


@dataclass(frozen=True)
class Environment:
    environ: Mapping[str, str] = field(default_factory=dict)
    cwd: Path = field(default_factory=Path.cwd)
    stdin: IO[str] | None = None
    stdout: IO[str] | None = None
    stderr: IO[str] | None = None
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    clock: Callable[[], float] = time.time

    @classmethod
    def from_process(cls) -> Environment:
        """This process's environment, working directory and standard streams, as they are now."""
        return cls(environ=os.environ, cwd=Path(os.getcwd()), stdin=sys.stdin, stdout=sys.stdout, stderr=sys.stderr,
                   stdin_isatty=_isatty(sys.stdin), stdout_isatty=_isatty(sys.stdout))

    @property
    def state_dir(self) -> Path:
        """The application's state directory (bcce_tf/paths.py decides where it is)."""
        from bcce_tf.paths import state_dir

        return state_dir(self.environ)

    def err(self) -> IO[str]:
        """The stream for progress and errors: the given stderr, else the process's current one."""
        return self.stderr if self.stderr is not None else sys.stderr
