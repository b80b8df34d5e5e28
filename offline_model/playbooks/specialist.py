"""A specialist's next step: which tools to call now, or the final report.

The delegated requests are split into units (one per order a request names). Each unit runs its
intent's playbook over what the tool results say so far, and answers with reads it needs, a write
it is ready for, or how it ended. Reads of all units go out together; writes go one at a time,
because the order of effects matters (a payment change before an item change on the same order;
one gift card debited by two operations). The customer is identified before anything else."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from offline_model.playbooks.assignment import Assignment, AssignedRequest
from offline_model.playbooks.facts import FIND_TOOLS, MAX_ATTEMPTS, Facts, original_payment, paid_total
from offline_model.protocol import ToolCall
from offline_model.replies.render import address_text, item_label, join_words, money, say
from offline_model.schema import RequestResult, SpecialistReport
from offline_model.understanding import extract
from offline_model.understanding import intents as I
from offline_model.understanding import matching
from offline_model.understanding.options import describe, option_space
from offline_model.understanding.ticket import TicketView, identity_attempts, remembered_payment


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


Decision = list[ToolCall] | SpecialistReport

IDENTITY_FREE = {I.TROUBLE, I.POLICY, I.HUMAN, I.ABUSE, I.LEGAL, I.REVIEW}


def units_of(assignment: Assignment) -> list[Unit]:
    units: list[Unit] = []
    for request in assignment.requests:
        order_ids = request.order_ids or extract.order_ids(request.text)
        if request.intent in (I.USER_ADDRESS, I.PRODUCT, I.TROUBLE, I.POLICY, *I.ESCALATIONS) or not order_ids:
            units.append(Unit(request.number, request.intent, order_ids[0] if order_ids else None, request.text))
            continue
        for order_id in order_ids:
            units.append(Unit(request.number, request.intent, order_id, request.text))
    return units


def needs_identity(unit: Unit) -> bool:
    if unit.intent in IDENTITY_FREE:
        return False
    if unit.intent == I.PRODUCT:
        return unit.order_id is not None
    return True


def decide(tools: set[str], facts: Facts, ticket: TicketView, assignment: Assignment) -> Decision:
    """The next tool calls, or the report when every unit has ended."""
    units = units_of(assignment)
    extra = "" if ticket.structured else "\n\n".join(r.text for r in assignment.requests)
    ctx = Context(tools, facts, ticket, assignment.language, assignment, units, extra)
    identity = _identify(ctx)
    if isinstance(identity, list):
        # while the customer is being identified, fetch what needs no identity
        free = [call for unit in units if not needs_identity(unit) for call in PLAYBOOKS[unit.intent](unit, ctx).reads]
        return _unique(identity + free + _catalog_prefetch(ctx))
    steps: list[tuple[Unit, Step]] = []
    for unit in units:
        if needs_identity(unit) and not facts.customer_id:
            steps.append((unit, Step(result=identity or _result(unit, "needs_info", say("identity.needed", ctx.language), "no identity"))))
            continue
        steps.append((unit, PLAYBOOKS[unit.intent](unit, ctx)))
    greeting = _name_read(ctx)
    reads = _unique([call for _, step in steps for call in step.reads])
    if reads:
        return _unique(reads + greeting)
    writes = [(unit, step) for unit, step in steps if step.write is not None]
    if writes:
        batch = _write_batch(writes)
        return _unique([s.write for s in batch] + [c for s in batch for c in s.companions] + greeting)
    return _report(ctx, [step.result for _, step in steps if step.result is not None])


def _unique(calls: list[ToolCall]) -> list[ToolCall]:
    out: list[ToolCall] = []
    for call in calls:
        if call not in out:
            out.append(call)
    return out


_WRITE_PRIORITY = {
    "modify_pending_order_payment": 0, "modify_pending_order_address": 0, "modify_user_address": 0,
    "cancel_pending_order": 1, "return_delivered_order_items": 1,
    "modify_pending_order_items": 2, "exchange_delivered_order_items": 2, "escalate_to_human": 3,
}


def _write_batch(writes: list[tuple[Unit, Step]]) -> list[Step]:
    """Writes that may go out together: CrewAI runs a response's tool calls in parallel, and the
    store applies each write atomically, so writes on different orders commute - unless a gift
    card pays for one of them (another write may first have to credit that card)."""
    _, first = _first_write(writes)
    batch = [first]
    if _uses_gift_card(first.write):
        return batch
    orders = {first.write.arguments.get("order_id")}
    for _, step in writes:
        if step is first or step.write is None or step.write.name == "escalate_to_human":
            continue
        order_id = step.write.arguments.get("order_id")
        if order_id in orders or _uses_gift_card(step.write):
            continue
        if any(step.write.arguments.get("order_id") == other.write.arguments.get("order_id")
               and _WRITE_PRIORITY.get(other.write.name, 9) < _WRITE_PRIORITY.get(step.write.name, 9)
               for _, other in writes if other is not step and other.write is not None):
            continue  # a payment or address change of this order goes first
        orders.add(order_id)
        batch.append(step)
    return batch


def _uses_gift_card(call: ToolCall | None) -> bool:
    return call is not None and str(call.arguments.get("payment_method_id", "")).startswith("gift_card")


def _first_write(writes: list[tuple[Unit, Step]]) -> tuple[Unit, Step]:
    """Writes in the customer's order, except that a payment or address change of an order goes
    before an item change of the same order (after an item change the order can't be modified)."""
    first_unit, first_step = writes[0]
    order_id = first_step.write.arguments.get("order_id") if first_step.write else None
    for unit, step in writes[1:]:
        if order_id and step.write and step.write.arguments.get("order_id") == order_id and (
            _WRITE_PRIORITY.get(step.write.name, 9) < _WRITE_PRIORITY.get(first_step.write.name, 9)
        ):
            return unit, step
    return first_unit, first_step


def _catalog_prefetch(ctx: Context) -> list[ToolCall]:
    """The catalog's product list, read alongside the identification when an item change will need
    product details: the products the customer names can then be read with their orders."""
    if ctx.facts.product_types is None and ctx.has("list_product_types") and not ctx.facts.calls("list_product_types") \
            and any(u.intent == I.CHANGE_ITEMS for u in ctx.units):
        return [ToolCall("list_product_types", {})]
    return []


def _named_products(unit: Unit, ctx: Context) -> list[ToolCall]:
    """get_product_details for the catalog products the text names (once the list is known)."""
    if not ctx.facts.product_types or not ctx.has("get_product_details"):
        return []
    names = [p.get("name", "") for p in ctx.facts.product_types]
    calls = []
    for mention in matching.item_mentions(unit.text, names):
        product = next((p for p in ctx.facts.product_types if p.get("name") == mention.name), None)
        pid = product.get("product_id") if product else None
        if pid and pid not in ctx.facts.products and pid not in ctx.facts.product_errors:
            calls.append(ToolCall("get_product_details", {"product_id": pid}))
    return calls


def _name_read(ctx: Context) -> list[ToolCall]:
    """The customer's details, to greet them by name, when known but not read yet: sent along
    with calls going out anyway, so it costs no model call."""
    facts = ctx.facts
    if facts.customer_id and not facts.customer_name and facts.customer is None and ctx.has("get_customer_details") \
            and not facts.calls("get_customer_details"):
        return [ToolCall("get_customer_details", {"customer_id": facts.customer_id})]
    return []


# --- identity ------------------------------------------------------------------------------------

def _identify(ctx: Context) -> list[ToolCall] | RequestResult | None:
    """Calls to identify the customer, or the reason it failed (None once known or not needed)."""
    facts = ctx.facts
    if facts.customer_id or not any(needs_identity(u) for u in ctx.units):
        return None
    tried_any = False
    for attempt in identity_attempts(ctx.ticket, ctx.extra_text):
        if not ctx.has(attempt.tool):
            continue
        calls = facts.calls(attempt.tool, **attempt.arguments)
        if not calls:
            return [ToolCall(attempt.tool, dict(attempt.arguments))]
        tried_any = True
        error = calls[-1].error
        if error and error.get("retryable") and len(calls) < MAX_ATTEMPTS:
            return [ToolCall(attempt.tool, dict(attempt.arguments))]
    key = "identity.not_found" if tried_any else "identity.needed"
    return RequestResult(request=0, intent="identity", status="needs_info", reply=say(key, ctx.language),
                         detail="could not identify the customer")


# --- shared helpers ------------------------------------------------------------------------------

def _result(unit: Unit, status: str, reply: str, detail: str = "", **extra: Any) -> RequestResult:
    return RequestResult(request=unit.number, intent=unit.intent, order_id=unit.order_id, status=status,
                         reply=reply, detail=detail, **extra)


def _need_order(unit: Unit, ctx: Context) -> Step | dict[str, Any]:
    """The unit's order, or the step that gets it (or ends the unit when it can't be had)."""
    order_id = unit.order_id
    if order_id in ctx.facts.orders:
        return ctx.facts.orders[order_id]
    if order_id in ctx.facts.order_errors:
        return Step(result=_order_error(unit, ctx, ctx.facts.order_errors[order_id]))
    if not ctx.has("get_order_details"):
        return Step(result=_result(unit, "failed", say("failed", ctx.language), "get_order_details not granted"))
    attempts = ctx.facts.calls("get_order_details", order_id=order_id)
    if len(attempts) >= MAX_ATTEMPTS:
        return Step(result=_result(unit, "failed", say("failed", ctx.language), "order lookup keeps failing"))
    return Step(reads=[ToolCall("get_order_details", {"order_id": order_id})])


def _need_customer(unit: Unit, ctx: Context) -> Step | None:
    """Reads the customer's details (payment methods) when they are not known yet."""
    if ctx.facts.customer is not None or not ctx.has("get_customer_details"):
        return None
    if ctx.facts.customer_error is not None:
        return None
    if len(ctx.facts.calls("get_customer_details")) >= MAX_ATTEMPTS:
        return None
    return Step(reads=[ToolCall("get_customer_details", {"customer_id": ctx.facts.customer_id})])


def _order_error(unit: Unit, ctx: Context, error: dict[str, Any]) -> RequestResult:
    code = str(error.get("code", ""))
    message = str(error.get("message", ""))
    if code in {"not_your_customer", "one_customer_per_ticket"}:
        return _result(unit, "refused", say("order.foreign", ctx.language, order=unit.order_id), f"{code}: {message}")
    if "not_found" in code or code in {"unknown_order", "order_not_found"}:
        return _result(unit, "needs_info", say("order.not_found", ctx.language, order=unit.order_id), f"{code}: {message}")
    if code == "read_only":
        return _result(unit, "refused", say("refused.injection", ctx.language), message)
    return _result(unit, "failed", say("failed", ctx.language), f"{code}: {message}")


_STATUS_WORD = re.compile(r"\b(pending \(item modified\)|pending|processed|delivered|cancelled|canceled|return requested|exchange requested|shipped)\b", re.IGNORECASE)


def _write_step(unit: Unit, ctx: Context, call: ToolCall, companions: list[ToolCall] | None = None,
                on_done: Callable[[dict[str, Any]], Step | RequestResult] | None = None,
                on_error: Callable[[dict[str, Any]], RequestResult | None] | None = None,
                on_approval: Callable[[dict[str, Any]], RequestResult] | None = None) -> Step:
    """Issue a write once; afterwards turn its result into the unit's end."""
    if not ctx.has(call.name):
        # the manager re-delegates this request to a coworker who holds the tool
        return Step(result=_result(unit, "failed", say("failed", ctx.language), f"{call.name} not granted", reroute=call.name))
    done = ctx.facts.settled(call.name, **_identity_args(call))
    if done is None:
        return Step(write=call, companions=companions or [])
    data = done.data if isinstance(done.data, dict) else {}
    error = done.error
    if error:
        handled = on_error(error) if on_error else None
        if handled is not None:
            return Step(result=handled)
        return Step(result=_generic_write_error(unit, ctx, error))
    if data.get("status") == "pending_approval":
        if on_approval:
            return Step(result=on_approval(data))
        return Step(result=_result(unit, "pending_approval", say("approval.note", ctx.language), f"{call.name} awaiting approval"))
    outcome = on_done(data) if on_done else _result(unit, "done", "", f"{call.name} done")
    return outcome if isinstance(outcome, Step) else Step(result=outcome)


def _identity_args(call: ToolCall) -> dict[str, Any]:
    """The arguments that identify a write (a retried write is recognised by them)."""
    return dict(call.arguments)


def _generic_write_error(unit: Unit, ctx: Context, error: dict[str, Any]) -> RequestResult:
    code = str(error.get("code", ""))
    message = str(error.get("message", ""))
    if code in {"not_your_customer", "one_customer_per_ticket"}:
        return _result(unit, "refused", say("order.foreign", ctx.language, order=unit.order_id), f"{code}: {message}")
    if code == "read_only":
        return _result(unit, "refused", say("refused.injection", ctx.language), message)
    if "not_found" in code and unit.order_id:
        return _result(unit, "needs_info", say("order.not_found", ctx.language, order=unit.order_id), f"{code}: {message}")
    if code in {"not_authenticated"}:
        return _result(unit, "needs_info", say("identity.needed", ctx.language), message)
    return _result(unit, "failed", say("failed", ctx.language), f"{code}: {message}")


def _status_from(error: dict[str, Any], fallback: str = "no longer pending") -> str:
    match = _STATUS_WORD.search(str(error.get("message", "")))
    return match.group(1).lower().replace("canceled", "cancelled") if match else fallback


def _resolve_order(unit: Unit, ctx: Context, statuses: tuple[str, ...]) -> Step | str:
    """The order a request means when it names none: the customer's only order of a fitting
    status that holds an item the text names."""
    if unit.order_id:
        return unit.order_id
    if not ctx.has("list_customer_orders"):
        return Step(result=_result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))
    if ctx.facts.customer_orders is None:
        if len(ctx.facts.calls("list_customer_orders")) >= MAX_ATTEMPTS:
            return Step(result=_result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))
        return Step(reads=[ToolCall("list_customer_orders", {"customer_id": ctx.facts.customer_id})])
    fitting = []
    for order in ctx.facts.customer_orders:
        if statuses and order.get("status") not in statuses:
            continue
        names = [item.get("name", "") for item in order.get("items") or []]
        if matching.item_mentions(unit.text, names):
            fitting.append(order["order_id"])
    if len(fitting) == 1:
        unit.order_id = fitting[0]
        return fitting[0]
    return Step(result=_result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))


