"""The embedded AWS emulator: moto, plus small additions for the operations the platform needs.

Each addition module defines `OPERATIONS` (service -> botocore operation names it adds) and
`install()`; every addition is checked against botocore's service model in its own test
(tests/integration/test_moto_patches_platform.py, tests/integration/test_access_moto_patches.py),
so the emulator answers the way AWS documents, not the way a test would like.

`bcce local up` serves through `python -m bcce_tf.emulator.server`, and the test suite's moto
server installs the same additions: tests and users run the same code. `account.py` is no
addition: it prepares the emulated account through the API (`bcce local up --ready`).
"""

from __future__ import annotations

import importlib

ADDITIONS: tuple[str, ...] = ("platform", "access", "bedrock", "unimplemented")

_installed = False


def install_all() -> list[str]:
    """Install every addition into moto's backends (once per process); returns the module names."""
    global _installed
    if not _installed:
        for name in ADDITIONS:
            importlib.import_module(f"{__name__}.{name}").install()
        _installed = True
    return list(ADDITIONS)
