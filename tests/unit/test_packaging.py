"""The wheel carries every package and the Terraform templates."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_python_package_is_listed_and_templates_ship_as_package_data():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(project["tool"]["setuptools"]["packages"])
    found = {str(p.parent.relative_to(ROOT)).replace("/", ".") for p in (ROOT / "bcce_tf").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml [tool.setuptools] packages: {sorted(found - listed)}"
    assert project["tool"]["setuptools"]["package-dir"]["bcce_tf._terraform"] == "terraform"
    assert (ROOT / "terraform" / "root").is_dir()