def _payment_choice(unit: Unit, ctx: Context, order: dict[str, Any], *, current: str | None = None,
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


def _methods_text(ctx: Context) -> str:
    return join_words([matching.describe_method(m.get("id"), ctx.facts.payment_methods).replace("your ", "") for m in ctx.facts.payment_methods], ctx.language)


# --- playbooks -----------------------------------------------------------------------------------

def cancel(unit: Unit, ctx: Context) -> Step:
    resolved = _resolve_order(unit, ctx, ("pending",))
    if isinstance(resolved, Step):
        return resolved
    reason = extract.cancel_reason(unit.text)
    if reason is None and sum(1 for u in ctx.units if u.intent == I.CANCEL) == 1:
        reason = extract.cancel_reason(ctx.ticket.customer_text, any_cause=False)
    if reason is None:
        order = _need_order(unit, ctx)
        if isinstance(order, Step):
            return order
        if order.get("status") != "pending":
            return Step(result=_not_pending(unit, ctx, order.get("status", "")))
        return Step(result=_result(unit, "needs_info", say("cancel.need_reason", ctx.language, order=unit.order_id),
                                   "cancellation reason missing"))
    companions = []
    need = _need_customer(unit, ctx)
    if need is not None:
        companions = need.reads

    def done(data: dict[str, Any]) -> RequestResult:
        order = data.get("order") or {}
        lines = [say("cancel.done", ctx.language, order=unit.order_id, reason=reason)]
        for entry in order.get("payment_history") or []:
            if entry.get("transaction_type") != "payment":
                continue
            method_id = entry.get("payment_method_id")
            key = "cancel.refund_gift_card" if str(method_id).startswith("gift_card") else "cancel.refund"
            lines.append(say(key, ctx.language, amount=money(entry.get("amount", 0)),
                             method=matching.describe_method(method_id, ctx.facts.payment_methods)))
        return _result(unit, "done", " ".join(lines), f"cancelled {unit.order_id} ({reason})")

    def error(err: dict[str, Any]) -> RequestResult | None:
        code = str(err.get("code"))
        if code in {"order_not_pending", "invalid_status", "not_pending"}:
            return _not_pending(unit, ctx, _status_from(err))
        if code == "invalid_reason":
            return _result(unit, "needs_info", say("cancel.need_reason", ctx.language, order=unit.order_id), err.get("message", ""))
        return None

    def approval(data: dict[str, Any]) -> RequestResult:
        return _result(unit, "pending_approval", say("cancel.pending_approval", ctx.language, order=unit.order_id),
                       f"cancellation of {unit.order_id} awaiting approval {data.get('approval_id', '')}")

    return _write_step(unit, ctx, ToolCall("cancel_pending_order", {"order_id": unit.order_id, "reason": reason}),
                       companions, done, error, approval)


def _not_pending(unit: Unit, ctx: Context, status: str) -> RequestResult:
    reply = say("cancel.not_pending", ctx.language, order=unit.order_id, status=status)
    if status == "delivered" and ctx.language == "en":
        reply += say("cancel.not_pending_delivered")
    return _result(unit, "refused", reply, f"{unit.order_id} is {status}")


def return_items(unit: Unit, ctx: Context) -> Step:
    resolved = _resolve_order(unit, ctx, ("delivered",))
    if isinstance(resolved, Step):
        return resolved
    order = _need_order(unit, ctx)
    need = _need_customer(unit, ctx)
    if isinstance(order, Step):
        if need is not None and order.result is None:
            order.reads += need.reads
        return order
    if need is not None:
        return need
    status = order.get("status", "")
    if status != "delivered":
        reply = say("return.not_delivered", ctx.language, order=unit.order_id, status=status)
        if status == "pending":
            reply += say("return.not_delivered_pending", ctx.language)
        return Step(result=_result(unit, "refused", reply, f"return refused: {unit.order_id} is {status}"))
    selection = matching.select_items(unit.text, order.get("items") or [])
    if not selection.ok:
        return Step(result=_which_item(unit, ctx, order))
    items = selection.value
    original = original_payment(order)
    choice = _payment_choice(unit, ctx, order)
    if not choice.ok:
        return Step(result=_payment_problem(unit, ctx, choice))
    method_id = choice.value
    method = next((m for m in ctx.facts.payment_methods if m.get("id") == method_id), {})
    if method_id != original and method.get("source") != "gift_card" and not str(method_id).startswith("gift_card"):
        return Step(result=_result(unit, "needs_info", say(
            "return.bad_method", ctx.language, original=matching.describe_method(original, ctx.facts.payment_methods).replace("your ", "")),
            "refund method must be the original one or a gift card"))
    item_ids = [item["item_id"] for item in items]
    call = ToolCall("return_delivered_order_items", {"order_id": unit.order_id, "item_ids": item_ids, "payment_method_id": method_id})
    amount = round(sum(float(item.get("price", 0)) for item in items), 2)
    labels = join_words([item_label(i) for i in items], ctx.language)

    def done(data: dict[str, Any]) -> RequestResult:
        reply = say("return.done", ctx.language, items=labels, order=unit.order_id, amount=money(amount),
                    method=matching.describe_method(method_id, ctx.facts.payment_methods))
        return _result(unit, "done", reply, f"return of {', '.join(item_ids)} from {unit.order_id} to {method_id}")

    def error(err: dict[str, Any]) -> RequestResult | None:
        code = str(err.get("code"))
        if code in {"order_not_delivered", "invalid_status"}:
            return _result(unit, "refused", say("return.not_delivered", ctx.language, order=unit.order_id, status=_status_from(err, "not delivered")), err.get("message", ""))
        if code in {"payment_method_invalid"}:
            return _result(unit, "needs_info", say("return.bad_method", ctx.language, original=matching.describe_method(original, ctx.facts.payment_methods).replace("your ", "")), err.get("message", ""))
        if code == "item_not_in_order":
            return _which_item(unit, ctx, order)
        return None

    def approval(data: dict[str, Any]) -> RequestResult:
        return _result(unit, "pending_approval", say("return.pending_approval", ctx.language, items=labels, order=unit.order_id),
                       f"return from {unit.order_id} awaiting approval {data.get('approval_id', '')}")

    return _write_step(unit, ctx, call, None, done, error, approval)


def _which_item(unit: Unit, ctx: Context, order: dict[str, Any]) -> RequestResult:
    items = join_words([item_label(i, with_options=True) for i in order.get("items") or []], ctx.language)
    return _result(unit, "needs_info", say("items.which_item", ctx.language, order=unit.order_id, items=items),
                   "could not tell which item is meant")


def _payment_problem(unit: Unit, ctx: Context, choice: matching.Match) -> RequestResult:
    if choice.problem == "missing":
        return _result(unit, "needs_info", say("payment.which", ctx.language, order=unit.order_id, methods=_methods_text(ctx)), "payment method missing")
    return _result(unit, "needs_info", say("payment.unknown", ctx.language, described=f"the {choice.detail}", methods=_methods_text(ctx)),
                   f"payment method '{choice.detail}' {choice.problem}")


def change_items(unit: Unit, ctx: Context) -> Step:
    resolved = _resolve_order(unit, ctx, ("pending", "delivered"))
    if isinstance(resolved, Step):
        return resolved
    order = _need_order(unit, ctx)
    need = _need_customer(unit, ctx)
    if isinstance(order, Step):
        if order.result is None:
            order.reads += (need.reads if need is not None else []) + _named_products(unit, ctx)
        return order
    if need is not None:
        return need
    status = order.get("status", "")
    if status == "pending":
        tool = "modify_pending_order_items"
    elif status == "delivered":
        tool = "exchange_delivered_order_items"
    elif status.startswith("pending"):
        return Step(result=_result(unit, "refused", say("items.already_modified", ctx.language, order=unit.order_id), f"{unit.order_id} is {status}"))
    else:
        return Step(result=_result(unit, "refused", say("items.not_changeable", ctx.language, order=unit.order_id, status=status), f"{unit.order_id} is {status}"))
    if not ctx.has(tool):
        # known before reading products: the manager hands the request to a coworker who has the tool
        return Step(result=_result(unit, "failed", say("failed", ctx.language), f"{tool} not granted", reroute=tool))
    specs = matching.change_specs(unit.text, order.get("items") or [])
    if isinstance(specs, matching.Match) or not specs:
        return Step(result=_which_item(unit, ctx, order))
    missing = _unique([ToolCall("get_product_details", {"product_id": item["product_id"]}) for item, _ in specs
                       if item.get("product_id") not in ctx.facts.products and item.get("product_id") not in ctx.facts.product_errors])
    if missing:
        if not ctx.has("get_product_details"):
            return Step(result=_result(unit, "failed", say("failed", ctx.language), "get_product_details not granted"))
        return Step(reads=missing)
    old_ids: list[str] = []
    new_ids: list[str] = []
    changes: list[str] = []
    difference = 0.0
    for item, segment in specs:
        product = ctx.facts.products.get(item.get("product_id"))
        if product is None:
            return Step(result=_result(unit, "failed", say("failed", ctx.language), "product lookup failed"))
        variant = matching.select_variant(segment, item, product)
        if not variant.ok:
            return Step(result=_variant_problem(unit, ctx, item, product, variant))
        old_ids.append(item["item_id"])
        new_ids.append(variant.value["item_id"])
        difference += float(variant.value.get("price", 0)) - float(item.get("price", 0))
        changed = {k: v for k, v in variant.value["options"].items() if item["options"].get(k) != v}
        changes.append(f"{item_label(item)} ({describe(item['options'])}) for the version with {describe(changed)}")
    difference = round(difference, 2)
    choice = _payment_choice(unit, ctx, order)
    if not choice.ok:
        return Step(result=_payment_problem(unit, ctx, choice))
    method_id = choice.value
    # a gift card's balance is checked by the store itself: the balance read earlier may be stale
    call = ToolCall(tool, {"order_id": unit.order_id, "item_ids": old_ids, "new_item_ids": new_ids, "payment_method_id": method_id})
    change_text = join_words(changes, ctx.language)
    described = matching.describe_method(method_id, ctx.facts.payment_methods)
    if difference > 0:
        diff_text = say("items.difference_charge", ctx.language, amount=money(difference), method=described)
    elif difference < 0:
        diff_text = say("items.difference_refund", ctx.language, amount=money(-difference), method=described)
    else:
        diff_text = say("items.difference_none", ctx.language)

    def done(data: dict[str, Any]) -> RequestResult:
        key = "exchange.done" if tool.startswith("exchange") else "modify.done"
        return _result(unit, "done", say(key, ctx.language, order=unit.order_id, changes=change_text, difference=diff_text).strip(),
                       f"{tool} {unit.order_id}: {old_ids} -> {new_ids}, difference {difference} via {method_id}")

    def error(err: dict[str, Any]) -> RequestResult | None:
        code = str(err.get("code"))
        if code == "insufficient_gift_card_balance":
            return _result(unit, "needs_info", say("payment.insufficient", ctx.language, methods=_methods_text(ctx)), err.get("message", ""))
        if code in {"order_not_pending", "order_not_delivered", "invalid_status"}:
            return _result(unit, "refused", say("items.not_changeable", ctx.language, order=unit.order_id, status=_status_from(err)), err.get("message", ""))
        if code in {"variant_unavailable"}:
            return _result(unit, "needs_info", say("items.unavailable", ctx.language, product="item", wanted="those options"), err.get("message", ""))
        if code == "payment_method_invalid":
            return _result(unit, "needs_info", say("payment.which", ctx.language, order=unit.order_id, methods=_methods_text(ctx)), err.get("message", ""))
        return None

    def approval(data: dict[str, Any]) -> RequestResult:
        return _result(unit, "pending_approval", say("items.pending_approval", ctx.language, order=unit.order_id, changes=change_text),
                       f"{tool} {unit.order_id} awaiting approval {data.get('approval_id', '')}")

    return _write_step(unit, ctx, call, None, done, error, approval)


def _variant_problem(unit: Unit, ctx: Context, item: dict[str, Any], product: dict[str, Any], variant: matching.Match) -> RequestResult:
    name = product.get("name", item.get("name", "item"))
    variants = [v for v in (product.get("variants") or {}).values() if v.get("available")]
    space = option_space(variants)
    choices = "; ".join(f"{key}: {', '.join(sorted(values))}" for key, values in space.items())
    if variant.problem == "unavailable":
        reply = say("items.unavailable", ctx.language, product=name, wanted=variant.detail) + " " + say(
            "items.which_version", ctx.language, product=name, choices=f"Available options: {choices}.")
    elif variant.problem == "no_such_variant":
        reply = say("items.no_such_version", ctx.language, product=name, wanted=variant.detail, choices=choices)
    elif variant.problem == "ambiguous":
        options = [describe({k: v for k, v in c["options"].items()}) for c in variant.extra.get("variants", [])][:4]
        reply = say("items.which_version", ctx.language, product=name, choices="For example: " + "; or ".join(options) + ".")
    else:
        reply = say("items.which_version", ctx.language, product=name, choices=f"Available options: {choices}.")
    return _result(unit, "needs_info", reply, f"variant {variant.problem}: {variant.detail}")


def order_address(unit: Unit, ctx: Context) -> Step:
    resolved = _resolve_order(unit, ctx, ("pending",))
    if isinstance(resolved, Step):
        return resolved
    address = _address_for(unit, ctx, I.ORDER_ADDRESS)
    if address is None:
        return Step(result=_result(unit, "needs_info", say("address.missing", ctx.language, order=unit.order_id), "no complete address"))
    call = ToolCall("modify_pending_order_address", {"order_id": unit.order_id, **address.as_kwargs()})

    def done(data: dict[str, Any]) -> RequestResult:
        return _result(unit, "done", say("address.done", ctx.language, order=unit.order_id, address=address_text(address.as_kwargs())),
                       f"shipping address of {unit.order_id} changed")

    def error(err: dict[str, Any]) -> RequestResult | None:
        if str(err.get("code")) in {"order_not_pending", "invalid_status"}:
            return _result(unit, "refused", say("address.not_pending", ctx.language, order=unit.order_id, status=_status_from(err)), err.get("message", ""))
        return None

    return _write_step(unit, ctx, call, None, done, error)


def _address_for(unit: Unit, ctx: Context, intent: str) -> extract.Address | None:
    found = extract.addresses(unit.text)
    if not found and sum(1 for u in ctx.units if u.intent == intent) == 1:
        found = extract.addresses(ctx.ticket.customer_text)
    return found[-1] if found else None


def account_address(unit: Unit, ctx: Context) -> Step:
    address = _address_for(unit, ctx, I.USER_ADDRESS)
    if address is None:
        return Step(result=_result(unit, "needs_info", say("user_address.missing", ctx.language), "no complete address"))
    call = ToolCall("modify_user_address", {"user_id": ctx.facts.customer_id, **address.as_kwargs()})

    def done(data: dict[str, Any]) -> RequestResult:
        return _result(unit, "done", say("user_address.done", ctx.language, address=address_text(address.as_kwargs())),
                       "default address changed")

    return _write_step(unit, ctx, call, None, done)


def order_payment(unit: Unit, ctx: Context) -> Step:
    resolved = _resolve_order(unit, ctx, ("pending",))
    if isinstance(resolved, Step):
        return resolved
    order = _need_order(unit, ctx)
    need = _need_customer(unit, ctx)
    if isinstance(order, Step):
        if need is not None and order.result is None:
            order.reads += need.reads
        return order
    if need is not None:
        return need
    done_before = ctx.facts.settled("modify_pending_order_payment", order_id=unit.order_id)
    status = order.get("status", "")
    if status != "pending" and done_before is None:
        return Step(result=_result(unit, "refused", say("payment.not_pending", ctx.language, order=unit.order_id, status=status), f"{unit.order_id} is {status}"))
    current = original_payment(order)
    choice = _payment_choice(unit, ctx, order, current=current, use_default=False)
    if not choice.ok:
        return Step(result=_payment_problem(unit, ctx, choice))
    method_id = choice.value
    if method_id == current and done_before is None:
        return Step(result=_result(unit, "needs_info", say("payment.same", ctx.language, order=unit.order_id,
                                                           method=matching.describe_method(method_id, ctx.facts.payment_methods)),
                                   "already paid with that method"))
    amount = paid_total(order)
    call = ToolCall("modify_pending_order_payment", {"order_id": unit.order_id, "payment_method_id": method_id})

    def done(data: dict[str, Any]) -> RequestResult:
        return _result(unit, "done", say("payment.done", ctx.language, order=unit.order_id,
                                         method=matching.describe_method(method_id, ctx.facts.payment_methods),
                                         amount=money(amount), old_method=matching.describe_method(current, ctx.facts.payment_methods)),
                       f"payment of {unit.order_id} moved to {method_id}")

    def error(err: dict[str, Any]) -> RequestResult | None:
        code = str(err.get("code"))
        if code in {"order_not_pending", "invalid_status"}:
            return _result(unit, "refused", say("payment.not_pending", ctx.language, order=unit.order_id, status=_status_from(err)), err.get("message", ""))
        if code in {"insufficient_gift_card_balance"}:
            return _result(unit, "needs_info", say("payment.insufficient", ctx.language, methods=_methods_text(ctx)), err.get("message", ""))
        if code in {"payment_method_invalid"}:
            return _result(unit, "needs_info", say("payment.which", ctx.language, order=unit.order_id, methods=_methods_text(ctx)), err.get("message", ""))
        return None

    return _write_step(unit, ctx, call, None, done, error)


_STATUS_NOTES = {
    "pending": " (it hasn't been processed or shipped yet)",
    "processed": " (it has been processed and is being prepared for shipping)",
    "delivered": "",
    "cancelled": "",
}


def order_status(unit: Unit, ctx: Context) -> Step:
    if unit.order_id is None:
        return _all_orders_status(unit, ctx)
    order = _need_order(unit, ctx)
    if isinstance(order, Step):
        return order
    status = order.get("status", "unknown")
    lines = [say("status.line", ctx.language, order=unit.order_id, status=status,
                 status_note=_STATUS_NOTES.get(status, "") if ctx.language == "en" else "")]
    if ctx.language == "en":
        items = join_words([item_label(i) for i in order.get("items") or []])
        if items:
            lines.append(say("status.items", "en", items=items))
    tracking_ids = [t for f in order.get("fulfillments") or [] for t in f.get("tracking_id") or []]
    if tracking_ids and ctx.language == "en":
        tracking = tracking_ids[0]
        carrier, latest = "", ""
        if ctx.has("track_shipment") and status not in ("pending", "cancelled"):
            done = ctx.facts.settled("track_shipment", tracking_id=tracking)
            if done is None:
                return Step(reads=[ToolCall("track_shipment", {"tracking_id": tracking})])
            info = done.data if isinstance(done.data, dict) else {}
            if done.ok:
                carrier = f" with {info['carrier']}" if info.get("carrier") else ""
                events = info.get("events") or []
                if events:
                    last = events[-1]
                    latest = f"; latest update: {last.get('status', '')}" + (f" in {last['location']}" if last.get("location") else "")
        lines.append(say("status.tracking", "en", tracking=tracking, carrier=carrier, latest=latest))
    return Step(result=_result(unit, "answered", " ".join(lines), f"{unit.order_id} is {status}"))


def _all_orders_status(unit: Unit, ctx: Context) -> Step:
    if not ctx.has("list_customer_orders"):
        return Step(result=_result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))
    if ctx.facts.customer_orders is None:
        return Step(reads=[ToolCall("list_customer_orders", {"customer_id": ctx.facts.customer_id})])
    orders = ctx.facts.customer_orders
    named = [o for o in orders if matching.item_mentions(unit.text, [i.get("name", "") for i in o.get("items") or []])]
    chosen = named or orders
    if not chosen or len(chosen) > 5:
        return Step(result=_result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))
    lines = [say("status.line", ctx.language, order=o["order_id"], status=o.get("status", ""), status_note="") for o in chosen]
    return Step(result=_result(unit, "answered", " ".join(lines), "status of the customer's orders"))


