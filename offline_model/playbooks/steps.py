"""What every intent playbook shares: the unit of work, the step a playbook answers with, the
context it reads (granted tools, tool results, the ticket), and the moves they have in common:
read an order or the customer, issue a write once and read its outcome, pick a payment method."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from offline_model.playbooks.assignment import Assignment
from offline_model.playbooks.facts import MAX_ATTEMPTS, Facts, original_payment
from offline_model.protocol import ToolCall
from offline_model.replies.render import item_label, join_words, say
from offline_model.schema import RequestResult
from offline_model.understanding import descriptions, extract, intents, matching, owner, preferences
from offline_model.understanding.acted_on import acted_on_text, kept_clauses
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


def unique(calls: list[ToolCall]) -> list[ToolCall]:
    out: list[ToolCall] = []
    for call in calls:
        if call not in out:
            out.append(call)
    return out


def result(unit: Unit, status: str, reply: str, detail: str = "", **extra: Any) -> RequestResult:
    return RequestResult(
        request=unit.number,
        intent=unit.intent,
        order_id=unit.order_id,
        status=status,
        reply=reply,
        detail=detail,
        **extra,
    )


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
        return result(
            unit, "needs_info", say("order.not_found", ctx.language, order=unit.order_id), f"{code}: {message}"
        )
    if code == "read_only":
        return result(unit, "refused", say("refused.injection", ctx.language), message)
    return result(unit, "failed", say("failed", ctx.language), f"{code}: {message}")


STATUS_WORD = re.compile(
    r"\b(pending \(item modified\)|pending|processed|delivered|cancelled|canceled|"
    r"return requested|exchange requested|shipped)\b",
    re.IGNORECASE,
)


def write_step(
    unit: Unit,
    ctx: Context,
    call: ToolCall,
    companions: list[ToolCall] | None = None,
    on_done: Callable[[dict[str, Any]], Step | RequestResult] | None = None,
    on_error: Callable[[dict[str, Any]], RequestResult | None] | None = None,
    on_approval: Callable[[dict[str, Any]], RequestResult] | None = None,
) -> Step:
    """Issue a write once; afterwards turn its result into the unit's end."""
    if not ctx.has(call.name):
        # the manager re-delegates this request to a coworker who holds the tool
        return Step(
            result=result(unit, "failed", say("failed", ctx.language), f"{call.name} not granted", reroute=call.name)
        )
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
        return Step(
            result=result(
                unit, "pending_approval", say("approval.note", ctx.language), f"{call.name} awaiting approval"
            )
        )
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
        return result(
            unit, "needs_info", say("order.not_found", ctx.language, order=unit.order_id), f"{code}: {message}"
        )
    if code in {"not_authenticated"}:
        return result(unit, "needs_info", say("identity.needed", ctx.language), message)
    return result(unit, "failed", say("failed", ctx.language), f"{code}: {message}")


def status_from(error: dict[str, Any], fallback: str = "no longer pending") -> str:
    match = STATUS_WORD.search(str(error.get("message", "")))
    return match.group(1).lower().replace("canceled", "cancelled") if match else fallback


def resolve_order(unit: Unit, ctx: Context, statuses: tuple[str, ...]) -> Step | str:
    """The order a request means when it names none, from how the customer describes it (its
    items - all of them -, status, destination, rank, amount; never an order they said to leave
    alone) against their orders; with no description, their only order of a fitting status
    ('please cancel my order' with one pending order). Two orders that fit: a question back."""
    if unit.order_id:
        return unit.order_id
    orders = customer_orders(unit, ctx)
    if isinstance(orders, Step):
        return orders
    kept_order = _order_of_kept_items(unit, orders, statuses)
    if kept_order is not None:
        unit.order_id = kept_order
        return kept_order
    if unit.intent in _ITEM_ACTIONS:
        found = descriptions.resolve_by_any_item(unit.text, orders, statuses)
    else:
        found = descriptions.resolve(unit.text, orders, statuses, status_words=unit.intent != intents.STATUS)
    if found.ok:
        # the items that described the order are set aside when items are picked
        # (understanding/acted_on.py); the request keeps all its words for everything else
        unit.order_id = found.order_ids[0]
        return unit.order_id
    return Step(result=which_order(unit, ctx, found.candidates, orders))


