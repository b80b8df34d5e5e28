"""Playbooks for orders as a whole: cancellation, shipping address, payment method, the
account's default address, and questions about an order's status or payments."""

from __future__ import annotations

import re
from typing import Any

from offline_model.playbooks import answers
from offline_model.playbooks.facts import original_payment, paid_total
from offline_model.playbooks.steps import (
    Context,
    Step,
    Unit,
    customer_orders,
    methods_text,
    need_customer,
    need_order,
    order_with_customer,
    payment_choice,
    payment_problem,
    resolve_order,
    result,
    status_from,
    write_step,
)
from offline_model.protocol import ToolCall
from offline_model.replies.render import address_text, item_label, join_words, money, say
from offline_model.schema import RequestResult
from offline_model.understanding import conditions, descriptions, extract, intents, matching
from offline_model.understanding.text import fold


def cancel(unit: Unit, ctx: Context) -> Step:
    exception = conditions.exception_in(unit.text)
    if exception is not None and unit.order_id is None:
        return _cancel_all_except(unit, ctx, exception)
    on_status = _status_conditions(unit)
    # 'if it hasn't shipped, cancel it; if it has, send me the tracking number': any status may be meant
    resolved = resolve_order(unit, ctx, () if on_status else ("pending",))
    if isinstance(resolved, Step):
        return resolved
    if on_status:
        branch = _status_branch(unit, ctx, on_status)
        if branch is not None:
            return branch
    reason = _cancel_reason(unit, ctx)
    if reason is None:
        return _reason_missing(unit, ctx)
    companions = []
    need = need_customer(unit, ctx)
    if need is not None:
        companions = need.reads

    def done(data: dict[str, Any]) -> RequestResult:
        lines = [say("cancel.done", ctx.language, order=unit.order_id, reason=reason)]
        lines += _cancel_refunds(ctx, data.get("order") or {})
        return result(unit, "done", " ".join(lines), f"cancelled {unit.order_id} ({reason})")

    def error(err: dict[str, Any]) -> RequestResult | None:
        code = str(err.get("code"))
        if code in {"order_not_pending", "invalid_status", "not_pending"}:
            return _not_pending(unit, ctx, status_from(err))
        if code == "invalid_reason":
            return result(
                unit, "needs_info", say("cancel.need_reason", ctx.language, order=unit.order_id), err.get("message", "")
            )
        return None

    def approval(data: dict[str, Any]) -> RequestResult:
        return result(
            unit,
            "pending_approval",
            say("cancel.pending_approval", ctx.language, order=unit.order_id),
            f"cancellation of {unit.order_id} awaiting approval {data.get('approval_id', '')}",
        )

    return write_step(
        unit,
        ctx,
        ToolCall("cancel_pending_order", {"order_id": unit.order_id, "reason": reason}),
        companions,
        done,
        error,
        approval,
    )


def _status_conditions(unit: Unit) -> list[conditions.Condition]:
    return [c for c in conditions.found(unit.text) if c.topic in (conditions.STATUS, conditions.OTHER)]


def _status_branch(unit: Unit, ctx: Context, on_status: list[conditions.Condition]) -> Step | None:
    """The branch the order's status takes: None to go on with the cancellation, else the answer
    that leaves the order as it is (with its tracking number when the customer asked for it)."""
    order = need_order(unit, ctx)
    if isinstance(order, Step):
        return order
    status = str(order.get("status", ""))
    then = conditions.branch_taken(on_status, {conditions.STATUS: status == "pending"})
    if then is None:
        return Step(result=result(unit, "needs_info", say("order.missing", ctx.language), "condition not decidable"))
    if then == conditions.ACT:
        return None
    lines = [say("condition.status_kept", ctx.language, order=unit.order_id, status=status)]
    tracking_ids = [t for f in order.get("fulfillments") or [] for t in f.get("tracking_id") or []]
    if then == conditions.TRACKING and tracking_ids:
        tracking = _tracking_line(ctx, order, status, tracking_ids[0])
        if isinstance(tracking, Step):
            return tracking
        lines.append(tracking)
    elif then == conditions.TRACKING:
        lines.append(say("condition.no_tracking", ctx.language))
    kept_branch = " ".join(c.words for c in on_status if c.then in (conditions.KEEP, conditions.TRACKING))
    if intents.FIGURE_QUESTION.search(fold(kept_branch)):
        # '... and remind me what I paid for it': the order's payments answer it
        lines.append(say("billing.line", ctx.language, order=unit.order_id, paid=money(paid_total(order)), refunded=""))
    return Step(result=result(unit, "answered", " ".join(lines), f"{unit.order_id} is {status}: left as it is"))