def billing(unit: Unit, ctx: Context) -> Step:
    if unit.order_id is None:
        return order_status(unit, ctx)
    order = _need_order(unit, ctx)
    if isinstance(order, Step):
        return order
    paid = paid_total(order)
    refunds = [e for e in order.get("payment_history") or [] if e.get("transaction_type") == "refund"]
    need = _need_customer(unit, ctx)
    if need is not None:
        return need
    refunded = ""
    if refunds:
        parts = [f"{money(e.get('amount', 0))} to {matching.describe_method(e.get('payment_method_id'), ctx.facts.payment_methods)}" for e in refunds]
        refunded = "; refunds: " + join_words(parts)
    lines = [say("billing.line", "en", order=unit.order_id, paid=money(paid), refunded=refunded)]
    lines.append(say("status.line", ctx.language, order=unit.order_id, status=order.get("status", ""), status_note=""))
    return Step(result=_result(unit, "answered", " ".join(lines), f"payments of {unit.order_id} explained"))


def product_question(unit: Unit, ctx: Context) -> Step:
    base: dict[str, str] | None = None
    product_ids: list[str] = []
    if unit.order_id and ctx.facts.customer_id:
        order = _need_order(unit, ctx)
        if isinstance(order, Step):
            if order.result is None:
                return order
        else:
            items = order.get("items") or []
            mentioned = matching.item_mentions(unit.text, [i.get("name", "") for i in items])
            for mention in mentioned:
                item = next(i for i in items if i.get("name") == mention.name)
                if item.get("product_id") not in product_ids:
                    product_ids.append(item["product_id"])
                    base = base or dict(item.get("options") or {})
    if not product_ids:
        if ctx.facts.product_types is None:
            if not ctx.has("list_product_types"):
                return Step(result=_result(unit, "failed", say("failed", ctx.language), "list_product_types not granted"))
            if len(ctx.facts.calls("list_product_types")) >= MAX_ATTEMPTS:
                return Step(result=_result(unit, "failed", say("failed", ctx.language), "catalog lookup keeps failing"))
            return Step(reads=[ToolCall("list_product_types", {})])
        names = [p.get("name", "") for p in ctx.facts.product_types]
        for mention in matching.item_mentions(unit.text, names):
            product = next(p for p in ctx.facts.product_types if p.get("name") == mention.name)
            if product.get("product_id") not in product_ids:
                product_ids.append(product["product_id"])
    if not product_ids:
        return Step(result=_result(unit, "needs_info", say("product.unknown", ctx.language, what="the product you mean"), "product not recognised"))
    missing = [ToolCall("get_product_details", {"product_id": pid}) for pid in product_ids
               if pid not in ctx.facts.products and pid not in ctx.facts.product_errors]
    if missing:
        return Step(reads=missing)
    lines: list[str] = []
    for pid in product_ids:
        product = ctx.facts.products.get(pid)
        if product is None:
            continue
        found = matching.matching_variants(unit.text, product, base)
        name = product.get("name", "product")
        if not found.ok:
            lines.append(say("product.unknown", ctx.language, what=f"the {name} with {found.detail}"))
            continue
        variants = sorted(found.value, key=lambda v: (not v.get("available"), float(v.get("price", 0))))
        if len(variants) <= 4:
            for variant in variants:
                lines.append(say("product.variant", ctx.language, product=name, options=describe(variant.get("options") or {}),
                                 price=money(float(variant.get("price", 0))),
                                 availability=say("product.available" if variant.get("available") else "product.unavailable", ctx.language)))
        else:
            prices = [float(v.get("price", 0)) for v in variants]
            keys = join_words(sorted({k for v in variants for k in (v.get("options") or {})}))
            lines.append(say("product.many", ctx.language, product=name, count=len(variants), low=money(min(prices)),
                             high=money(max(prices)), keys=keys))
    if not lines:
        return Step(result=_result(unit, "failed", say("failed", ctx.language), "product details unavailable"))
    return Step(result=_result(unit, "answered", " ".join(lines), "product question answered"))


