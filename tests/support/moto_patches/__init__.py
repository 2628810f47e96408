"""Small additions to moto's backends for operations the emulator lacks.

Each submodule defines `install()`; every addition is checked against botocore's service model in
its own test, so the emulator answers the way AWS documents, not the way a test would like.
"""

from __future__ import annotations

import importlib
import pkgutil

_installed = False


def install_all() -> list[str]:
    global _installed
    names = [m.name for m in pkgutil.iter_modules(__path__)]
    if not _installed:
        for name in names:
            module = importlib.import_module(f"{__name__}.{name}")
            module.install()
        _installed = True
    return names
