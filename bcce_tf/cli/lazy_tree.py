"""The click command tree, each top-level command built from its Typer declaration when it is used.

Typer turns every declared command into a click command up front: it reads each function's
signature and type hints, which costs more than the rest of `bcce --help`. Here the root group is
built at once (its callback holds the global options); a top-level command or group is built the
first time it is looked up: to run it, to show its own help, or when the tree is walked.
`bcce --help` lists the commands from their declarations without building them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer
from typer._click import Command, Context, HelpFormatter
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_name, get_command_from_info, get_group_from_info, solve_typer_info_defaults
from typer.models import TyperInfo


class Pending:
    """A top-level command not built yet: its name, the text `--help` lists, and how to build it."""

    def __init__(self, name: str, help: str | None, short_help: str | None, hidden: bool,
                 build: Callable[[], Command]) -> None:
        self.name, self.build = name, build
        self.preview: Command = TyperCommand(name, help=help, short_help=short_help, hidden=hidden)


class LazyCommands(MutableMapping[str, Command]):
    """name -> click command; a pending one is built (and `ready` called on it) when looked up."""

    def __init__(self, pending: list[Pending], ready: Callable[[Command], Command]) -> None:
        self._pending = {item.name: item for item in pending}
        self._built: dict[str, Command] = {}
        self._order = list(self._pending)
        self._ready = ready

    def preview(self, name: str) -> Command | None:
        """What the group's help lists for `name`, without building it."""
        if name in self._built:
            return self._built[name]
        item = self._pending.get(name)
        return item.preview if item is not None else None

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            item = self._pending[name]  # KeyError for an unknown name, as a dict
            self._built[name] = self._ready(item.build())
            del self._pending[name]
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._pending.pop(name, None)
        if name not in self._order:
            self._order.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._built and name not in self._pending:
            raise KeyError(name)
        self._built.pop(name, None)
        self._pending.pop(name, None)
        self._order.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._pending


class LazyGroup(TyperGroup):
    """The root group: its help lists the commands from their previews."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)  # the names in declaration order, nothing built

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        commands = self.commands
        if not isinstance(commands, LazyCommands):
            return super().format_commands(ctx, formatter)
        rows = [(name, cmd) for name in self.list_commands(ctx)
                if (cmd := commands.preview(name)) is not None and not cmd.hidden]
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])


def _command_help(info: Any) -> str | None:
    import inspect

    if info.help is not None:
        return inspect.cleandoc(info.help)
    return inspect.getdoc(info.callback)


def build(app: typer.Typer, ready: Callable[[Command], Command]) -> LazyGroup:
    """The click group of `app` whose top-level commands are built on first use; `ready(command)`
    finishes each one as it is built (and returns it)."""
    shell = copy.copy(app)
    shell.registered_commands, shell.registered_groups = [], []
    shell.info = copy.copy(app.info)
    shell.info.cls = LazyGroup
    options = {"pretty_exceptions_short": app.pretty_exceptions_short, "rich_markup_mode": app.rich_markup_mode}
    root = get_group_from_info(TyperInfo(shell), suggest_commands=app.suggest_commands, **options)
    pending: list[Pending] = []
    for info in app.registered_commands:
        name = info.name or get_command_name(info.callback.__name__)
        pending.append(Pending(name, _command_help(info), info.short_help, info.hidden,
                               lambda info=info: get_command_from_info(info, **options)))
    for group in app.registered_groups:
        solved = solve_typer_info_defaults(group)
        if not solved.name:  # a nameless add_typer merges its commands into the root: build it now
            for sub_name, sub in get_group_from_info(group, suggest_commands=app.suggest_commands, **options).commands.items():
                pending.append(Pending(sub_name, sub.help, sub.short_help, sub.hidden, lambda sub=sub: sub))
            continue
        pending.append(Pending(solved.name, solved.help, solved.short_help, bool(solved.hidden),
                               lambda group=group: get_group_from_info(group, suggest_commands=app.suggest_commands, **options)))
    root.commands = LazyCommands(pending, ready)
    return root