def troubleshooting(unit: Unit, ctx: Context) -> Step:
    return _from_knowledge(unit, ctx, "trouble.answer", "trouble.none")


def policy_question(unit: Unit, ctx: Context) -> Step:
    return _from_knowledge(unit, ctx, "policy.answer", "policy.none")


def _from_knowledge(unit: Unit, ctx: Context, answer_key: str, none_key: str) -> Step:
    """Answer from the knowledge base, citing the document; without a passage, a human takes it."""
    if not ctx.has("search_knowledge_base"):
        return Step(result=_result(unit, "failed", say("failed", ctx.language), "search_knowledge_base not granted",
                                   reroute="search_knowledge_base"))
    query = knowledge_query(unit.text)
    done = ctx.facts.settled("search_knowledge_base", query=query)
    if done is None:
        return Step(reads=[ToolCall("search_knowledge_base", {"query": query, "top_k": 3})])
    data = done.data if isinstance(done.data, dict) else {}
    passages = [p for p in data.get("passages") or [] if isinstance(p, dict) and p.get("text")]
    if not passages:
        return escalate(Unit(unit.number, I.REVIEW, unit.order_id, unit.text), ctx,
                        reason=f"no knowledge-base answer for a {I.LABELS[unit.intent]}", reply_key=none_key)
    best = passages[0]
    steps = _passage_steps(str(best.get("text", "")))
    reply = say(answer_key, ctx.language, title=best.get("title") or best.get("document", "our guide"), steps=steps)
    reply += " " + say("trouble.source", ctx.language, document=best.get("document") or best.get("title", ""))
    return Step(result=_result(unit, "answered", reply, f"answered from {best.get('document')}", source=best.get("document")))