def _cancel_all_except(unit: Unit, ctx: Context, exception: conditions.Exception_) -> Step:
    """'Cancel all my pending orders except the one with the laptop': every pending order but the
    ones the kept phrases describe, each phrase fitting exactly one of them; one write at a time."""
    if not ctx.has("list_customer_orders"):
        return Step(result=result(unit, "needs_info", say("order.missing", ctx.language), "no order list"))
    if ctx.facts.customer_orders is None:
        return Step(reads=[ToolCall("list_customer_orders", {"customer_id": ctx.facts.customer_id})])
    pending = [o for o in ctx.facts.customer_orders if o.get("status") == "pending"]
    kept = _kept_orders(unit, ctx, exception.kept, pending)
    if isinstance(kept, Step):
        return kept
    reason = extract.cancel_reason(unit.text) or extract.cancel_reason(ctx.ticket.customer_text, any_cause=False)
    targets = [o["order_id"] for o in pending if o["order_id"] not in kept]
    if reason is None or not targets:
        detail = "cancellation reason missing" if reason is None else "nothing left to cancel"
        return Step(result=result(unit, "needs_info", say("cancel.need_reason", ctx.language, order=""), detail))
    lines = []
    for order_id in targets:
        call = ToolCall("cancel_pending_order", {"order_id": order_id, "reason": reason})
        done = ctx.facts.settled(call.name, **call.arguments)
        if done is None:
            return write_step(unit, ctx, call)
        if done.error:
            lines.append(say("cancel.not_pending", ctx.language, order=order_id, status=status_from(done.error)))
            continue
        lines.append(say("cancel.done", ctx.language, order=order_id, reason=reason))
        lines += _cancel_refunds(ctx, (done.data or {}).get("order") or {})
    lines.append(say("exception.kept_orders", ctx.language, orders=join_words(sorted(kept), ctx.language)))
    return Step(result=result(unit, "done", " ".join(lines), f"cancelled {', '.join(targets)}; kept {sorted(kept)}"))


def _kept_orders(unit: Unit, ctx: Context, phrases: tuple[str, ...], pending: list[dict[str, Any]]) -> set[str] | Step:
    """The pending orders the kept phrases describe (by the items they hold and, when a phrase
    names a place, where they go); a question back when a phrase fits no order or several."""
    kept: set[str] = set()
    names = [i.get("name", "") for o in pending for i in o.get("items") or []]
    for phrase in phrases:
        named = {m.name for m in matching.item_mentions(phrase, names)}
        fits = [o for o in pending if named and named <= {i.get("name") for i in o.get("items") or []}]
        if len(fits) > 1:
            reads = [
                ToolCall("get_order_details", {"order_id": o["order_id"]})
                for o in fits
                if o["order_id"] not in ctx.facts.orders
            ]
            if reads and ctx.has("get_order_details"):
                return Step(reads=reads)
            fits = [o for o in fits if _goes_to(phrase, ctx.facts.orders.get(o["order_id"]) or {})]
        if len(fits) != 1:
            question = say("exception.which_kept", ctx.language, phrase=_customer_words(phrase))
            return Step(result=result(unit, "needs_info", question, f"kept '{phrase}' unclear"))
        kept.add(fits[0]["order_id"])
    return kept


def _customer_words(phrase: str) -> str:
    return " ".join(phrase.split()).strip(" .,;:-")


def _goes_to(phrase: str, order: dict[str, Any]) -> bool:
    city = fold(str((order.get("address") or {}).get("city", "")))
    return bool(city) and re.search(rf"\b{re.escape(city)}\b", fold(phrase)) is not None


