"""A specialist's next step: which tools to call now, or the final report.

The delegated requests are split into units (one per order a request names). Each unit runs its
intent's playbook (orders.py, items.py, answers.py) over what the tool results say so far, and
answers with reads it needs, a write it is ready for, or how it ended. The customer is identified
before anything else. Reads of all units go out together; writes go together only when their
order cannot matter (different orders, no gift card paying), because CrewAI runs the calls of one
answer in parallel: a payment change goes before an item change of the same order, and a gift
card is credited before it is debited."""

from __future__ import annotations

import json
from collections.abc import Callable

from offline_model.playbooks import answers, items, orders, team_answers, write_check
from offline_model.playbooks.assignment import Assignment
from offline_model.playbooks.facts import MAX_ATTEMPTS, Facts
from offline_model.playbooks.steps import Context, Step, Unit, expand_units, result, unique
from offline_model.protocol import ToolCall
from offline_model.replies.render import letter, money, say
from offline_model.schema import RequestResult, SpecialistReport
from offline_model.understanding import extract, intents
from offline_model.understanding.ticket import TicketView, identity_attempts

Decision = list[ToolCall] | SpecialistReport

IDENTITY_FREE = {intents.TROUBLE, intents.POLICY, *intents.ESCALATIONS}


def units_of(assignment: Assignment) -> list[Unit]:
    units: list[Unit] = []
    for request in assignment.requests:
        order_ids = request.order_ids or extract.order_ids(request.text)
        if (
            request.intent
            in (intents.USER_ADDRESS, intents.PRODUCT, intents.TROUBLE, intents.POLICY, *intents.ESCALATIONS)
            or not order_ids
        ):
            units.append(Unit(request.number, request.intent, order_ids[0] if order_ids else None, request.text))
            continue
        for order_id in order_ids:
            units.append(Unit(request.number, request.intent, order_id, request.text))
    return units


def needs_identity(unit: Unit) -> bool:
    if unit.intent in IDENTITY_FREE:
        return False
    if unit.intent == intents.PRODUCT:
        return unit.order_id is not None
    return True


def decide(tools: set[str], facts: Facts, ticket: TicketView, assignment: Assignment) -> Decision:
    """The next tool calls, or the report when every unit has ended."""
    units = units_of(assignment)
    extra = "" if ticket.structured else "\n\n".join(r.text for r in assignment.requests)
    ctx = Context(tools, facts, ticket, assignment.language, assignment, units, extra)
    units = ctx.units = expand_units(units, ctx)  # a request describing several orders: one unit each
    identity = _identify(ctx)
    if isinstance(identity, list):
        # while the customer is being identified, fetch what needs no identity
        free = [call for unit in units if not needs_identity(unit) for call in PLAYBOOKS[unit.intent](unit, ctx).reads]
        return unique(identity + _orders_after_identity(ctx) + free + _catalog_prefetch(ctx))
    steps: list[tuple[Unit, Step]] = []
    for unit in units:
        if needs_identity(unit) and not facts.customer_id:
            steps.append(
                (
                    unit,
                    Step(
                        result=identity
                        or result(unit, "needs_info", say("identity.needed", ctx.language), "no identity")
                    ),
                )
            )
            continue
        steps.append((unit, PLAYBOOKS[unit.intent](unit, ctx)))
    steps = _all_or_nothing(
        _one_item_write_per_order([(unit, _checked(unit, step, ctx)) for unit, step in steps], ctx), ctx
    )
    greeting = _name_read(ctx)
    reads = unique([call for _, step in steps for call in step.reads])
    if reads:
        return unique(reads + greeting + _catalog_prefetch(ctx))
    writes = [(unit, step) for unit, step in steps if step.write is not None]
    if writes:
        batch = _write_batch(writes)
        return unique([s.write for s in batch if s.write] + [c for s in batch for c in s.companions] + greeting)
    return _report(ctx, [step.result for _, step in steps if step.result is not None])


def _one_item_write_per_order(steps: list[tuple[Unit, Step]], ctx: Context) -> list[tuple[Unit, Step]]:
    """Two requests that would each return or change items of the same order are one request read
    twice ('send that one back ... so please return the puzzle and the jacket'): the store takes one
    such write per order, so neither is made on a guess of which reading is whole; the customer is
    asked."""
    seen: dict[tuple[str, str], int] = {}
    for _, step in steps:
        if step.write is not None and step.write.name in write_check.ITEM_WRITES:
            key = (step.write.name, str(step.write.arguments.get("order_id")))
            seen[key] = seen.get(key, 0) + 1
    doubled = {key for key, count in seen.items() if count > 1}
    if not doubled:
        return steps
    unsure = say("write.unsure", ctx.language)
    return [
        (unit, Step(result=result(unit, "needs_info", unsure, "two item writes on one order")))
        if step.write is not None and (step.write.name, str(step.write.arguments.get("order_id"))) in doubled
        else (unit, step)
        for unit, step in steps
    ]