def _passage_steps(text: str, count: int = 4) -> str:
    """The first steps of a guide's passage: its bullet or numbered lines kept as a list, else its
    first sentences."""
    lines = [re.sub(r"^#+\s*", "", line).strip() for line in text.strip().splitlines()]
    steps = [re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", line) for line in lines if re.match(r"^(?:[-*•]|\d+[.)])\s+", line)]
    if steps:
        return "\n" + "\n".join(f"- {step}" for step in steps[:count])
    cleaned = " ".join(" ".join(lines).split())
    return " ".join(re.split(r"(?<=[.!?])\s+", cleaned)[:count])


def knowledge_query(text: str) -> str:
    """The customer's words without ids, addresses and pleasantries: what the search should match."""
    kept = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        cleaned = _EMAIL_OR_ID.sub(" ", sentence).strip(" -,")
        if len(cleaned.split()) >= 3 and not _PLEASANTRY.match(cleaned):
            kept.append(cleaned)
    query = " ".join(" ".join(kept).split()) or " ".join(text.split())
    return query[:400]


_EMAIL_OR_ID = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|#?\bW\d{7}\b|\border\b", re.IGNORECASE)
_PLEASANTRY = re.compile(r"^(?:hi|hello|hey|dear|thanks|thank\s+you|regards|best|cheers|kind\s+regards|sincerely)\b", re.IGNORECASE)