def _cancel_reason(unit: Unit, ctx: Context) -> str | None:
    """The reason given for cancelling this order; the ticket's reason when it asks for one
    cancellation only."""
    reason = extract.cancel_reason_for(unit.text, unit.order_id or "")
    if reason is None and sum(1 for u in ctx.units if u.intent == intents.CANCEL) == 1:
        reason = extract.cancel_reason(ctx.ticket.customer_text, any_cause=False)
    return reason


def _reason_missing(unit: Unit, ctx: Context) -> Step:
    """Without a reason the cancellation waits for one - unless the order can't be cancelled anyway."""
    order = need_order(unit, ctx)
    if isinstance(order, Step):
        return order
    if order.get("status") != "pending":
        return Step(result=_not_pending(unit, ctx, order.get("status", "")))
    return Step(
        result=result(
            unit,
            "needs_info",
            say("cancel.need_reason", ctx.language, order=unit.order_id),
            "cancellation reason missing",
        )
    )


def _cancel_refunds(ctx: Context, order: dict[str, Any]) -> list[str]:
    """A line per payment of the cancelled order: where its refund goes."""
    lines = []
    for entry in order.get("payment_history") or []:
        if entry.get("transaction_type") != "payment":
            continue
        method_id = entry.get("payment_method_id")
        key = "cancel.refund_gift_card" if str(method_id).startswith("gift_card") else "cancel.refund"
        lines.append(
            say(
                key,
                ctx.language,
                amount=money(entry.get("amount", 0)),
                method=matching.describe_method(method_id, ctx.facts.payment_methods),
            )
        )
    return lines


def _not_pending(unit: Unit, ctx: Context, status: str) -> RequestResult:
    reply = say("cancel.not_pending", ctx.language, order=unit.order_id, status=status)
    if status == "delivered" and ctx.language == "en":
        reply += say("cancel.not_pending_delivered")
    return result(unit, "refused", reply, f"{unit.order_id} is {status}")


def order_address(unit: Unit, ctx: Context) -> Step:
    on_status = _status_conditions(unit)
    # 'if it's still pending, send it to my home; if it has shipped, leave it': any status may be meant
    resolved = resolve_order(unit, ctx, () if on_status else ("pending",))
    if isinstance(resolved, Step):
        return resolved
    if on_status:
        branch = _status_branch(unit, ctx, on_status)
        if branch is not None:
            return branch
    address = _address_for(unit, ctx, intents.ORDER_ADDRESS)
    if isinstance(address, Step):
        return address
    if address is None:
        return Step(
            result=result(
                unit, "needs_info", say("address.missing", ctx.language, order=unit.order_id), "no complete address"
            )
        )
    call = ToolCall("modify_pending_order_address", {"order_id": unit.order_id, **address.as_kwargs()})

    def done(data: dict[str, Any]) -> RequestResult:
        return result(
            unit,
            "done",
            say("address.done", ctx.language, order=unit.order_id, address=address_text(address.as_kwargs())),
            f"shipping address of {unit.order_id} changed",
        )

    def error(err: dict[str, Any]) -> RequestResult | None:
        if str(err.get("code")) in {"order_not_pending", "invalid_status"}:
            return result(
                unit,
                "refused",
                say("address.not_pending", ctx.language, order=unit.order_id, status=status_from(err)),
                err.get("message", ""),
            )
        return None

    return write_step(unit, ctx, call, None, done, error)


def _address_for(unit: Unit, ctx: Context, intent: str) -> extract.Address | Step | None:
    """The address a change asks for: written out in the request; else the one the ticket gives
    for another change when the request points at it ('send that one to the new address as
    well'); for an order, the account's saved address when that is what the request names ('ship
    it to my home address, the one on my account'); else the ticket's address when this is the
    only change of its kind. None: ask for it."""
    found = extract.addresses(unit.text)
    if found:
        return found[-1]
    given = list({a: None for a in extract.addresses(ctx.ticket.customer_text)})
    if extract.names_new_address(unit.text) and len(given) == 1:
        return given[0]
    if intent == intents.ORDER_ADDRESS and extract.names_account_address(unit.text) and not given:
        need = need_customer(unit, ctx)
        return need if need is not None else _account_address(ctx)
    if given and sum(1 for u in ctx.units if u.intent == intent) == 1:
        return given[-1]
    return None


