"""Global options where users type them, the README's command table against --help, and lists
given either way."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bcce_tf.__main__ import run
from bcce_tf.cli.app import command
from bcce_tf.cli.global_options import FIELDS, Given, leaves, merge
from bcce_tf.errors import UsageError
from bcce_tf.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bcce.json").write_text(json.dumps({"regions": ["us-east-1", "eu-west-1"], "organization_id": "acme"}))
    return tmp_path


def command_paths(cmd, prefix=()):
    children = getattr(cmd, "commands", None)
    if children is None:
        yield prefix
        return
    for name, child in children.items():
        yield from command_paths(child, (*prefix, name))


def test_every_command_takes_every_global_option_with_the_root_help():
    root = command()
    shared = {p.name: p for p in root.params if p.name in FIELDS}
    assert set(shared) == set(FIELDS)
    for leaf in leaves(root):
        own = {p.name: p for p in leaf.params}
        for name, param in shared.items():
            assert own[name] is param, f"{leaf.name}: --{name} is not the shared declaration"


@pytest.mark.parametrize("argv", [
    ["--region", "eu-west-1", "--stack-name", "other", "render", "--out", "OUT"],
    ["render", "--region", "eu-west-1", "--stack-name", "other", "--out", "OUT"],
    ["--stack-name", "other", "render", "--out=OUT", "--region=eu-west-1"],
])
def test_options_before_or_after_the_command_render_the_same_stack(project, argv):
    assert run(argv) == 0
    assert sorted(p.name for p in (project / "OUT").iterdir()) == ["other-eu-west-1"]
    assert (project / "OUT" / "other-eu-west-1" / "main.tf").is_file()
    assert not (project / ".bcce" / "stacks").exists()


def test_the_same_value_in_both_places_is_accepted_and_different_values_are_refused(project, capsys):
    assert run(["--region", "eu-west-1", "render", "--region", "eu-west-1", "--out", "o"]) == 0
    capsys.readouterr()
    assert run(["--region", "us-east-1", "render", "--region", "eu-west-1"]) == ExitCode.USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("error: --region is given twice with different values: 'us-east-1' before the command and "
                       "'eu-west-1' after it; give it once")
    assert not (project / ".bcce").exists()


def test_merge_prefers_what_was_typed():
    typed, default = (lambda v: Given(v, True)), (lambda v: Given(v, False))
    flags = {"region": "--region"}
    assert merge({"region": default(None)}, {"region": typed("a")}, flags)["region"] == "a"
    assert merge({"region": typed("a")}, {"region": default(None)}, flags)["region"] == "a"
    assert merge({"profile": default("env")}, {"profile": default("env")}, flags)["profile"] == "env"
    assert merge({"verbose": typed(True)}, {"verbose": typed(True)}, flags)["verbose"] is True
    with pytest.raises(UsageError, match="--region is given twice"):
        merge({"region": typed("a")}, {"region": typed("b")}, flags)


def test_global_options_after_a_nested_command(project, capsys, monkeypatch):
    monkeypatch.setenv("BCCE_STATE_DIR", str(project / "state"))
    assert run(["doctor", "--component", "history", "--json", "--log-format", "json", "-q"]) == 0
    assert run(["cost", "estimate", "--config", "bcce.json", "--format", "json"]) == 0
    assert run(["external", "account", "--endpoint-url", "ftp://x"]) == ExitCode.USAGE


def readme_commands() -> dict[tuple[str, ...], set[str]]:
    """Each command path of the README's command table, with the options its row names."""
    text = (ROOT / "README.md").read_text()
    table = text.split("| command | what it does |", 1)[1].split("\n\n", 1)[0]
    found: dict[tuple[str, ...], set[str]] = {}
    for cell in re.findall(r"^\| (`bcce (?:[^|\\]|\\.)*)\|", table, flags=re.M):
        for usage in re.findall(r"`(bcce [^`]*)`", cell.replace("\\|", "|")):
            words = usage.split()[1:]
            path: list[str] = []
            for word in words:
                if not re.fullmatch(r"[a-z][a-z|-]*", word):
                    break
                path.append(word)
            options = set(re.findall(r"--[a-z][a-z-]*", usage))
            heads, last = path[:-1], path[-1].split("|")
            for name in last:
                found[(*heads, name)] = options
    return found


def test_readme_command_table_and_help_agree():
    documented = readme_commands()
    root = command()
    actual = set(command_paths(root))
    assert set(documented) == actual
    for path, options in documented.items():
        cmd = root
        for name in path:
            cmd = cmd.commands[name]
        flags = {opt for param in cmd.params for opt in param.opts}
        assert options <= flags, f"bcce {' '.join(path)}: README names {sorted(options - flags)}"


def test_readme_global_options_are_the_declared_ones():
    text = (ROOT / "README.md").read_text()
    paragraph = text.split("Global options", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"`(--[a-z][a-z-]*)", paragraph)) | set(re.findall(r"/(--[a-z][a-z-]*)`", paragraph))
    root = command()
    declared = {param.opts[0] for param in root.params if param.name in FIELDS} | {"--version"}
    assert named == declared
