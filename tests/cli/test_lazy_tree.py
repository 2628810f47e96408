"""The command tree built on first use answers exactly as the tree Typer builds up front."""

from __future__ import annotations

import typer

from bcce_tf.cli import lazy_tree
from bcce_tf.cli.app import app


def paths(cmd, prefix=()):
    children = getattr(cmd, "commands", None)
    if children is None:
        yield prefix
        return
    for name, child in children.items():
        yield from paths(child, (*prefix, name))


def help_text(cmd) -> str:
    ctx = cmd.make_context("bcce", ["--help"], resilient_parsing=True)
    return cmd.get_help(ctx)


def test_root_help_builds_no_command_and_reads_as_the_eager_help():
    built = []
    lazy = lazy_tree.build(app, lambda tree: built.append(tree.name) or tree)
    assert help_text(lazy) == help_text(typer.main.get_command(app))
    assert built == []


def test_a_command_is_built_once_when_looked_up():
    built = []
    lazy = lazy_tree.build(app, lambda tree: built.append(tree.name) or tree)
    ctx = lazy.make_context("bcce", ["--help"], resilient_parsing=True)
    plan = lazy.get_command(ctx, "plan")
    assert lazy.get_command(ctx, "plan") is plan
    assert built == ["plan"]
    assert lazy.get_command(ctx, "no-such-command") is None
    assert "no-such-command" not in lazy.commands


def leaf(cmd, path):
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def test_walking_the_lazy_tree_finds_every_command_of_the_eager_one_with_the_same_options():
    lazy = lazy_tree.build(app, lambda tree: tree)
    eager = typer.main.get_command(app)
    assert list(paths(lazy)) == list(paths(eager))
    for path in paths(eager):
        assert [p.opts for p in leaf(lazy, path).params] == [p.opts for p in leaf(eager, path).params], path