def _account_address(ctx: Context) -> extract.Address | None:
    saved = (ctx.facts.customer or {}).get("address")
    if not isinstance(saved, dict):
        return None
    fields = {name: str(saved.get(name) or "") for name in ("address1", "address2", "city", "state", "country", "zip")}
    if not (fields["address1"] and fields["city"] and fields["zip"]):
        return None
    return extract.Address(**fields)


def account_address(unit: Unit, ctx: Context) -> Step:
    address = _address_for(unit, ctx, intents.USER_ADDRESS)
    if isinstance(address, Step):
        return address
    if address is None:
        return Step(result=result(unit, "needs_info", say("user_address.missing", ctx.language), "no complete address"))
    call = ToolCall("modify_user_address", {"user_id": ctx.facts.customer_id, **address.as_kwargs()})

    def done(data: dict[str, Any]) -> RequestResult:
        return result(
            unit,
            "done",
            say("user_address.done", ctx.language, address=address_text(address.as_kwargs())),
            "default address changed",
        )

    return write_step(unit, ctx, call, None, done)


def order_payment(unit: Unit, ctx: Context) -> Step:
    order = order_with_customer(unit, ctx, ("pending",))
    if isinstance(order, Step):
        return order
    done_before = ctx.facts.settled("modify_pending_order_payment", order_id=unit.order_id)
    status = order.get("status", "")
    if status != "pending" and done_before is None:
        return Step(
            result=result(
                unit,
                "refused",
                say("payment.not_pending", ctx.language, order=unit.order_id, status=status),
                f"{unit.order_id} is {status}",
            )
        )
    current = original_payment(order)
    choice = payment_choice(unit, ctx, order, current=current, use_default=False)
    if not choice.ok:
        return Step(result=payment_problem(unit, ctx, choice))
    method_id = choice.value
    if method_id == current and done_before is None:
        return Step(
            result=result(
                unit,
                "needs_info",
                say(
                    "payment.same",
                    ctx.language,
                    order=unit.order_id,
                    method=matching.describe_method(method_id, ctx.facts.payment_methods),
                ),
                "already paid with that method",
            )
        )
    amount = paid_total(order)
    short = _balance_short(unit, ctx, order, current, amount)
    if short is not None:
        return Step(result=short)
    call = ToolCall("modify_pending_order_payment", {"order_id": unit.order_id, "payment_method_id": method_id})

    def done(data: dict[str, Any]) -> RequestResult:
        return result(
            unit,
            "done",
            say(
                "payment.done",
                ctx.language,
                order=unit.order_id,
                method=matching.describe_method(method_id, ctx.facts.payment_methods),
                amount=money(amount),
                old_method=matching.describe_method(current, ctx.facts.payment_methods),
            ),
            f"payment of {unit.order_id} moved to {method_id}",
        )

    def error(err: dict[str, Any]) -> RequestResult | None:
        code = str(err.get("code"))
        if code in {"order_not_pending", "invalid_status"}:
            return result(
                unit,
                "refused",
                say("payment.not_pending", ctx.language, order=unit.order_id, status=status_from(err)),
                err.get("message", ""),
            )
        if code in {"insufficient_gift_card_balance"}:
            return result(
                unit,
                "needs_info",
                say("payment.insufficient", ctx.language, methods=methods_text(ctx)),
                err.get("message", ""),
            )
        if code in {"payment_method_invalid"}:
            return result(
                unit,
                "needs_info",
                say("payment.which", ctx.language, order=unit.order_id, methods=methods_text(ctx)),
                err.get("message", ""),
            )
        return None

    return write_step(unit, ctx, call, None, done, error)


