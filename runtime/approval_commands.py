"""The `approvals` commands: a person reviews held operations; approve executes exactly that
operation once (the queue's state transition + the store's idempotency key), from any process."""

from __future__ import annotations

import json

from rich.console import Console

from runtime.approvals import ApprovalError, ApprovalNotFound, ApprovalQueue
from runtime.policy import load_policy
from runtime.settings import Settings
from runtime.store_access import store_client


def _queue(settings: Settings) -> ApprovalQueue:
    policy = load_policy(settings.config_dir / "policy.yaml")
    return ApprovalQueue.in_data_dir(settings.resolved_data_dir, policy.approvals)


def list_approvals(settings: Settings, *, status: str | None, console: Console) -> None:
    records = _queue(settings).list(status)  # type: ignore[arg-type]
    if not records:
        console.print("no approval requests" + (f" with status {status}" if status else ""))
        return
    # Two lines per request rather than a table: ids stay whole at any terminal width.
    for r in records:
        console.print(f"{r.id}  {r.status:<9} ${r.amount:.2f}  {r.operation} {json.dumps(r.arguments)}",
                      highlight=False, markup=False)
        console.print(f"    ticket {r.ticket_id}, customer {r.customer_id or '-'}, created "
                      f"{r.created_at:%Y-%m-%d %H:%M}: {r.reason}", highlight=False, markup=False)


def show_approval(settings: Settings, approval_id: str, *, console: Console) -> bool:
    queue = _queue(settings)
    try:
        record = queue.get(approval_id)
    except ApprovalNotFound:
        return False
    console.print_json(record.model_dump_json())
    console.print(f"ticket {record.ticket_id} record:")
    for event in queue.ticket_record(record.ticket_id):
        console.print(f"  {event.at:%Y-%m-%d %H:%M:%S} {event.event} by {event.actor} {json.dumps(event.detail)}",
                      highlight=False, markup=False)
    return True


def approve(settings: Settings, approval_id: str, *, approver: str, console: Console) -> bool:
    queue = _queue(settings)
    try:
        with store_client(settings) as client:
            outcome = queue.approve(approval_id, approver=approver, executor=lambda op, args, key:
                                    client.apply_operation(op, args, idempotency_key=key))
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
