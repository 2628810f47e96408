"""The README documents what the code does: exit codes and the test command CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from bcce_tf.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]


def test_exit_code_table_matches_the_enum():
    text = (ROOT / "README.md").read_text()
    section = text.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", section, flags=re.M)}
    assert documented == {int(code) for code in ExitCode}


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make test" in (ROOT / ".ci" / "run").read_text()
