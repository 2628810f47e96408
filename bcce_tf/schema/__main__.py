"""`python -m bcce_tf.schema`: fill the schema cache (what `make schema` runs): the hashicorp/aws 6.25.0
schema from the npm registry, and the 3.39.0 one from the provider mirror."""

from __future__ import annotations

import sys

from bcce_tf.errors import BcceError
from bcce_tf.providers import default_mirror_dir
from bcce_tf.schema import source


def main() -> int:
    def log(message: str) -> None:
        print(message, file=sys.stderr)

    try:
        for path in (source.generation5(log=log), source.generation3(default_mirror_dir(), log=log)):
            print(path)
    except BcceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
