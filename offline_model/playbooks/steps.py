"""What every intent playbook shares: the unit of work, the step a playbook answers with, the
context it reads (granted tools, tool results, the ticket), and the moves they have in common:
read an order or the customer, issue a write once and read its outcome, pick a payment method."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from offline_model.playbooks.assignment import Assignment
from offline_model.playbooks.facts import MAX_ATTEMPTS, Facts, original_payment
from offline_model.protocol import ToolCall
from offline_model.replies.render import item_label, join_words, say
from offline_model.schema import RequestResult
from offline_model.understanding import extract
from offline_model.understanding import matching
from offline_model.understanding.ticket import TicketView, remembered_payment


@dataclass
class Unit:
    """One request applied to one order (or to none)."""

    number: int
    intent: str
    order_id: str | None
    text: str


@dataclass
class Step:
    """A playbook's answer for one unit."""

    reads: list[ToolCall] = field(default_factory=list)  # needed before deciding
    write: ToolCall | None = None  # ready to change the store
    companions: list[ToolCall] = field(default_factory=list)  # reads that may go out with the write
    result: RequestResult | None = None


@dataclass
class Context:
    tools: set[str]
    facts: Facts
    ticket: TicketView
    language: str
    assignment: Assignment
    units: list[Unit]
    extra_text: str = ""  # the delegated task's own words, when the ticket layout is missing

    def has(self, tool: str) -> bool:
        return tool in self.tools

    @property
    def remembered(self) -> list[extract.PaymentRef]:
        return remembered_payment(self.ticket)


def unique(calls: list[ToolCall]) -> list[ToolCall]:
    out: list[ToolCall] = []
    for call in calls:
        if call not in out:
            out.append(call)
    return out


def result(unit: Unit, status: str, reply: str, detail: str = "", **extra: Any) -> RequestResult:
    return RequestResult(request=unit.number, intent=unit.intent, order_id=unit.order_id, status=status,
                         reply=reply, detail=detail, **extra)


def need_order(unit: Unit, ctx: Context) -> Step | dict[str, Any]:
    """The unit's order, or the step that gets it (or ends the unit when it can't be had)."""
    order_id = unit.order_id
    if order_id in ctx.facts.orders:
        return ctx.facts.orders[order_id]
    if order_id in ctx.facts.order_errors:
        return Step(result=order_error(unit, ctx, ctx.facts.order_errors[order_id]))
    if not ctx.has("get_order_details"):
        return Step(result=result(unit, "failed", say("failed", ctx.language), "get_order_details not granted"))
    attempts = ctx.facts.calls("get_order_details", order_id=order_id)
    if len(attempts) >= MAX_ATTEMPTS:
        return Step(result=result(unit, "failed", say("failed", ctx.language), "order lookup keeps failing"))
    return Step(reads=[ToolCall("get_order_details", {"order_id": order_id})])


def need_customer(unit: Unit, ctx: Context) -> Step | None:
    """Reads the customer's details (payment methods) when they are not known yet."""
    if ctx.facts.customer is not None or not ctx.has("get_customer_details"):
        return None
    if ctx.facts.customer_error is not None:
        return None
    if len(ctx.facts.calls("get_customer_details")) >= MAX_ATTEMPTS:
        return None
    return Step(reads=[ToolCall("get_customer_details", {"customer_id": ctx.facts.customer_id})])


def order_error(unit: Unit, ctx: Context, error: dict[str, Any]) -> RequestResult:
    code = str(error.get("code", ""))
    message = str(error.get("message", ""))
    if code in {"not_your_customer", "one_customer_per_ticket"}:
        return result(unit, "refused", say("order.foreign", ctx.language, order=unit.order_id), f"{code}: {message}")
    if "not_found" in code or code in {"unknown_order", "order_not_found"}:
        return result(unit, "needs_info", say("order.not_found", ctx.language, order=unit.order_id), f"{code}: {message}")
    if code == "read_only":
        return result(unit, "refused", say("refused.injection", ctx.language), message)
    return result(unit, "failed", say("failed", ctx.language), f"{code}: {message}")


STATUS_WORD = re.compile(r"\b(pending \(item modified\)|pending|processed|delivered|cancelled|canceled|return requested|exchange requested|shipped)\b", re.IGNORECASE)


def write_step(unit: Unit, ctx: Context, call: ToolCall, companions: list[ToolCall] | None = None,
                on_done: Callable[[dict[str, Any]], Step | RequestResult] | None = None,
                on_error: Callable[[dict[str, Any]], RequestResult | None] | None = None,
                on_approval: Callable[[dict[str, Any]], RequestResult] | None = None) -> Step:
    """Issue a write once; afterwards turn its result into the unit's end."""
    if not ctx.has(call.name):
        # the manager re-delegates this request to a coworker who holds the tool
        return Step(result=result(unit, "failed", say("failed", ctx.language), f"{call.name} not granted", reroute=call.name))
    done = ctx.facts.settled(call.name, **call.arguments)  # a retried write has the same arguments
    if done is None:
        return Step(write=call, companions=companions or [])
    data = done.data if isinstance(done.data, dict) else {}
    error = done.error
    if error:
        handled = on_error(error) if on_error else None
        if handled is not None:
            return Step(result=handled)
        return Step(result=generic_write_error(unit, ctx, error))
    if data.get("status") == "pending_approval":
        if on_approval:
            return Step(result=on_approval(data))
        return Step(result=result(unit, "pending_approval", say("approval.note", ctx.language), f"{call.name} awaiting approval"))
    outcome = on_done(data) if on_done else result(unit, "done", "", f"{call.name} done")
    return outcome if isinstance(outcome, Step) else Step(result=outcome)