# Requests that pick items once the order is known: their orders are found the narrower way (see
# descriptions.resolve_by_any_item) while the item readings (describing items, exceptions, kept
# items) can still take the wrong items from a correctly described order.
_ITEM_ACTIONS = (intents.RETURN, intents.CHANGE_ITEMS)


def customer_orders(unit: Unit, ctx: Context) -> Step | list[dict[str, Any]]:
    """The customer's orders (list_customer_orders), or the step that reads them (or ends the unit)."""
    missing = Step(result=result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))
    if not ctx.has("list_customer_orders"):
        return missing
    if ctx.facts.customer_orders is None:
        if len(ctx.facts.calls("list_customer_orders")) >= MAX_ATTEMPTS:
            return missing
        return Step(reads=[ToolCall("list_customer_orders", {"customer_id": ctx.facts.customer_id})])
    return ctx.facts.customer_orders


def which_order(unit: Unit, ctx: Context, candidates: list[str], orders: list[dict[str, Any]]) -> RequestResult:
    """The question back when the description fits several orders (naming what tells them apart),
    or none."""
    if not candidates:
        # none of the writer's orders fits, and they say it is someone else's: only that person can ask
        elses = owner.someone_elses(ctx.ticket.customer_text)
        if elses is not None:
            detail = f"the order described is another person's ('{elses}'): none of the customer's fits"
            return result(unit, "refused", say("order.someone_elses", ctx.language), detail)
    if not 2 <= len(candidates) <= 6:
        return result(unit, "needs_info", say("order.missing", ctx.language), "no order fits the description")
    by_id = {o["order_id"]: o for o in orders}
    described = "; ".join(_order_label(by_id[oid]) for oid in candidates)
    return result(
        unit,
        "needs_info",
        say("order.which_of", ctx.language, orders=described),
        f"{len(candidates)} orders fit the description: {', '.join(candidates)}",
    )


def _order_label(order: dict[str, Any]) -> str:
    """'#W1 (Tea Kettle, Helmet; going to Dallas; pending)': what tells orders apart."""
    names = ", ".join(dict.fromkeys(str(i.get("name", "")) for i in order.get("items") or []))
    city = descriptions.destination(order).get("city", "")
    where = f"; to {city}" if city else ""
    return f"{order['order_id']} ({names}{where}; {order.get('status', '')})"


# Requests that may mean several described orders at once, with the statuses their playbook acts on.
_MANY_ORDERS = {intents.CANCEL: ("pending",), intents.STATUS: ()}


def expand_units(units: list[Unit], ctx: Context) -> list[Unit]:
    """A unit whose words describe several orders ('cancel the order with the kettle and the one
    going to Austin', 'return the umbrella and the watch' from two deliveries) becomes one unit per
    order, once the customer's orders are known; the others stay as they are."""
    orders = ctx.facts.customer_orders
    if not orders:
        return units
    out: list[Unit] = []
    for unit in units:
        statuses = _MANY_ORDERS.get(unit.intent)
        if unit.order_id or (statuses is None and unit.intent != intents.RETURN):
            out.append(unit)
            continue
        every_delivery = _every_delivery(unit.text, orders) if unit.intent == intents.RETURN else None
        if every_delivery is not None:
            out.extend(Unit(unit.number, unit.intent, oid, unit.text) for oid in every_delivery)
            continue
        if unit.intent == intents.RETURN:
            found = _spread_return(unit.text, orders)
        else:
            found = descriptions.resolve(
                unit.text, orders, statuses or (), many=True, status_words=unit.intent != intents.STATUS
            )
        if len(found.order_ids) > 1:
            out.extend(Unit(unit.number, unit.intent, oid, unit.text) for oid in found.order_ids)
        else:
            out.append(unit)
    return out