def _balance_short(
    unit: Unit, ctx: Context, order: dict[str, Any], current: str | None, total: float
) -> RequestResult | None:
    """'If my gift card has enough on it to cover the order, move the payment onto it; if not,
    leave it': decided on the gift card's balance against what the order costs. None when the
    move goes ahead (or no such condition was put on it)."""
    found = [c for c in conditions.found(unit.text) if c.topic in (conditions.BALANCE, conditions.OTHER)]
    if not any(c.topic == conditions.BALANCE for c in found):
        return None
    cards = [m for m in ctx.facts.payment_methods if str(m.get("id", "")).startswith("gift_card")]
    balance = cards[0].get("balance") if len(cards) == 1 else None
    if balance is None:
        return result(
            unit,
            "needs_info",
            say("payment.which", ctx.language, order=unit.order_id, methods=methods_text(ctx)),
            "gift card balance unknown",
        )
    then = conditions.branch_taken(found, {conditions.BALANCE: float(balance) >= total})
    if then == conditions.ACT:
        return None
    reply = say(
        "condition.balance_short",
        ctx.language,
        balance=money(float(balance)),
        total=money(total),
        order=unit.order_id,
        method=matching.describe_method(current, ctx.facts.payment_methods),
    )
    return result(unit, "answered", reply, f"condition not met: gift card balance {balance} < {total}")


_STATUS_NOTES = {
    "pending": " (it hasn't been processed or shipped yet)",
    "processed": " (it has been processed and is being prepared for shipping)",
    "delivered": "",
    "cancelled": "",
    "return requested": " (the return has been set up; the refund follows once the items are back)",
    "exchange requested": " (the exchange has been set up; the new items follow once the originals are back)",
    "pending (item modified)": " (its items were changed; it hasn't shipped yet)",
}


def order_status(unit: Unit, ctx: Context) -> Step:
    if unit.order_id is None:
        described = _described_order(unit, ctx)
        if described is None:
            return _all_orders_status(unit, ctx)
        if isinstance(described, Step):
            return described
    order = need_order(unit, ctx)
    if isinstance(order, Step):
        return order
    status = order.get("status", "unknown")
    lines = [
        say(
            "status.line",
            ctx.language,
            order=unit.order_id,
            status=status,
            status_note=_STATUS_NOTES.get(status, "") if ctx.language == "en" else "",
        )
    ]
    if ctx.language == "en":
        items = join_words([item_label(i) for i in order.get("items") or []])
        if items:
            lines.append(say("status.items", "en", items=items))
    refunds = [e for e in order.get("payment_history") or [] if e.get("transaction_type") == "refund"]
    if refunds and ctx.language == "en":
        need = need_customer(unit, ctx)
        if need is not None:
            return need
        lines.append(say("status.refunds", "en", refunds=_refunds_text(ctx, refunds)))
    tracking_ids = [t for f in order.get("fulfillments") or [] for t in f.get("tracking_id") or []]
    if tracking_ids and status in ("processed", "delivered", "shipped"):
        tracking = _tracking_line(ctx, order, status, tracking_ids[0])
        if isinstance(tracking, Step):
            return tracking
        lines.append(tracking)
    return Step(result=result(unit, "answered", " ".join(lines), f"{unit.order_id} is {status}"))


def _tracking_line(ctx: Context, order: dict[str, Any], status: str, tracking: str) -> Step | str:
    """The parcel's tracking number with its carrier and latest update, or the tracking read to make."""
    carrier, latest = "", ""
    # an order on its way comes with where its parcels are; else the tracking tool tells
    inline = next(
        (s for s in order.get("shipments") or [] if isinstance(s, dict) and s.get("tracking_id") == tracking), None
    )
    info: dict = {}
    if inline is not None:
        info = {"carrier": inline.get("carrier"), "events": [inline["latest"]] if inline.get("latest") else []}
    elif ctx.has("track_shipment") and status not in ("pending", "cancelled"):
        done = ctx.facts.settled("track_shipment", tracking_id=tracking)
        if done is None:
            return Step(reads=[ToolCall("track_shipment", {"tracking_id": tracking})])
        info = done.data if isinstance(done.data, dict) and done.ok else {}
    if info:
        carrier = f" with {info['carrier']}" if info.get("carrier") else ""
        events = info.get("events") or []
        if events:
            last = events[-1]
            latest = f"; latest update: {last.get('status', '')}" + (
                f" in {last['location']}" if last.get("location") else ""
            )
    return say("status.tracking", "en", tracking=tracking, carrier=carrier, latest=latest)