_ESCALATION = {
    I.HUMAN: ("customer asked for a human agent", "normal", "escalated.human"),
    I.ABUSE: ("abusive message", "high", "escalated.abuse"),
    I.LEGAL: ("legal threat", "high", "escalated.legal"),
    I.REVIEW: ("could not be handled automatically", "normal", "escalated.other"),
}


def escalate(unit: Unit, ctx: Context, reason: str | None = None, reply_key: str | None = None) -> Step:
    default_reason, priority, default_key = _ESCALATION.get(unit.intent, ("needs a human", "normal", "escalated.other"))
    reason = reason or default_reason
    key = reply_key or default_key
    if not ctx.has("escalate_to_human"):
        return Step(result=_result(unit, "escalated", say(key, ctx.language), f"{reason} (escalate_to_human not granted)",
                                   escalation={"reason": reason, "priority": priority, "summary": _summary(unit, ctx, reason)}))
    summary = _summary(unit, ctx, reason)
    call = ToolCall("escalate_to_human", {"reason": reason, "priority": priority, "summary": summary})

    def done(data: dict[str, Any]) -> RequestResult:
        return _result(unit, "escalated", say(key, ctx.language), reason,
                       escalation={"reason": reason, "priority": data.get("priority", priority), "summary": summary})

    def error(err: dict[str, Any]) -> RequestResult:
        return _result(unit, "escalated", say(key, ctx.language), f"{reason}; escalation tool failed: {err.get('message', '')}",
                       escalation={"reason": reason, "priority": priority, "summary": summary})

    return _write_step(unit, ctx, call, None, done, error)


