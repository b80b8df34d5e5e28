"""What every command of the command line shares: the consoles, a failure with its exit code, and
the settings of the invocation (checked against config/ before a command uses them).

Exit codes: 0 ok, 1 failure, 2 usage error. main.py builds the application and hands each command
a `CommandState`; the commands live beside the code they drive (`<package>/commands.py`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from core.settings import Settings

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@dataclass(frozen=True)
class CommandState:
    settings: Settings
    # Every problem in config/ and knowledge/ (runner.validation, injected by main.py so that the
    # packages below the runner can check the configuration without importing it).
    find_problems: Callable[[Settings], Sequence[object]]


def fail(message: str, code: int = 1) -> typer.Exit:
    # the message is plain text: `support-crew[anthropic]` must not be read as markup
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True)
    return typer.Exit(code)


def note_if_not_loopback(host: str, risk: str) -> None:
    """A server told to listen beyond this machine: say once what that exposes."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        loopback = False
    if not loopback:
        err.print(f"[yellow]note[/] listening on {host}: {risk}", highlight=False)


def require_file(path: Path) -> None:
    if not path.is_file():
        raise fail(f"{path}: no such file", 2)


def settings_of(ctx: typer.Context, *, validate: bool = True) -> Settings:
    """The invocation's settings; with `validate`, the command stops on a configuration problem."""
    state: CommandState = ctx.obj
    if validate:
        problems = state.find_problems(state.settings)
        if problems:
            for problem in problems:
                err.print(str(problem), highlight=False, markup=False)
            raise fail(f"configuration has {len(problems)} problem(s); fix them (see `support-crew validate`)")
    return state.settings
