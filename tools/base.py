"""What every store tool shares: the per-ticket context and store client, argument validation,
JSON results, typed errors, the tool-call count and trace event; and for the store-changing tools,
the guarded write path (read-only tickets, customer binding, approval gate, idempotency key,
action log)."""

from __future__ import annotations

import json
import logging
import time
from abc import abstractmethod
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import core.environment  # noqa: F401  (offline switches, before crewai)

from crewai.tools import BaseTool
from pydantic import BaseModel, Field, PlainValidator, ValidationError

from core.models import ActionRecord
from tools.amounts import operation_amount, products_needed
from tools.client import StoreClient
from tools.context import ApprovalGate, ToolContext, idempotency_key
from tools.errors import ReadOnlyTicket, ToolError
from tools.records import CustomerDetails, Order

log = logging.getLogger(__name__)


def to_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _instance_of(cls: type) -> PlainValidator:
    """Accept the very object passed (no copy, no schema of its insides): the tool must share the
    ticket's context and the process's client, not copies of them."""

    def check(value: Any) -> Any:
        if not isinstance(value, cls):
            raise ValueError(f"expected a {cls.__name__}, got {type(value).__name__}")
        return value

    return PlainValidator(check)


class StoreTool(BaseTool):
    """A tool over the store's APIs, built per ticket. Subclasses set name, description and
    args_schema, and implement `execute`."""

    if TYPE_CHECKING:
        context: ToolContext
        store: StoreClient

        # Every subclass gives name and description defaults (BaseTool's have none), so any store
        # tool class is built from the ticket's context and the store client alone.
        def __init__(self, *, context: ToolContext, store: StoreClient, **data: Any) -> None: ...
    else:  # `Any` for pydantic (it cannot build a schema of ToolContext's insides); checked by class
        context: Annotated[Any, _instance_of(ToolContext)] = Field(exclude=True)
        store: Annotated[Any, _instance_of(StoreClient)] = Field(exclude=True)

    def _run(self, **kwargs: Any) -> str:
        started = time.perf_counter()
        with self.context._lock:
            self.context.tool_calls += 1
        status = "error"
        try:
            args = self.args_schema.model_validate(kwargs)
            result = self.execute(args)
            payload = result.model_dump(mode="json", exclude_none=True)
            # A write reports done / pending_approval; a read that returned is simply "ok" (an
            # order's own `status` field is not the call's status).
            status = result.status if isinstance(result, (WriteDone, WritePending)) else "ok"
        except ValidationError as error:
            payload = ToolError(
                "invalid_arguments", f"Invalid arguments for {self.name}: {_describe(error)}. Fix them and call again."
            ).to_payload()
        except ToolError as error:
            payload = error.to_payload()
        except Exception as error:  # a bug must not crash the crew, but it must be seen
            log.exception("tool %s failed", self.name)
            payload = ToolError(
                "tool_failed",
                f"{self.name} failed unexpectedly ({type(error).__name__}: "
                f"{error}). Do not retry; escalate to a human.",
            ).to_payload()
        event: dict[str, Any] = {
            "event": "tool_call",
            "tool": self.name,
            "arguments": kwargs,
            "status": status,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if "error" in payload:
            event["error_code"] = payload["error"]["code"]
        self.context.emit(event)
        return to_json(payload)

    @abstractmethod
    def execute(self, args: Any) -> BaseModel:
        """Do the work; raise ToolError for anything the agent should be told."""

    # --- customer binding helpers ---------------------------------------------------------------
    def owned_order(self, order_id: str) -> dict[str, Any]:
        """The order, if it belongs to the ticket's customer; refuses before reading otherwise."""
        self.context.require_customer()
        order = self.store.orders.get(order_id)
        self.context.require_owner(order["user_id"], f"Order {order_id}")
        return order

    def require_own_payment_method(self, payment_method_id: str) -> None:
        customer_id = self.context.require_customer()
        own = [m["id"] for m in self.store.payments.methods(customer_id)]
        if payment_method_id not in own:
            raise ToolError(
                "not_your_customer",
                f"Payment method '{payment_method_id}' is not one of the authenticated customer's "
                f"payment methods ({', '.join(own)}). Use one of those; never another customer's.",
            )


def _describe(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in error.errors())


class WriteDone(BaseModel):
    status: str = "done"
    operation: str
    order: Order | None = None
    customer: CustomerDetails | None = None
    amount: float


class WritePending(BaseModel):
    status: str = "pending_approval"
    operation: str
    approval_id: str
    amount: float
    message: str


class StoreWriteTool(StoreTool):
    """A CONTRACTS §2 operation. The tool's arguments are exactly the operation's keyword
    arguments, and are recorded as such in the ticket's action log."""

    operation: ClassVar[str]

    @abstractmethod
    def authorize(self, arguments: dict[str, Any]) -> dict[str, Any] | None:
        """Refuse unless every record the arguments name belongs to the ticket's customer;
        return the order the operation acts on (None for customer operations)."""

    def execute(self, args: BaseModel) -> BaseModel:
        arguments = args.model_dump()
        try:
            if self.context.read_only:
                raise ReadOnlyTicket()
            order = self.authorize(arguments)
            key = idempotency_key(self.context.ticket_id, self.operation, arguments)
            if self.context.gate is not None:
                pending = self._review(self.context.gate, arguments, order, key)
                if pending is not None:
                    return pending
            answer = self.store.apply_operation(self.operation, arguments, idempotency_key=key)
        except ToolError as error:
            status = "error" if error.retryable else "rejected"
            self._record(arguments, status, error=f"{error.code}: {error.message}")
            raise
        self._record(arguments, "done")
        customer = answer.get("customer")
        return WriteDone(
            operation=self.operation,
            order=answer.get("order"),
            customer=CustomerDetails.from_store(customer) if customer else None,
            amount=answer["amount"],
        )

    def _review(
        self, gate: ApprovalGate, arguments: dict[str, Any], order: dict[str, Any] | None, key: str
    ) -> WritePending | None:
        """Ask the approval gate, after a dry run has shown the store would accept the operation
        (a held operation must not fail when a human approves it)."""
        try:
            self.store.apply_operation(self.operation, arguments, idempotency_key=key, dry_run=True)
        except ToolError as error:
            # A gift card may be short only because a held operation of this ticket (e.g. a
            # cancellation refunding to it) has not run yet: then the gate holds this one behind it,
            # and the store checks the balance again when a person approves.
            if not (error.code == "insufficient_gift_card_balance" and self.context.approvals):
                raise
        products = {pid: self.store.catalog.product(pid) for pid in products_needed(self.operation, order or {})}
        amount = operation_amount(self.operation, arguments, order=order, products=products)
        approval = gate.review(
            ctx=self.context, operation=self.operation, arguments=arguments, amount=amount, idempotency_key=key
        )
        if approval is None:
            return None
        self._record(arguments, "pending_approval", approval_id=approval.id)
        with self.context._lock:
            self.context.approvals.append(approval)
        return WritePending(
            operation=self.operation,
            approval_id=approval.id,
            amount=amount,
            message=f"Held for human approval ({approval.reason}). Nothing has changed yet: tell the "
            "customer the request is awaiting approval; do not call this tool again.",
        )

    def _record(
        self, arguments: dict[str, Any], status: str, *, error: str | None = None, approval_id: str | None = None
    ) -> None:
        self.context.record_action(
            ActionRecord(name=self.operation, arguments=arguments, status=status, error=error, approval_id=approval_id)
        )


class OrderWriteTool(StoreWriteTool):
    """An operation on one of the customer's orders, optionally with one of their payment methods."""

    def authorize(self, arguments: dict[str, Any]) -> dict[str, Any]:
        order = self.owned_order(arguments["order_id"])
        if "payment_method_id" in arguments:
            self.require_own_payment_method(arguments["payment_method_id"])
        return order
