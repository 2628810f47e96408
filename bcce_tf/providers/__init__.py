"""Terraform providers for offline use: a filesystem mirror built from PyPI distributions, provider
release zips carried in (``--add``), and the check that every provider a root requires can be
installed before Terraform runs.

Modules: ``layout`` (where files live, the CLI config), ``sources`` (the pinned PyPI files),
``manifest`` (``manifest.json``), ``index`` (the PyPI client), ``archive`` (reading executables out
of archives), ``install`` (building the mirror), ``release`` (adding a release zip),
``constraints`` (Terraform version constraints), ``resolve`` (the pre-Terraform check).
"""

from bcce_tf.providers.install import build_mirror
from bcce_tf.providers.layout import (
    PLATFORM,
    cli_config_path,
    default_mirror_dir,
    manifest_path,
    render_cli_config,
)
from bcce_tf.providers.manifest import Manifest, ManifestEntry, load_manifest
from bcce_tf.providers.sources import SOURCES, ProviderSource, provider_path

__all__ = [
    "PLATFORM",
    "SOURCES",
    "Manifest",
    "ManifestEntry",
    "ProviderSource",
    "build_mirror",
    "cli_config_path",
    "default_mirror_dir",
    "load_manifest",
    "manifest_path",
    "provider_path",
    "render_cli_config",
]