def generic_write_error(unit: Unit, ctx: Context, error: dict[str, Any]) -> RequestResult:
    code = str(error.get("code", ""))
    message = str(error.get("message", ""))
    if code in {"not_your_customer", "one_customer_per_ticket"}:
        return result(unit, "refused", say("order.foreign", ctx.language, order=unit.order_id), f"{code}: {message}")
    if code == "read_only":
        return result(unit, "refused", say("refused.injection", ctx.language), message)
    if "not_found" in code and unit.order_id:
        return result(unit, "needs_info", say("order.not_found", ctx.language, order=unit.order_id), f"{code}: {message}")
    if code in {"not_authenticated"}:
        return result(unit, "needs_info", say("identity.needed", ctx.language), message)
    return result(unit, "failed", say("failed", ctx.language), f"{code}: {message}")


def status_from(error: dict[str, Any], fallback: str = "no longer pending") -> str:
    match = STATUS_WORD.search(str(error.get("message", "")))
    return match.group(1).lower().replace("canceled", "cancelled") if match else fallback


def resolve_order(unit: Unit, ctx: Context, statuses: tuple[str, ...]) -> Step | str:
    """The order a request means when it names none: the customer's only order of a fitting
    status that holds an item the text names - or, when the text names no item, their only order
    of a fitting status ('please cancel my order' with one pending order)."""
    if unit.order_id:
        return unit.order_id
    if not ctx.has("list_customer_orders"):
        return Step(result=result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))
    if ctx.facts.customer_orders is None:
        if len(ctx.facts.calls("list_customer_orders")) >= MAX_ATTEMPTS:
            return Step(result=result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))
        return Step(reads=[ToolCall("list_customer_orders", {"customer_id": ctx.facts.customer_id})])
    fitting, in_status = [], []
    for order in ctx.facts.customer_orders:
        if statuses and order.get("status") not in statuses:
            continue
        in_status.append(order["order_id"])
        names = [item.get("name", "") for item in order.get("items") or []]
        if matching.item_mentions(unit.text, names):
            fitting.append(order["order_id"])
    named_any = any(matching.item_mentions(unit.text, [i.get("name", "") for i in o.get("items") or []])
                    for o in ctx.facts.customer_orders)
    if not fitting and not named_any and len(in_status) == 1:
        fitting = in_status
    if len(fitting) == 1:
        unit.order_id = fitting[0]
        return fitting[0]
    return Step(result=result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))


def payment_choice(unit: Unit, ctx: Context, order: dict[str, Any], *, current: str | None = None,
                    use_default: bool = True) -> matching.Match:
    methods = ctx.facts.payment_methods
    original = original_payment(order)
    refs = extract.payment_refs(unit.text)
    choice = matching.select_payment(refs, methods, original_id=original, current_id=current)
    if choice.problem == "missing" and use_default:
        remembered = matching.select_payment(ctx.remembered, methods, original_id=original)
        if remembered.ok:
            return remembered
        return matching.Match(value=original, extra={"default": True})
    return choice


def methods_text(ctx: Context) -> str:
    return join_words([matching.describe_method(m.get("id"), ctx.facts.payment_methods).replace("your ", "") for m in ctx.facts.payment_methods], ctx.language)


def which_item(unit: Unit, ctx: Context, order: dict[str, Any]) -> RequestResult:
    items = join_words([item_label(i, with_options=True) for i in order.get("items") or []], ctx.language)
    return result(unit, "needs_info", say("items.which_item", ctx.language, order=unit.order_id, items=items),
                   "could not tell which item is meant")


def payment_problem(unit: Unit, ctx: Context, choice: matching.Match) -> RequestResult:
    if choice.problem == "missing":
        return result(unit, "needs_info", say("payment.which", ctx.language, order=unit.order_id, methods=methods_text(ctx)), "payment method missing")
    return result(unit, "needs_info", say("payment.unknown", ctx.language, described=f"the {choice.detail}", methods=methods_text(ctx)),
                   f"payment method '{choice.detail}' {choice.problem}")


def order_with_customer(unit: Unit, ctx: Context, statuses: tuple[str, ...]) -> Step | dict[str, Any]:
    """The order a request acts on, once the customer is known: the next read to make (the order
    and the customer's details in one answer when both are missing), or the order itself."""
    resolved = resolve_order(unit, ctx, statuses)
    if isinstance(resolved, Step):
        return resolved
    order = need_order(unit, ctx)
    need = need_customer(unit, ctx)
    if isinstance(order, Step):
        if need is not None and order.result is None:
            order.reads += need.reads
        return order
    if need is not None:
        return need
    return order