def _all_or_nothing(steps: list[tuple[Unit, Step]], ctx: Context) -> list[tuple[Unit, Step]]:
    """Nothing is written while another request of the delegation waits for the customer's answer:
    a partial reading changes nothing; the writes wait for the answer and go out together."""
    if not any(step.result is not None and step.result.status == "needs_info" for _, step in steps):
        return steps
    waiting = say("write.waiting", ctx.language)
    return [
        (unit, Step(result=result(unit, "needs_info", waiting, "held until the customer answers")))
        if step.write is not None
        else (unit, step)
        for unit, step in steps
    ]


def _checked(unit: Unit, step: Step, ctx: Context) -> Step:
    """A write that contradicts the request's own words (an item the customer keeps, money going to
    a method they did not name) is not made: the request ends with a question instead."""
    if step.write is None:
        return step
    order_id = str(step.write.arguments.get("order_id", ""))
    order = ctx.facts.orders.get(order_id) or next(
        (o for o in ctx.facts.customer_orders or [] if o.get("order_id") == order_id), None
    )
    why = write_check.contradiction(
        step.write, unit.text, order, ctx.facts.payment_methods, ticket_text=ctx.ticket.customer_text
    )
    if why is None:
        return step
    return Step(result=result(unit, "needs_info", say("write.unsure", ctx.language), f"write held back: {why}"))


_WRITE_PRIORITY = {
    "modify_pending_order_payment": 0,
    "modify_pending_order_address": 0,
    "modify_user_address": 0,
    "cancel_pending_order": 1,
    "return_delivered_order_items": 1,
    "modify_pending_order_items": 2,
    "exchange_delivered_order_items": 2,
    "escalate_to_human": 3,
}


def _write_batch(writes: list[tuple[Unit, Step]]) -> list[Step]:
    """Writes that may go out together: CrewAI runs a response's tool calls in parallel, and the
    store applies each write atomically, so writes on different orders commute - unless a gift
    card pays for one of them (another write may first have to credit that card)."""
    _, first = _first_write(writes)
    batch = [first]
    if first.write is None or _uses_gift_card(first.write):
        return batch
    orders = {first.write.arguments.get("order_id")}
    for _, step in writes:
        if step is first or step.write is None or step.write.name == "escalate_to_human":
            continue
        order_id = step.write.arguments.get("order_id")
        if order_id in orders or _uses_gift_card(step.write):
            continue
        if any(
            step.write.arguments.get("order_id") == other.write.arguments.get("order_id")
            and _WRITE_PRIORITY.get(other.write.name, 9) < _WRITE_PRIORITY.get(step.write.name, 9)
            for _, other in writes
            if other is not step and other.write is not None
        ):
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
    if first_step.write is None:
        return first_unit, first_step
    order_id = first_step.write.arguments.get("order_id")
    rank = _WRITE_PRIORITY.get(first_step.write.name, 9)
    for unit, step in writes[1:]:
        if (
            order_id
            and step.write
            and step.write.arguments.get("order_id") == order_id
            and _WRITE_PRIORITY.get(step.write.name, 9) < rank
        ):
            return unit, step
    return first_unit, first_step


def _orders_after_identity(ctx: Context) -> list[ToolCall]:
    """The orders the requests name, read in the same answer right after the identification: the
    identification tools make CrewAI run that answer's calls in order, so these run bound to the
    customer just found (and are refused, harmlessly, if nobody was found). Saves a model call."""
    if not ctx.has("get_order_details"):
        return []
    # a cancellation acts on the order id alone: nothing to read first
    wanted = [u.order_id for u in ctx.units if needs_identity(u) and u.order_id and u.intent != intents.CANCEL]
    return [
        ToolCall("get_order_details", {"order_id": oid})
        for oid in dict.fromkeys(wanted)
        if oid not in ctx.facts.early_reads
    ]


def _catalog_prefetch(ctx: Context) -> list[ToolCall]:
    """For an item change, the products the customer names, read with the first reads (with
    their variants, from search_products; else the catalog's product list, to read them next)."""
    changes = [u for u in ctx.units if u.intent == intents.CHANGE_ITEMS]
    if not changes:
        return []
    if ctx.has("search_products"):
        return [
            ToolCall("search_products", {"query": u.text})
            for u in changes
            if not ctx.facts.calls("search_products", query=u.text)
        ]
    if ctx.facts.product_types is None and ctx.has("list_product_types") and not ctx.facts.calls("list_product_types"):
        return [ToolCall("list_product_types", {})]
    return []


