"""Serve the embedded emulator: install the additions into moto, then run moto's own server.

Run as `python -m bcce_tf.emulator.server -H 127.0.0.1 -p PORT` (what `bcce local up` starts);
the arguments are moto_server's.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from moto import server

    from bcce_tf.emulator import install_all

    install_all()
    server.main(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