def _order_of_kept_items(unit: Unit, orders: list[dict[str, Any]], statuses: tuple[str, ...]) -> str | None:
    """'I keep the camera but nothing else from my order; return the rest': the one order of a
    fitting status holding every item the keeping clauses name, for a return of 'the rest'."""
    if unit.intent != intents.RETURN or not descriptions.THE_REST.search(acted_on_text(unit.text, with_story=True)):
        return None
    names = list(dict.fromkeys(str(i.get("name", "")) for o in orders for i in o.get("items") or []))
    kept = {m.name for clause in kept_clauses(unit.text) for m in matching.item_mentions(clause, names)}
    holding = [
        o["order_id"]
        for o in orders
        if kept and o.get("status") in statuses and kept <= {str(i.get("name", "")) for i in o.get("items") or []}
    ]
    return holding[0] if len(holding) == 1 else None


def _every_delivery(text: str, orders: list[dict[str, Any]]) -> list[str] | None:
    """'I keep the bike; send back everything else, from both deliveries': every delivered order
    ('both': when there are exactly two), each returning what its keeping clauses leave."""
    asked = acted_on_text(text, with_story=True)
    several = descriptions.SEVERAL_DELIVERIES.search(asked)
    if several is None or not descriptions.THE_REST.search(asked):
        return None
    delivered = [o["order_id"] for o in orders if o.get("status") == "delivered"]
    both = (several.group("q") or several.group("q2") or "").lower() in ("both", "the two")
    if len(delivered) < 2 or (both and len(delivered) != 2):
        return None
    return delivered


def _spread_return(text: str, orders: list[dict[str, Any]]) -> descriptions.Resolution:
    """The orders a return's items are spread over: the items named where the request can name
    what to act on, or in its story when it names them only there (as items are picked)."""
    found = descriptions.resolve_spread(acted_on_text(text), orders, ("delivered",))
    if found.description.items:
        return found
    return descriptions.resolve_spread(acted_on_text(text, with_story=True), orders, ("delivered",))


def payment_choice(
    unit: Unit,
    ctx: Context,
    order: dict[str, Any],
    *,
    current: str | None = None,
    use_default: bool = True,
    flow: str | None = None,
) -> matching.Match:
    """The method the request's own words name; when they name none (and a default may be used),
    the one a standing preference gives money of this `flow` (preferences.REFUND / CHARGE; a return
    refunds), else the order's original method."""
    methods = ctx.facts.payment_methods
    original = original_payment(order)
    refs = extract.payment_refs(unit.text)
    choice = matching.select_payment(refs, methods, original_id=original, current_id=current)
    if choice.problem == "missing" and use_default:
        # a method the customer refuses ('not to PayPal, I closed it') is never a default either
        refused = matching.refused_methods(refs, methods)
        flow = flow or (preferences.REFUND if unit.intent == intents.RETURN else None)
        preferred = remembered_payment(ctx.ticket, flow) if flow else []
        remembered = matching.select_payment(preferred, methods, original_id=original)
        if remembered.ok and remembered.value not in refused:
            return matching.Match(value=remembered.value, extra={**remembered.extra, "preference": True})
        if original in refused:
            return choice
        return matching.Match(value=original, extra={"default": True})
    return choice


def methods_text(ctx: Context) -> str:
    return join_words(
        [
            matching.describe_method(m.get("id"), ctx.facts.payment_methods).replace("your ", "")
            for m in ctx.facts.payment_methods
        ],
        ctx.language,
    )


def which_item(unit: Unit, ctx: Context, order: dict[str, Any], detail: str = "") -> RequestResult:
    items = join_words([item_label(i, with_options=True) for i in order.get("items") or []], ctx.language)
    return result(
        unit,
        "needs_info",
        say("items.which_item", ctx.language, order=unit.order_id, items=items),
        "could not tell which item is meant" + (f": {detail}" if detail else ""),
    )


def payment_problem(unit: Unit, ctx: Context, choice: matching.Match) -> RequestResult:
    if choice.problem == "missing":
        return result(
            unit,
            "needs_info",
            say("payment.which", ctx.language, order=unit.order_id, methods=methods_text(ctx)),
            "payment method missing",
        )
    return result(
        unit,
        "needs_info",
        say("payment.unknown", ctx.language, described=f"the {choice.detail}", methods=methods_text(ctx)),
        f"payment method '{choice.detail}' {choice.problem}",
    )


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
