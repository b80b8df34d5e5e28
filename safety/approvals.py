"""The human approval queue and the approval gate.

A held operation is stored in SQLite under the data directory with its exact arguments and
idempotency key. `approve` executes it exactly once, from any process: a transaction moves it
pending -> approved (claimed) before the executor runs, so a second approver, in this process or
another, finds it claimed; the stored idempotency key makes the store itself refuse a second
application if an executor dies after the store applied it and the approval is retried.
Every decision is appended to the ticket's record (the `events` table)."""

from __future__ import annotations

import builtins
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from core.models import ApprovalRecord
from safety.policy import ApprovalPolicy, Policy
from storage.database import Connection, Database, SqliteDatabase, open_database
from tools.context import ToolContext
from tools.errors import ReadOnlyTicket, ToolError

ApprovalStatus = Literal["pending", "approved", "executed", "denied", "expired", "failed"]
# (operation, arguments, idempotency_key) -> the store's answer, e.g.
# lambda op, args, key: store.apply_operation(op, args, idempotency_key=key)
Executor = Callable[[str, dict[str, Any], str], dict[str, Any]]
Clock = Callable[[], datetime]

_MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
    CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        customer_id TEXT,
        operation TEXT NOT NULL,
        arguments TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        amount REAL NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        decision_reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        error TEXT
    );
    CREATE INDEX approvals_status ON approvals (status);
    CREATE INDEX approvals_key ON approvals (idempotency_key);
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        approval_id TEXT,
        event TEXT NOT NULL,
        actor TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX events_ticket ON events (ticket_id, seq);
    """,
    ),
]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ApprovalError(Exception):
    """A request to the approval queue that cannot be carried out; the message says why."""


class ApprovalNotFound(ApprovalError):
    def __init__(self, approval_id: str) -> None:
        super().__init__(
            f"No approval request with id '{approval_id}'. Run `support-crew approvals list` to see the ids."
        )


class ApprovalStateError(ApprovalError):
    pass


class HeldOperation(BaseModel):
    """One approval request as stored."""

    id: str
    created_at: datetime
    expires_at: datetime
    ticket_id: str
    customer_id: str | None
    operation: str
    arguments: dict[str, Any]
    idempotency_key: str
    amount: float
    reason: str
    status: ApprovalStatus
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    attempts: int = 0
    result: dict[str, Any] | None = None
    error: str | None = None

    def to_record(self) -> ApprovalRecord:
        return ApprovalRecord(
            id=self.id, operation=self.operation, arguments=self.arguments, amount=self.amount, reason=self.reason
        )


class TicketEvent(BaseModel):
    """One line of a ticket's record: held, flagged, approved, executed, failed, denied, expired."""

    seq: int
    at: datetime
    ticket_id: str
    approval_id: str | None
    event: str
    actor: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ApprovalOutcome:
    """What `approve` did. `status` is 'executed' only for the call that executed it."""

    status: Literal["executed", "already_executed", "in_progress", "denied", "expired", "failed"]
    record: HeldOperation
    message: str

    @property
    def ok(self) -> bool:
        return self.status in ("executed", "already_executed")