def _summary(unit: Unit, ctx: Context, reason: str) -> str:
    who = ctx.facts.customer_id or ctx.ticket.from_email or "unidentified customer"
    orders = ", ".join(extract.order_ids(ctx.ticket.customer_text)) or "none"
    subject = f" Subject: {ctx.ticket.subject}." if ctx.ticket.subject else ""
    excerpt = " ".join(unit.text.split())[:300]
    return f"{reason.capitalize()}. Customer: {who}. Orders mentioned: {orders}.{subject} Customer wrote: \"{excerpt}\""


PLAYBOOKS: dict[str, Callable[[Unit, Context], Step]] = {
    I.CANCEL: cancel,
    I.RETURN: return_items,
    I.CHANGE_ITEMS: change_items,
    I.ORDER_ADDRESS: order_address,
    I.USER_ADDRESS: account_address,
    I.PAYMENT: order_payment,
    I.STATUS: order_status,
    I.BILLING: billing,
    I.PRODUCT: product_question,
    I.TROUBLE: troubleshooting,
    I.POLICY: policy_question,
    I.HUMAN: escalate,
    I.ABUSE: escalate,
    I.LEGAL: escalate,
    I.REVIEW: escalate,
}


# --- the report ----------------------------------------------------------------------------------

_STATUS_RANK = ["escalated", "needs_info", "failed", "refused", "pending_approval", "done", "answered"]


def _report(ctx: Context, results: list[RequestResult]) -> SpecialistReport:
    if not results:
        results = [RequestResult(request=0, intent="none", status="needs_info", reply=say("not_understood", ctx.language),
                                 detail="nothing to do")]
    statuses = {r.status for r in results}
    overall = next(s for s in _STATUS_RANK if s in statuses)
    if overall in {"failed", "refused"} and statuses & {"done", "answered", "pending_approval"}:
        overall = "done"
    escalation = next((r.model_extra.get("escalation") for r in results if r.model_extra and r.model_extra.get("escalation")), None)
    reply = " ".join(_dedupe([r.reply for r in results if r.reply]))
    summary = "; ".join(f"#{r.request} {r.intent}{' ' + r.order_id if r.order_id else ''}: {r.status} ({r.detail})" for r in results)
    return SpecialistReport(
        status=overall, reply=reply, summary=summary, customer_id=ctx.facts.customer_id,
        customer_name=ctx.facts.customer_name, results=results, escalation=escalation,
    )


def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def report_json(report: SpecialistReport) -> str:
    return json.dumps(report.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