def _name_read(ctx: Context) -> list[ToolCall]:
    """The customer's details, to greet them by name, when known but not read yet: sent along
    with calls going out anyway, so it costs no model call."""
    facts = ctx.facts
    if (
        facts.customer_id
        and not facts.customer_name
        and facts.customer is None
        and ctx.has("get_customer_details")
        and not facts.calls("get_customer_details")
    ):
        return [ToolCall("get_customer_details", {"customer_id": facts.customer_id})]
    return []


# --- identity ------------------------------------------------------------------------------------

_MAX_IDENTITY_ATTEMPTS = 3  # distinct look-ups; more would be guessing


def _identify(ctx: Context) -> list[ToolCall] | RequestResult | None:
    """Calls to identify the customer, or the reason it failed (None once known or not needed)."""
    facts = ctx.facts
    if facts.customer_id or not any(needs_identity(u) for u in ctx.units):
        return None
    tried_any = False
    for attempt in identity_attempts(ctx.ticket, ctx.extra_text)[:_MAX_IDENTITY_ATTEMPTS]:
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
    return RequestResult(
        request=0,
        intent="identity",
        status="needs_info",
        reply=say(key, ctx.language),
        detail="could not identify the customer",
    )


# --- shared helpers ------------------------------------------------------------------------------


PLAYBOOKS: dict[str, Callable[[Unit, Context], Step]] = {
    intents.CANCEL: orders.cancel,
    intents.RETURN: items.return_items,
    intents.CHANGE_ITEMS: items.change_items,
    intents.ORDER_ADDRESS: orders.order_address,
    intents.USER_ADDRESS: orders.account_address,
    intents.PAYMENT: orders.order_payment,
    intents.STATUS: orders.order_status,
    intents.BILLING: orders.billing,
    intents.PRODUCT: answers.product_question,
    intents.TROUBLE: answers.troubleshooting,
    intents.POLICY: answers.policy_question,
    intents.HUMAN: answers.escalate,
    intents.ABUSE: answers.escalate,
    intents.LEGAL: answers.escalate,
    intents.SAFETY: answers.escalate,
    intents.REVIEW: answers.escalate,
    intents.TEAM_QUESTION: team_answers.answer_from_tools,
}


# --- the report ----------------------------------------------------------------------------------

_STATUS_RANK = ["escalated", "needs_info", "failed", "refused", "pending_approval", "done", "answered"]


def _report(ctx: Context, results: list[RequestResult]) -> SpecialistReport:
    if not results:
        results = [
            RequestResult(
                request=0,
                intent="none",
                status="needs_info",
                reply=say("not_understood", ctx.language),
                detail="nothing to do",
            )
        ]
    statuses = {r.status for r in results}
    overall = next(s for s in _STATUS_RANK if s in statuses)
    if overall in {"failed", "refused"} and statuses & {"done", "answered", "pending_approval"}:
        overall = "done"
    escalation = next(
        (r.model_extra.get("escalation") for r in results if r.model_extra and r.model_extra.get("escalation")), None
    )
    results = _with_refund_totals(ctx, results)
    replies = _dedupe([r.reply for r in results if r.reply])
    # a final delegation's reply goes to the customer as written: the whole letter, as the manager writes it
    reply = letter(replies, ctx.language, ctx.facts.customer_name) if ctx.assignment.final else " ".join(replies)
    summary = "; ".join(
        f"#{r.request} {r.intent}{' ' + r.order_id if r.order_id else ''}: {r.status} ({r.detail})" for r in results
    )
    return SpecialistReport(
        status=overall,
        reply=reply,
        summary=summary,
        customer_id=ctx.facts.customer_id,
        customer_name=ctx.facts.customer_name,
        results=results,
        escalation=escalation,
    )


def _with_refund_totals(ctx: Context, results: list[RequestResult]) -> list[RequestResult]:
    """A return spread over several orders ('both tablets, from two deliveries: how much
    together?') says what it refunds in all, after the last order's own figure."""
    refunds: dict[int, list[int]] = {}
    for index, r in enumerate(results):
        if (r.model_extra or {}).get("refund") is not None:
            refunds.setdefault(r.request, []).append(index)
    out = list(results)
    for indexes in refunds.values():
        if len(indexes) < 2:
            continue
        total = round(sum(float((results[i].model_extra or {})["refund"]) for i in indexes), 2)
        last = out[indexes[-1]]
        line = say("billing.items_total", ctx.language, total=money(total))
        out[indexes[-1]] = last.model_copy(update={"reply": f"{last.reply} {line}".strip()})
    return out


def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def report_json(report: SpecialistReport) -> str:
    return json.dumps(report.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