class ApprovalQueue:
    """Durable approval requests in `<data_dir>/approvals.db` (SQLite, WAL). Safe to share between
    threads and processes: every call opens its own connection."""

    def __init__(
        self,
        database: Database | Path,
        *,
        expiry: timedelta = timedelta(hours=72),
        stale_execution: timedelta = timedelta(minutes=10),
        clock: Clock = utc_now,
    ) -> None:
        self.db = database if isinstance(database, Database) else SqliteDatabase(Path(database), "approvals")
        self.expiry = expiry
        self.stale_execution = stale_execution
        self.clock = clock
        self.db.migrate(_MIGRATIONS)

    @classmethod
    def in_data_dir(
        cls, data_dir: Path, policy: ApprovalPolicy, *, clock: Clock = utc_now, database_url: str | None = None
    ) -> ApprovalQueue:
        """`<data_dir>/approvals.db`, or schema `approvals` of the fleet's PostgreSQL database."""
        return cls(
            open_database("approvals", data_dir=Path(data_dir), url=database_url),
            expiry=timedelta(hours=policy.expiry_hours),
            stale_execution=timedelta(minutes=policy.stale_execution_minutes),
            clock=clock,
        )

    # --- storage ----------------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """Read-then-update is atomic against every other connection, in any process (see
        storage.database: BEGIN IMMEDIATE, or PostgreSQL's advisory transaction lock)."""
        with self.db.transaction() as db:
            yield db

    @staticmethod
    def _row(row: Any) -> HeldOperation:
        data = dict(row)
        data["arguments"] = json.loads(data["arguments"])
        data["result"] = json.loads(data["result"]) if data["result"] else None
        return HeldOperation.model_validate(data)

    def _get(self, db: Connection, approval_id: str) -> HeldOperation:
        row = db.execute("SELECT * FROM approvals WHERE id = ?", (approval_id,)).fetchone()
        if row is None:
            raise ApprovalNotFound(approval_id)
        return self._row(row)

    def _event(
        self, db: Connection, *, ticket_id: str, approval_id: str | None, event: str, actor: str, **detail: Any
    ) -> None:
        db.execute(
            "INSERT INTO events (at, ticket_id, approval_id, event, actor, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (self.clock().isoformat(), ticket_id, approval_id, event, actor, json.dumps(detail, default=str)),
        )

    def _set(self, db: Connection, approval_id: str, **fields: Any) -> None:
        columns = ", ".join(f"{name} = ?" for name in fields)
        values = [
            json.dumps(v) if name == "result" and v is not None else v.isoformat() if isinstance(v, datetime) else v
            for name, v in fields.items()
        ]
        db.execute(f"UPDATE approvals SET {columns} WHERE id = ?", (*values, approval_id))

    def _expire_if_due(self, db: Connection, record: HeldOperation) -> HeldOperation:
        if record.status in ("pending", "failed") and self.clock() >= record.expires_at:
            self._set(db, record.id, status="expired")
            self._event(
                db,
                ticket_id=record.ticket_id,
                approval_id=record.id,
                event="expired",
                actor="system",
                expires_at=record.expires_at.isoformat(),
            )
            return record.model_copy(update={"status": "expired"})
        return record

    # --- requests ---------------------------------------------------------------------------------
    def hold(
        self,
        *,
        ticket_id: str,
        customer_id: str | None,
        operation: str,
        arguments: dict[str, Any],
        idempotency_key: str,
        amount: float,
        reason: str,
        expires_in: timedelta | None = None,
    ) -> HeldOperation:
        """Store an operation to wait for a person. Holding the same idempotency key again (a retried
        tool call, a re-run ticket) returns the request already there unless that one expired."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT * FROM approvals WHERE idempotency_key = ? ORDER BY created_at DESC LIMIT 1", (idempotency_key,)
            ).fetchone()
            if row is not None:
                existing = self._expire_if_due(db, self._row(row))
                if existing.status != "expired":
                    return existing
            now = self.clock()
            record = HeldOperation(
                id=f"apr-{secrets.token_hex(5)}",
                created_at=now,
                expires_at=now + (expires_in or self.expiry),
                ticket_id=ticket_id,
                customer_id=customer_id,
                operation=operation,
                arguments=arguments,
                idempotency_key=idempotency_key,
                amount=round(abs(amount), 2),
                reason=reason,
                status="pending",
            )
            db.execute(
                "INSERT INTO approvals (id, created_at, expires_at, ticket_id, customer_id, operation, arguments,"
                " idempotency_key, amount, reason, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    now.isoformat(),
                    record.expires_at.isoformat(),
                    ticket_id,
                    customer_id,
                    operation,
                    json.dumps(arguments),
                    idempotency_key,
                    record.amount,
                    reason,
                    "pending",
                ),
            )
            self._event(
                db,
                ticket_id=ticket_id,
                approval_id=record.id,
                event="held",
                actor="gate",
                operation=operation,
                amount=record.amount,
                reason=reason,
            )
            return record

    def record_flag(self, *, ticket_id: str, operation: str, amount: float, reason: str) -> None:
        """An operation that went through but a person should look at (allow_and_flag)."""
        with self._transaction() as db:
            self._event(
                db,
                ticket_id=ticket_id,
                approval_id=None,
                event="flagged",
                actor="gate",
                operation=operation,
                amount=round(abs(amount), 2),
                reason=reason,
            )

    def get(self, approval_id: str) -> HeldOperation:
        with self._transaction() as db:
            return self._expire_if_due(db, self._get(db, approval_id))

    def list(self, status: ApprovalStatus | None = None) -> list[HeldOperation]:
        """Requests, oldest first; requests past their expiry are marked expired first."""
        with self._transaction() as db:
            records = [
                self._expire_if_due(db, self._row(r))
                # ties in time (a fixed clock) keep the order of holding: the 'held' event's seq
                for r in db.execute(
                    "SELECT * FROM approvals ORDER BY created_at, "
                    "(SELECT min(seq) FROM events WHERE events.approval_id = approvals.id)"
                ).fetchall()
            ]
        return [r for r in records if status is None or r.status == status]

    # `list` below this point is the method above, not the builtin: annotations spell out `builtins.list`.
    def ticket_record(self, ticket_id: str) -> builtins.list[TicketEvent]:
        return self.events(ticket_id=ticket_id)

    def events(self, *, ticket_id: str | None = None, event: str | None = None) -> builtins.list[TicketEvent]:
        query = "SELECT * FROM events WHERE 1 = 1"
        params: builtins.list[str] = []
        if ticket_id is not None:
            query, params = query + " AND ticket_id = ?", [*params, ticket_id]
        if event is not None:
            query, params = query + " AND event = ?", [*params, event]
        with self.db.reading() as db:
            rows = db.execute(query + " ORDER BY seq", params).fetchall()
        return [TicketEvent.model_validate({**dict(r), "detail": json.loads(r["detail"])}) for r in rows]

    # --- decisions --------------------------------------------------------------------------------
    def approve(self, approval_id: str, *, approver: str, executor: Executor) -> ApprovalOutcome:
        """Execute the held operation exactly once: only the caller that moves it from pending (or
        failed, or approved but abandoned for `stale_execution`) to approved runs the executor."""
        with self._transaction() as db:
            record = self._expire_if_due(db, self._get(db, approval_id))
            now = self.clock()
            refusal = self._approve_refusal(record, now)
            if refusal:
                return refusal
            retry = record.status != "pending"
            self._set(
                db,
                record.id,
                status="approved",
                decided_by=approver,
                decided_at=now,
                attempts=record.attempts + 1,
                error=None,
            )
            self._event(
                db,
                ticket_id=record.ticket_id,
                approval_id=record.id,
                event="retried" if retry else "approved",
                actor=approver,
                attempt=record.attempts + 1,
            )
            attempt = record.attempts + 1
        try:
            result = executor(record.operation, record.arguments, record.idempotency_key)
            error = result.get("error") if isinstance(result, dict) else None
        except ToolError as exc:
            result, error = None, exc.to_payload()["error"]
        except Exception as exc:  # the executor's failure is recorded, never lost
            result, error = None, {"code": type(exc).__name__, "message": str(exc), "retryable": True}
        with self._transaction() as db:
            current = self._get(db, approval_id)
            if current.status != "approved" or current.attempts != attempt:
                # Another approver took it over as stale meanwhile; its outcome will be recorded.
                return ApprovalOutcome("in_progress", current, "another approver is executing this request")
            if error:
                self._set(db, approval_id, status="failed", error=json.dumps(error))
                self._event(
                    db, ticket_id=record.ticket_id, approval_id=approval_id, event="failed", actor=approver, error=error
                )
                failed = self._get(db, approval_id)
                return ApprovalOutcome(
                    "failed",
                    failed,
                    f"the store refused or failed: {error.get('message', error)}; "
                    "approve again to retry (same idempotency key), or deny it",
                )
            self._set(db, approval_id, status="executed", result=result)
            self._event(
                db,
                ticket_id=record.ticket_id,
                approval_id=approval_id,
                event="executed",
                actor=approver,
                operation=record.operation,
            )
            return ApprovalOutcome(
                "executed", self._get(db, approval_id), f"{record.operation} executed for ticket {record.ticket_id}"
            )

    def _approve_refusal(self, record: HeldOperation, now: datetime) -> ApprovalOutcome | None:
        if record.status == "executed":
            return ApprovalOutcome(
                "already_executed", record, f"already executed (approved by {record.decided_by}); nothing done"
            )
        if record.status == "denied":
            return ApprovalOutcome("denied", record, f"denied by {record.decided_by}: {record.decision_reason}")
        if record.status == "expired":
            return ApprovalOutcome(
                "expired", record, f"expired at {record.expires_at.isoformat()}; it can no longer be executed"
            )
        if record.status == "approved" and record.decided_at and now - record.decided_at < self.stale_execution:
            return ApprovalOutcome("in_progress", record, f"{record.decided_by} is executing it right now")
        return None

    def deny(self, approval_id: str, *, approver: str, reason: str = "") -> HeldOperation:
        """Refuse a request for good; records who and why on the ticket's record."""
        with self._transaction() as db:
            record = self._expire_if_due(db, self._get(db, approval_id))
            if record.status not in ("pending", "failed"):
                by = f" by {record.decided_by}" if record.decided_by else ""
                raise ApprovalStateError(
                    f"Approval {approval_id} is {record.status}{by}; only a pending or failed request can be denied."
                )
            why = reason.strip() or "(no reason given)"
            self._set(
                db, approval_id, status="denied", decided_by=approver, decided_at=self.clock(), decision_reason=why
            )
            self._event(
                db, ticket_id=record.ticket_id, approval_id=approval_id, event="denied", actor=approver, reason=why
            )
            return self._get(db, approval_id)


