"""The `approvals` commands: a person reviews held operations; approve executes exactly that
operation once (the queue's state transition + the store's idempotency key), from any process."""

from __future__ import annotations

import json

import typer
from rich.console import Console

from core.cli import fail, out, settings_of
from core.settings import Settings
from safety.approvals import ApprovalError, ApprovalNotFound, ApprovalQueue
from safety.policy import load_policy
from sandbox_store.access import store_client


def _queue(settings: Settings) -> ApprovalQueue:
    policy = load_policy(settings.config_dir / "policy.yaml")
    return ApprovalQueue.in_data_dir(settings.resolved_data_dir, policy.approvals, database_url=settings.database_url)


def list_approvals(settings: Settings, *, status: str | None, console: Console) -> None:
    records = _queue(settings).list(status)  # type: ignore[arg-type]
    if not records:
        console.print("no approval requests" + (f" with status {status}" if status else ""))
        return
    # Two lines per request rather than a table: ids stay whole at any terminal width.
    for r in records:
        console.print(
            f"{r.id}  {r.status:<9} ${r.amount:.2f}  {r.operation} {json.dumps(r.arguments)}",
            highlight=False,
            markup=False,
        )
        console.print(
            f"    ticket {r.ticket_id}, customer {r.customer_id or '-'}, created "
            f"{r.created_at:%Y-%m-%d %H:%M}: {r.reason}",
            highlight=False,
            markup=False,
        )


def show_approval(settings: Settings, approval_id: str, *, console: Console) -> bool:
    queue = _queue(settings)
    try:
        record = queue.get(approval_id)
    except ApprovalNotFound:
        return False
    console.print_json(record.model_dump_json())
    console.print(f"ticket {record.ticket_id} record:")
    for event in queue.ticket_record(record.ticket_id):
        console.print(
            f"  {event.at:%Y-%m-%d %H:%M:%S} {event.event} by {event.actor} {json.dumps(event.detail)}",
            highlight=False,
            markup=False,
        )
    return True


def approve(settings: Settings, approval_id: str, *, approver: str, console: Console) -> bool:
    queue = _queue(settings)
    try:
        with store_client(settings) as client:
            outcome = queue.approve(
                approval_id,
                approver=approver,
                executor=lambda op, args, key: client.apply_operation(op, args, idempotency_key=key),
            )
    except ApprovalNotFound:
        console.print(f"[red]no approval request {approval_id!r}[/] (see `support-crew approvals list`)")
        return False
    except ApprovalError as e:
        console.print(f"[red]cannot approve {approval_id}:[/] {e}")
        return False
    console.print(f"{approval_id}: {outcome.status}: {outcome.message}", highlight=False)
    return outcome.ok


def deny(settings: Settings, approval_id: str, *, approver: str, reason: str, console: Console) -> bool:
    try:
        record = _queue(settings).deny(approval_id, approver=approver, reason=reason)
    except ApprovalNotFound:
        console.print(f"[red]no approval request {approval_id!r}[/] (see `support-crew approvals list`)")
        return False
    except ApprovalError as e:
        console.print(f"[red]cannot deny {approval_id}:[/] {e}")
        return False
    console.print(f"{approval_id}: {record.status} by {record.decided_by}: {record.decision_reason}")
    return True


# --- the commands ------------------------------------------------------------------------------

approvals_app = typer.Typer(help="The human approval queue.", no_args_is_help=True)


@approvals_app.command("list")
def approvals_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="pending, executed, denied, expired..."),
) -> None:
    """List approval requests."""
    list_approvals(settings_of(ctx), status=status, console=out)


@approvals_app.command("show")
def approvals_show(ctx: typer.Context, approval_id: str = typer.Argument(..., metavar="ID")) -> None:
    """Show one approval request and its ticket's record."""
    if not show_approval(settings_of(ctx), approval_id, console=out):
        raise fail(f"no approval request {approval_id!r} (see `support-crew approvals list`)")


@approvals_app.command("approve")
def approvals_approve(
    ctx: typer.Context,
    approval_id: str = typer.Argument(..., metavar="ID"),
    approver: str = typer.Option("cli", "--by", help="Who approves."),
) -> None:
    """Execute exactly that held operation, exactly once."""
    if not approve(settings_of(ctx), approval_id, approver=approver, console=out):
        raise typer.Exit(1)


@approvals_app.command("deny")
def approvals_deny(
    ctx: typer.Context,
    approval_id: str = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option("denied by reviewer", "--reason", help="Why."),
    approver: str = typer.Option("cli", "--by", help="Who denies."),
) -> None:
    """Deny a held operation; it will never run."""
    if not deny(settings_of(ctx), approval_id, approver=approver, reason=reason, console=out):
        raise typer.Exit(1)