def _refunds_text(ctx: Context, refunds: list[dict[str, Any]]) -> str:
    """Each refund's amount and the payment method it went to, in words."""
    methods = ctx.facts.payment_methods
    parts = [
        f"{money(e.get('amount', 0))} to {matching.describe_method(e.get('payment_method_id'), methods)}"
        for e in refunds
    ]
    return join_words(parts)


def _described_order(unit: Unit, ctx: Context) -> Step | str | None:
    """The one order a status question describes ('the hose I sent to Columbus'), the step that
    gets or asks for it, or None when the question describes none ('where are my orders?')."""
    orders = customer_orders(unit, ctx)
    if isinstance(orders, Step):
        return orders if orders.result is None else None
    if not descriptions.describe(unit.text, orders, status_words=False).evidence:
        return None
    return resolve_order(unit, ctx, ())


def _all_orders_status(unit: Unit, ctx: Context) -> Step:
    if not ctx.has("list_customer_orders"):
        return Step(result=result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))
    if ctx.facts.customer_orders is None:
        return Step(reads=[ToolCall("list_customer_orders", {"customer_id": ctx.facts.customer_id})])
    orders = ctx.facts.customer_orders
    named = [o for o in orders if matching.item_mentions(unit.text, [i.get("name", "") for i in o.get("items") or []])]
    chosen = named or orders
    if not chosen or len(chosen) > 10:
        return Step(result=result(unit, "needs_info", say("order.missing", ctx.language), "no order id"))
    lines = [
        say("status.line", ctx.language, order=o["order_id"], status=o.get("status", ""), status_note="")
        for o in chosen
    ]
    return Step(result=result(unit, "answered", " ".join(lines), "status of the customer's orders"))


def billing(unit: Unit, ctx: Context) -> Step:
    for_items = answers.paid_question(unit, ctx)  # what was paid for the items named, or the order described
    if for_items is not None:
        return _with_method(unit, ctx, for_items)
    if unit.order_id is None:
        return order_status(unit, ctx)
    order = need_order(unit, ctx)
    if isinstance(order, Step):
        return order
    paid = paid_total(order)
    refunds = [e for e in order.get("payment_history") or [] if e.get("transaction_type") == "refund"]
    need = need_customer(unit, ctx)
    if need is not None:
        return need
    refunded = ""
    if refunds:
        refunded = "; refunds: " + _refunds_text(ctx, refunds)
    lines = [say("billing.line", "en", order=unit.order_id, paid=money(paid), refunded=refunded)]
    lines.append(say("status.line", ctx.language, order=unit.order_id, status=order.get("status", ""), status_note=""))
    return _with_method(
        unit, ctx, Step(result=result(unit, "answered", " ".join(lines), f"payments of {unit.order_id} explained"))
    )


def _with_method(unit: Unit, ctx: Context, step: Step) -> Step:
    """The answer, with the method the order was paid with when the question asks for it."""
    answered = step.result
    if answered is None or answered.status != "answered" or not intents.WHICH_METHOD.search(fold(unit.text)):
        return step
    ids = [answered.order_id] if answered.order_id else extract.order_ids(answered.detail)
    if len(set(ids)) != 1:
        return step
    unit.order_id = ids[0]
    order = need_order(unit, ctx)  # the order's payments, and the methods they name
    if isinstance(order, Step):
        return order if order.reads else step
    need = need_customer(unit, ctx)
    if need is not None:
        return need
    paid_with = original_payment(order)
    if paid_with is None:
        return step
    method = matching.describe_method(paid_with, ctx.facts.payment_methods).replace("your ", "")
    line = say("billing.method", ctx.language, order=ids[0], method=method)
    return Step(result=answered.model_copy(update={"reply": f"{answered.reply} {line}"}))
