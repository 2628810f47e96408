"""The schema package is refused unless it is the pinned one, and a refused download leaves no cache."""

from __future__ import annotations

import io

import pytest

from bcce_tf.errors import EnvironmentProblem
from bcce_tf.schema import source


def test_a_package_with_another_sha256_is_refused_and_nothing_is_cached(tmp_path):
    environ = {"BCCE_SCHEMA_DIR": str(tmp_path), "BCCE_NPM_REGISTRY": "https://npm.example.internal/"}
    asked: list[str] = []

    def opener(url: str, timeout: float) -> io.BytesIO:
        asked.append(url)
        return io.BytesIO(b"not the package")

    with pytest.raises(EnvironmentProblem, match="expected d1446ab6.*refusing it"):
        source.generation5(environ=environ, opener=opener)
    assert asked == ["https://npm.example.internal/@cdktf/provider-aws/-/provider-aws-21.22.1.tgz"]
    assert not source.cached_path("6.25.0", environ).exists()
    assert [p.name for p in tmp_path.iterdir()] == [], "the scratch download is removed too"


def test_without_permission_to_fetch_the_missing_schema_is_reported(tmp_path):
    environ = {"BCCE_SCHEMA_DIR": str(tmp_path), "BCCE_SCHEMA_FETCH": "0"}
    with pytest.raises(EnvironmentProblem, match="no provider schema for hashicorp/aws 6.25.0"):
        source.generation5(environ=environ, opener=lambda *_: pytest.fail("nothing may be fetched"))