class ApprovalGate:
    """tools.context.ApprovalGate over policy.yaml's approval rules and the durable queue.
    allow -> None; allow_and_flag -> None and a flag on the ticket; hold -> the stored request."""

    def __init__(self, policy: Policy | ApprovalPolicy, queue: ApprovalQueue, *, ticket_id: str | None = None) -> None:
        self.policy = policy.approvals if isinstance(policy, Policy) else policy
        self.queue = queue
        self.ticket_id = ticket_id  # when given, the gate refuses a context of another ticket

    def review(
        self, *, ctx: ToolContext, operation: str, arguments: dict[str, Any], amount: float, idempotency_key: str
    ) -> ApprovalRecord | None:
        if self.ticket_id is not None and ctx.ticket_id != self.ticket_id:
            raise ValueError(f"this approval gate belongs to ticket {self.ticket_id}, not {ctx.ticket_id}")
        if ctx.read_only:
            raise ReadOnlyTicket()
        money = round(abs(amount), 2)
        decision = self.policy.decide(operation, money)
        waits_for = self._held_on_same_record(ctx, arguments)
        ctx.emit(
            {
                "event": "approval_gate",
                "operation": operation,
                "amount": money,
                "decision": decision.action,
                "rule": decision.rule_index,
                "waits_for": waits_for,
            }
        )
        if waits_for is not None:
            # An earlier change to this order (or customer) waits for a person: applying this one now
            # would run it before that one and could make it impossible (e.g. items changed first
            # lock the order). Hold it too, so approvals apply in the order the customer asked.
            return self._hold(
                ctx,
                operation,
                arguments,
                idempotency_key,
                money,
                f"waits for approval {waits_for} on the same record; {decision.reason(money)}",
            )
        if decision.action == "allow":
            return None
        if decision.action == "allow_and_flag":
            flag = f"{operation} of ${money:.2f} flagged for review"
            ctx.flags.append(flag)
            self.queue.record_flag(
                ticket_id=ctx.ticket_id, operation=operation, amount=money, reason=decision.reason(money)
            )
            return None
        return self._hold(ctx, operation, arguments, idempotency_key, money, decision.reason(money))

    @staticmethod
    def _held_on_same_record(ctx: ToolContext, arguments: dict[str, Any]) -> str | None:
        """A held operation this one depends on: one on the same order or customer, or — for a write
        paying by gift card — any held one, since it may be what credits that card (a held
        cancellation refunds to it)."""
        target = arguments.get("order_id") or arguments.get("user_id")
        pays_by_gift_card = str(arguments.get("payment_method_id", "")).startswith("gift_card_")
        for approval in ctx.approvals:
            if pays_by_gift_card:
                return approval.id
            if target is not None and target in (approval.arguments.get("order_id"), approval.arguments.get("user_id")):
                return approval.id
        return None

    def _hold(
        self,
        ctx: ToolContext,
        operation: str,
        arguments: dict[str, Any],
        idempotency_key: str,
        money: float,
        reason: str,
    ) -> ApprovalRecord | None:
        held = self.queue.hold(
            ticket_id=ctx.ticket_id,
            customer_id=ctx.customer_id,
            operation=operation,
            arguments=arguments,
            idempotency_key=idempotency_key,
            amount=money,
            reason=reason,
            expires_in=timedelta(hours=self.policy.expiry_hours),
        )
        if held.status == "denied":
            raise ToolError(
                "approval_denied",
                f"A person denied this {operation} earlier ({held.decision_reason}). Do not retry; tell "
                "the customer it cannot be done and why.",
            )
        if held.status == "executed":
            # Approved and executed already: the store answers a repeat of the same idempotency key with
            # the recorded result, so letting the call through cannot apply it twice.
            return None
        return held.to_record()
