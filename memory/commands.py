"""The `memory` and `knowledge` commands."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from core.cli import fail, out, settings_of
from core.settings import Settings


class MemoryCommandError(RuntimeError):
    """Memory could not be read or changed; a forget request must never fail silently."""


def _memory(settings: Settings):
    from memory.customer_memory import open_customer_memory
    from memory.service import memory_home

    return open_customer_memory(memory_home(settings))


def show_customer(settings: Settings, customer_id: str, *, console: Console) -> None:
    from memory.customer_memory import MemoryUnavailable

    try:
        records = _memory(settings).show(customer_id)
    except (MemoryUnavailable, ValueError) as e:
        raise MemoryCommandError(f"cannot show memory of {customer_id!r}: {e}") from e
    if not records:
        console.print(f"nothing remembered about {customer_id}")
        return
    table = Table(title=f"memory of {customer_id}")
    for column in ("when", "scope", "kind", "content"):
        table.add_column(column)
    for record in records:
        table.add_row(
            record.created_at.strftime("%Y-%m-%d %H:%M"),
            record.scope,
            str(record.metadata.get("kind", "")),
            record.content,
        )
    console.print(table)


def forget_customer(settings: Settings, customer_id: str, *, console: Console) -> None:
    from memory.customer_memory import MemoryUnavailable

    try:
        deleted = _memory(settings).forget(customer_id)
    except (MemoryUnavailable, ValueError) as e:
        raise MemoryCommandError(f"cannot forget {customer_id!r}; nothing was deleted: {e}") from e
    console.print(f"forgot {customer_id}: {deleted} record(s) deleted")


def knowledge_retrieval_check(settings: Settings, *, console: Console) -> bool:
    from memory.knowledge_check import run_retrieval_check
    from memory.knowledge_indexes import open_knowledge_index
    from memory.service import knowledge_home

    index = open_knowledge_index(knowledge_home(settings), settings.knowledge_dir)
    report = run_retrieval_check(index, echo=lambda line: console.print(line, markup=False, highlight=False))
    return report.passed


def index_knowledge(settings: Settings, *, console: Console) -> None:
    from memory.knowledge_indexes import ensure_indexed
    from memory.service import knowledge_home

    report = ensure_indexed(knowledge_home(settings), settings.knowledge_dir)
    console.print(report.summary())


# --- the commands ------------------------------------------------------------------------------

memory_app = typer.Typer(help="What the crew remembers about customers.", no_args_is_help=True)
knowledge_app = typer.Typer(help="The knowledge base (policies, troubleshooting guides).", no_args_is_help=True)


@memory_app.command("show")
def memory_show(ctx: typer.Context, customer_id: str = typer.Argument(..., metavar="CUSTOMER_ID")) -> None:
    """Everything remembered about one customer."""
    try:
        show_customer(settings_of(ctx), customer_id, console=out)
    except MemoryCommandError as e:
        raise fail(str(e)) from e


@memory_app.command("forget")
def memory_forget(ctx: typer.Context, customer_id: str = typer.Argument(..., metavar="CUSTOMER_ID")) -> None:
    """Delete everything remembered about one customer (right to be forgotten)."""
    try:
        forget_customer(settings_of(ctx), customer_id, console=out)
    except MemoryCommandError as e:
        raise fail(str(e)) from e


@knowledge_app.command("check")
def knowledge_check(ctx: typer.Context) -> None:
    """Retrieval check: is the right document in the top 3 for the written questions?"""
    from memory.knowledge_base import KnowledgeUnavailable

    try:
        passed = knowledge_retrieval_check(settings_of(ctx), console=out)
    except (KnowledgeUnavailable, ValueError) as e:  # ValueError: a malformed SUPPORT_CREW_CHROMA_URL
        raise fail(str(e)) from e
    if not passed:
        raise typer.Exit(1)


@knowledge_app.command("index")
def knowledge_index(ctx: typer.Context) -> None:
    """(Re)index the knowledge base; only changed documents are embedded again."""
    from memory.knowledge_base import KnowledgeUnavailable

    try:
        index_knowledge(settings_of(ctx), console=out)
    except (KnowledgeUnavailable, ValueError) as e:
        raise fail(str(e)) from e
