"""Playbooks for the items of an order: returns of delivered items, and item changes (an exchange
of a delivered order or a modification of a pending one, told apart by the order's status)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from offline_model.playbooks.facts import original_payment
from offline_model.playbooks.steps import (
    Context,
    Step,
    Unit,
    methods_text,
    need_customer,
    need_order,
    order_with_customer,
    payment_choice,
    payment_problem,
    resolve_order,
    result,
    status_from,
    unique,
    which_item,
    write_step,
)
from offline_model.protocol import ToolCall
from offline_model.replies.render import item_label, join_words, money, say
from offline_model.schema import RequestResult
from offline_model.understanding import conditions, descriptions, extract, intents, lexicon, matching, preferences
from offline_model.understanding.acted_on import acted_on_text, kept_clauses
from offline_model.understanding.options import describe, option_space
from offline_model.understanding.text import fold, is_bullet, strip_bullet


def return_items(unit: Unit, ctx: Context) -> Step:
    order = order_with_customer(unit, ctx, ("delivered",))
    if isinstance(order, Step):
        return order
    status = order.get("status", "")
    if status != "delivered":
        return Step(result=_not_returnable(unit, ctx, status))
    items = _items_to_return(unit, ctx, order)
    if isinstance(items, RequestResult):
        return Step(result=items)
    unread = _unread_list_lines(unit.text, ctx.ticket.customer_text, ctx.facts.customer_orders or [order])
    if unread:
        # a listed thing to send back that no item of the customer's orders answers to: returning
        # the others would act on part of the request
        return Step(result=which_item(unit, ctx, order, detail=f"no item of the orders is named in '{unread[0]}'"))
    return _return_step(unit, ctx, order, items)


def _return_step(
    unit: Unit, ctx: Context, order: dict[str, Any], items: list[dict[str, Any]], notes: tuple[str, ...] = ()
) -> Step:
    """The return of these items of a delivered order, refunded where the customer said (`notes`
    lead the reply: why the items go back rather than being changed)."""
    original = original_payment(order)
    method_id = _refund_method(unit, ctx, order, original)
    if isinstance(method_id, RequestResult):
        return Step(result=method_id)
    item_ids = [item["item_id"] for item in items]
    call = ToolCall(
        "return_delivered_order_items",
        {"order_id": unit.order_id, "item_ids": item_ids, "payment_method_id": method_id},
    )
    amount = round(sum(float(item.get("price", 0)) for item in items), 2)
    labels = join_words([item_label(i) for i in items], ctx.language)

    def done(data: dict[str, Any]) -> RequestResult:
        reply = say(
            "return.done",
            ctx.language,
            items=labels,
            order=unit.order_id,
            amount=money(amount),
            method=matching.describe_method(method_id, ctx.facts.payment_methods),
        )
        reply = " ".join([*notes, reply])
        return result(
            unit, "done", reply, f"return of {', '.join(item_ids)} from {unit.order_id} to {method_id}", refund=amount
        )

    def error(err: dict[str, Any]) -> RequestResult | None:
        code = str(err.get("code"))
        if code in {"order_not_delivered", "invalid_status"}:
            return result(
                unit,
                "refused",
                say(
                    "return.not_delivered", ctx.language, order=unit.order_id, status=status_from(err, "not delivered")
                ),
                err.get("message", ""),
            )
        if code in {"payment_method_invalid"}:
            return _bad_refund_method(unit, ctx, original, err.get("message", ""))
        if code == "item_not_in_order":
            return which_item(unit, ctx, order)
        return None

    def approval(data: dict[str, Any]) -> RequestResult:
        return result(
            unit,
            "pending_approval",
            say(
                "return.pending_approval",
                ctx.language,
                items=labels,
                order=unit.order_id,
                amount=money(amount),
                method=matching.describe_method(method_id, ctx.facts.payment_methods),
            ),
            f"return from {unit.order_id} awaiting approval {data.get('approval_id', '')}",
            refund=amount,
        )

    return write_step(unit, ctx, call, None, done, error, approval)


_Picked = TypeVar("_Picked")


def _first_named(text: str, pick: Callable[[str], _Picked]) -> _Picked:
    """Items picked where the request can name them (acted_on_text: not in the story around it, not
    what the customer keeps, not what says which order is meant); with the story when the request
    names them only there."""
    focused = pick(acted_on_text(text))
    picked = focused.ok if isinstance(focused, matching.Match) else bool(focused)
    # never the whole text: an item named only in the story's descriptions is asked about instead
    return focused if picked else pick(acted_on_text(text, with_story=True))


def _items_to_return(unit: Unit, ctx: Context, order: dict[str, Any]) -> list[dict[str, Any]] | RequestResult:
    """The items the request names - or, for 'everything except X and Y', the order's items but
    those, each kept phrase naming exactly one item of the order (else a question back)."""
    items = order.get("items") or []
    exception = conditions.exception_in(unit.text) or _rest_after_keeping(
        unit.text, items, ctx.facts.customer_orders or [order]
    )
    if exception is None:
        selection = _first_named(unit.text, lambda text: matching.select_items(text, items))
        return selection.value if selection.ok else which_item(unit, ctx, order)
    kept = matching.excepted_items(exception.kept, items)
    if kept is None or len(kept) == len(items):
        return which_item(unit, ctx, order)
    return [item for n, item in enumerate(items) if n not in kept]


def _rest_after_keeping(
    text: str, items: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> conditions.Exception_ | None:
    """'I'll keep the camera; please return everything else': an all-except whose kept phrases are
    the keeping clauses naming items of this order, when the words that ask name 'the rest' and no
    item of their own, and the keeping clauses name items of the customer's orders."""
    asked = acted_on_text(text, with_story=True)
    every_name = list(dict.fromkeys(str(i.get("name", "")) for o in orders for i in o.get("items") or []))
    if not descriptions.THE_REST.search(asked):
        return None
    clauses = [clause for clause in kept_clauses(text) if matching.item_mentions(clause, every_name)]
    kept_names = {m.name for clause in clauses for m in matching.item_mentions(clause, every_name)}
    if not clauses or any(m.name in kept_names for m in matching.item_mentions(asked, every_name)):
        return None  # 'the rest (yes, the t-shirts too)' may name what goes; never what is kept
    if any(_unnamed_kept_phrase(clause, every_name) for clause in clauses):
        return None  # 'we keep the backpack and the thing from the fair': one kept thing not placed
    names = [str(item.get("name", "")) for item in items]
    kept = tuple(clause for clause in clauses if matching.item_mentions(clause, names))
    return conditions.Exception_(kept, " ".join(clauses))


_KEEP_OBJECT = re.compile(
    r"\b(?:keep(?:ing)?|hang(?:ing)?\s+on\s+to|hold(?:ing)?\s+on\s+to)\s+(?P<objects>[^.;:!?()]+)"
)
_AND = re.compile(r",\s*(?:and\s+)?|\s+(?:and|&|plus)\s+")


def _unnamed_kept_phrase(clause: str, names: list[str]) -> str | None:
    """A thing kept ('keep the backpack and the lamp') that names no item of the customer's orders."""
    found = _KEEP_OBJECT.search(fold(" ".join(clause.split())))
    if found is None:
        return None
    for phrase in _AND.split(found.group("objects")):
        words = phrase.strip()
        if re.match(r"^(?:the|my|a|an|that|this|those|these|both)\s+\w", words) and not matching.item_mentions(
            words, names
        ):
            return words
    return None


def _unread_list_lines(text: str, body: str, orders: list[dict[str, Any]]) -> list[str]:
    """The lines of a list of the request's ('- the blue earbuds from the order with the lamp') that
    name no item of the customer's orders where they can name what to act on, and say nothing else
    the model reads (a payment method, what they keep)."""
    items = [item for order in orders for item in order.get("items") or []]
    request = " ".join(text.split())
    unread = []
    for line in body.splitlines():
        words = " ".join(strip_bullet(line).split())
        if not is_bullet(line) or words not in request:
            continue
        if extract.payment_refs(words) or kept_clauses(words) or len(words.split()) < 2:
            continue
        if not matching.select_items(acted_on_text(words, with_story=True), items).ok:
            unread.append(words)
    return unread


def _refund_method(unit: Unit, ctx: Context, order: dict[str, Any], original: str | None) -> str | RequestResult:
    """Where the refund goes: the method the customer asks for, which must be the original one or
    a gift card; with ordered alternatives, the first of them the rules allow."""
    choice = payment_choice(unit, ctx, order)
    if not choice.ok:
        return payment_problem(unit, ctx, choice)
    method_id: str | None = choice.value
    if not _refundable_to(method_id, original, ctx):
        # 'to my Visa - if that isn't allowed, PayPal': the next method the customer named that the rules allow
        method_id = _refund_alternative(unit, ctx, original)
    if method_id is None:
        return _bad_refund_method(unit, ctx, original, "refund method must be the original one or a gift card")
    return method_id


def _refund_alternative(unit: Unit, ctx: Context, original: str | None) -> str | None:
    """The first method of the customer's ordered alternatives a refund may go to, when the ticket
    gives alternatives ('if that isn't possible, PayPal'); None otherwise."""
    if not any(c.topic == conditions.FALLBACK for c in conditions.found(unit.text)):
        return None
    for choice in matching.payment_alternatives(extract.payment_refs(unit.text), ctx.facts.payment_methods, original):
        if choice.ok and _refundable_to(choice.value, original, ctx):
            return str(choice.value)
    return None


def _not_returnable(unit: Unit, ctx: Context, status: str) -> RequestResult:
    """Only delivered orders can be returned; a pending one can be cancelled instead."""
    reply = say("return.not_delivered", ctx.language, order=unit.order_id, status=status)
    if status == "pending":
        reply += say("return.not_delivered_pending", ctx.language)
    return result(unit, "refused", reply, f"return refused: {unit.order_id} is {status}")


def _refundable_to(method_id: Any, original: str | None, ctx: Context) -> bool:
    """A return is refunded to the order's original payment method or to a gift card."""
    method = next((m for m in ctx.facts.payment_methods if m.get("id") == method_id), {})
    return method_id == original or method.get("source") == "gift_card" or str(method_id).startswith("gift_card")


def _bad_refund_method(unit: Unit, ctx: Context, original: str | None, detail: str) -> RequestResult:
    return result(
        unit,
        "refused",
        say(
            "return.bad_method",
            ctx.language,
            original=matching.describe_method(original, ctx.facts.payment_methods).replace("your ", ""),
        ),
        detail,
    )


def change_items(unit: Unit, ctx: Context) -> Step:
    order = _order_to_change(unit, ctx)
    if isinstance(order, Step):
        return order
    tool = _change_tool(unit, ctx, order)
    if isinstance(tool, Step):
        return tool
    if not ctx.has(tool):
        # known before reading products: the manager hands the request to a coworker who has the tool
        return _reroute(unit, ctx, tool)
    specs = _first_named(unit.text, lambda text: matching.change_specs(text, order.get("items") or []))
    if isinstance(specs, matching.Match) or not specs:
        return Step(result=which_item(unit, ctx, order))
    reads = _product_reads(unit, ctx, specs)
    if reads is not None:
        return reads
    change = _item_change(unit, ctx, specs)
    if isinstance(change, RequestResult):
        return Step(result=change)
    decided = _decided_by_conditions(unit, ctx, order, tool, change)
    if decided is not None:
        return decided
    choice = _balance_choice(unit, ctx, change.difference) or payment_choice(
        unit, ctx, order, flow=preferences.flow_of(change.difference)
    )
    if not choice.ok:
        return Step(result=payment_problem(unit, ctx, choice))
    method_id = choice.value
    change.notes += [choice.extra["note"]] if choice.extra.get("note") else []
    # a gift card's balance is checked by the store itself: the balance read earlier may be stale
    call = ToolCall(
        tool,
        {
            "order_id": unit.order_id,
            "item_ids": change.old_ids,
            "new_item_ids": change.new_ids,
            "payment_method_id": method_id,
        },
    )
    change_text = join_words(change.changes, ctx.language)
    diff_text = _difference_text(ctx, change.difference, matching.describe_method(method_id, ctx.facts.payment_methods))

    def done(data: dict[str, Any]) -> RequestResult:
        key = "exchange.done" if tool.startswith("exchange") else "modify.done"
        return result(
            unit,
            "done",
            " ".join(
                [
                    say(key, ctx.language, order=unit.order_id, changes=change_text, difference=diff_text).strip(),
                    *change.notes,
                ]
            ),
            f"{tool} {unit.order_id}: {change.old_ids} -> {change.new_ids}, "
            f"difference {change.difference} via {method_id}",
        )

    def approval(data: dict[str, Any]) -> RequestResult:
        return result(
            unit,
            "pending_approval",
            say("items.pending_approval", ctx.language, order=unit.order_id, changes=change_text),
            f"{tool} {unit.order_id} awaiting approval {data.get('approval_id', '')}",
        )

    return write_step(unit, ctx, call, None, done, lambda err: _change_error(unit, ctx, err), approval)


_RETURN_TOOL = "return_delivered_order_items"


def _reroute(unit: Unit, ctx: Context, tool: str) -> Step:
    return Step(result=result(unit, "failed", say("failed", ctx.language), f"{tool} not granted", reroute=tool))


def _decided_by_conditions(
    unit: Unit, ctx: Context, order: dict[str, Any], tool: str, change: _ItemChange
) -> Step | None:
    """What the customer's conditions make of the change, when it is not the change itself: the
    items go back instead, or nothing is done; None to make the change (with the tool for it)."""
    if change.returned:
        # 'if you don't have it in medium, just take it back': the items go back, when nothing else changes
        if change.old_ids or not tool.startswith("exchange"):
            return Step(result=result(unit, "needs_info", say("items.which_item_condition", ctx.language), "mixed"))
        if not ctx.has(_RETURN_TOOL):
            # the coworker who returns items takes it as a return of them (its conditions decided here)
            detail = f"{_RETURN_TOOL} not granted: the conditions send the items back"
            return Step(
                result=result(
                    unit, "failed", say("failed", ctx.language), detail, reroute=_RETURN_TOOL, as_intent=intents.RETURN
                )
            )
        return _return_step(unit, ctx, order, change.returned, tuple(change.notes))
    if not change.old_ids:  # every change was conditioned, and no condition held: nothing to do
        return Step(result=result(unit, "answered", " ".join(change.notes), "conditions not met: order left as is"))
    if not ctx.has(tool):
        return _reroute(unit, ctx, tool)
    return None


@dataclass
class _ItemChange:
    """The items a request swaps, the versions they become, and the price difference."""

    old_ids: list[str] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # each swap in words, for the reply
    difference: float = 0.0
    notes: list[str] = field(default_factory=list)  # the changes a condition of the customer held back
    returned: list[dict[str, Any]] = field(default_factory=list)  # items a condition sends back instead


def _order_to_change(unit: Unit, ctx: Context) -> Step | dict[str, Any]:
    """The order whose items change, or the reads to make first: with the order go the customer's
    details and the catalog products the text names."""
    resolved = resolve_order(unit, ctx, ("pending", "delivered"))
    if isinstance(resolved, Step):
        return resolved
    order = need_order(unit, ctx)
    need = need_customer(unit, ctx)
    if isinstance(order, Step):
        if order.result is None:
            order.reads += (need.reads if need is not None else []) + named_products(unit, ctx)
        return order
    if need is not None:
        return need
    return order


def _change_tool(unit: Unit, ctx: Context, order: dict[str, Any]) -> Step | str:
    """The write the order's status allows: a pending order's items are modified (once), a
    delivered order's exchanged; any other status refuses the change."""
    status = order.get("status", "")
    if status == "pending":
        return "modify_pending_order_items"
    if status == "delivered":
        return "exchange_delivered_order_items"
    if status.startswith("pending"):
        return Step(
            result=result(
                unit,
                "refused",
                say("items.already_modified", ctx.language, order=unit.order_id),
                f"{unit.order_id} is {status}",
            )
        )
    return Step(
        result=result(
            unit,
            "refused",
            say("items.not_changeable", ctx.language, order=unit.order_id, status=status),
            f"{unit.order_id} is {status}",
        )
    )


def _product_reads(unit: Unit, ctx: Context, specs: list[tuple[dict[str, Any], str]]) -> Step | None:
    """The reads of the changed items' products not known yet, if any."""
    missing = unique(
        [
            ToolCall("get_product_details", {"product_id": item["product_id"]})
            for item, _ in specs
            if item.get("product_id") not in ctx.facts.products
            and item.get("product_id") not in ctx.facts.product_errors
        ]
    )
    if not missing:
        return None
    if not ctx.has("get_product_details"):
        return Step(result=result(unit, "failed", say("failed", ctx.language), "get_product_details not granted"))
    return Step(reads=missing)


def _item_change(unit: Unit, ctx: Context, specs: list[tuple[dict[str, Any], str]]) -> _ItemChange | RequestResult:
    """The version each item becomes, or why one can't be chosen."""
    change = _ItemChange()
    conditioned = _conditions_per_spec(unit, specs)
    if conditioned is None:
        return result(unit, "needs_info", say("items.which_item_condition", ctx.language), "conditions not placed")
    for (item, segment), on_item in zip(specs, conditioned, strict=True):
        product = ctx.facts.products.get(str(item.get("product_id")))
        if product is None:
            return result(unit, "failed", say("failed", ctx.language), "product lookup failed")
        instead = next((c for c in on_item if c.then == conditions.INSTEAD), None)
        if instead is not None:
            on_item = [c for c in on_item if c is not instead]
            variant, note = _wanted_or_instead(segment, item, product, instead, ctx)
            change.notes += [note] if note else []
        else:
            variant = matching.select_variant(segment, item, product)
        if on_item:
            held = _held_back(unit, ctx, item, variant, on_item)
            if isinstance(held, RequestResult):
                return held
            if isinstance(held, _ReturnInstead):
                change.returned.append(item)
                change.notes.append(held.note)
                continue
            if held:
                change.notes.append(held)
                continue
        if not variant.ok:
            return _variant_problem(unit, ctx, item, product, variant)
        change.old_ids.append(item["item_id"])
        change.new_ids.append(variant.value["item_id"])
        change.difference += float(variant.value.get("price", 0)) - float(item.get("price", 0))
        changed = {k: v for k, v in variant.value["options"].items() if item["options"].get(k) != v}
        change.changes.append(
            f"{item_label(item)} ({describe(item['options'])}) for the version with {describe(changed)}"
        )
    change.difference = round(change.difference, 2)
    return change


def _wanted_or_instead(
    segment: str, item: dict[str, Any], product: dict[str, Any], instead: conditions.Condition, ctx: Context
) -> tuple[matching.Match, str]:
    """'The wireless ones in red; if those are out of stock, black is fine': the version asked for,
    or, when it is unavailable, the one the customer accepts instead (with a sentence saying so).
    The first choice is read without the condition's words, which name the other version."""
    first = fold(" ".join(segment.split())).replace(fold(instead.words), " ")
    wanted = matching.select_variant(first, item, product)
    if wanted.problem != "unavailable":
        return wanted, ""
    other = matching.select_variant(first, item, product, instead=instead.alternative)
    if not other.ok:
        return other, ""
    return other, say("condition.instead", ctx.language, wanted=wanted.detail, other=describe(other.value["options"]))


def _balance_choice(unit: Unit, ctx: Context, difference: float) -> matching.Match | None:
    """'Any extra cost: gift card if its balance covers it, otherwise my Visa': the gift card when
    its balance covers what the change costs, else the other method named. None without such a
    condition; a question back when the words do not name exactly the gift card and one other."""
    if not any(c.topic == conditions.BALANCE for c in conditions.found(unit.text)):
        return None
    methods = ctx.facts.payment_methods
    refs = [r for r in extract.payment_refs(unit.text) if not r.negated]
    cards = [m for m in methods if str(m.get("id", "")).startswith("gift_card")]
    others = [r for r in refs if r.source != "gift_card"]
    if len(cards) != 1 or cards[0].get("balance") is None or len(others) != 1:
        return matching.Match(problem="missing", detail="payment method")
    balance = float(cards[0]["balance"])
    if balance >= max(difference, 0.0):
        return matching.Match(value=cards[0]["id"])
    other = matching.select_payment(others, methods)
    if other.ok:
        method = matching.describe_method(other.value, methods)
        note = say(
            "condition.balance_other", ctx.language, balance=money(balance), amount=money(difference), method=method
        )
        other.extra["note"] = note
    return other


def _conditions_per_spec(unit: Unit, specs: list[tuple[dict[str, Any], str]]) -> list[list[Any]] | None:
    """The customer's conditions on each item change: all of the request's for a single change;
    with several, those written in each change's own words (None when one is in no change's)."""
    deciding = _on_the_items(conditions.found(unit.text))
    if len(specs) == 1:
        return [deciding]
    per_spec = [_on_the_items(conditions.found(segment)) for _, segment in specs]
    placed = {c.words for conds in per_spec for c in conds}
    return per_spec if all(c.words in placed for c in deciding) else None


def _on_the_items(found: list[conditions.Condition]) -> list[conditions.Condition]:
    """The conditions the items' versions decide: not where money goes ('if there's a difference,
    PayPal'; 'gift card if its balance covers it, otherwise my Visa': _balance_choice)."""
    out: list[conditions.Condition] = []
    previous = ""
    for c in found:
        about_money = c.topic in (conditions.DIFFERENCE, conditions.DONE, conditions.BALANCE)
        if not about_money and not (c.topic == conditions.OTHER and previous == conditions.BALANCE):
            out.append(c)
        previous = c.topic
    return out


@dataclass(frozen=True)
class _ReturnInstead:
    """A condition sends the item back instead of changing it; `note` tells the customer why."""

    note: str


def _held_back(
    unit: Unit, ctx: Context, item: dict[str, Any], variant: matching.Match, on_item: list[Any]
) -> str | _ReturnInstead | RequestResult:
    """'' when the customer's conditions let this change go ahead; else the sentence that tells
    them what was found and that the item stays (or goes back instead; a question back when the
    data can't decide)."""
    facts = _item_facts(item, variant, on_item)
    then = conditions.branch_taken(on_item, facts) if facts is not None else None
    if then is None:
        if not variant.ok and conditions.AVAILABILITY not in _topics_of(on_item):
            return ""  # the variant problem is reported as without a condition
        return result(unit, "needs_info", say("items.which_item_condition", ctx.language), "condition not decidable")
    if then == conditions.ACT and variant.ok:
        return ""
    if variant.ok:
        new, old = float(variant.value.get("price", 0)), float(item.get("price", 0))
        why = say("condition.price", ctx.language, new=money(new), old=money(old), diff=money(abs(new - old)))
    else:
        why = say("condition.unavailable", ctx.language, wanted=variant.detail or "those options")
    if then == conditions.RETURN_IT:
        return _ReturnInstead(say("condition.returned_instead", ctx.language, item=item_label(item), why=why))
    return say("condition.not_met", ctx.language, item=item_label(item), why=why)


def _topics_of(found: list[Any]) -> set[str]:
    return {c.topic for c in found}


def _item_facts(item: dict[str, Any], variant: matching.Match, on_item: list[Any]) -> dict[str, bool] | None:
    """Whether the wanted version is available, and within the customer's price limit."""
    if not variant.ok and variant.problem not in ("unavailable", "no_such_variant"):
        return None
    if not variant.ok:
        return {conditions.AVAILABILITY: False, conditions.PRICE: False}
    new, old = float(variant.value.get("price", 0)), float(item.get("price", 0))
    limit = next((c for c in on_item if c.topic == conditions.PRICE and c.versus not in ("", "previous")), None)
    within = round(new - old, 2) <= 0
    if limit is not None and limit.versus == "difference" and limit.limit is not None:
        diff = round(new - old, 2)
        within = diff <= limit.limit if limit.inclusive else diff < limit.limit
    elif limit is not None and limit.versus != "paid" and not _names_item(limit.versus, item):
        return None  # 'no more than the beige one' where the beige one is not this item
    return {conditions.AVAILABILITY: True, conditions.PRICE: within}


def _names_item(words: str, item: dict[str, Any]) -> bool:
    """'the beige one' describes the item when each of its words is in the item's name or options."""
    own = set(fold(" ".join([str(item.get("name", "")), *map(str, (item.get("options") or {}).values())])).split())
    wanted = set(re.findall(r"[a-z0-9]+", fold(words))) - {"the", "one", "ones", "current", "old", "my", "i", "have"}
    return bool(wanted) and wanted <= own


def _difference_text(ctx: Context, difference: float, described: str) -> str:
    if difference > 0:
        return say("items.difference_charge", ctx.language, amount=money(difference), method=described)
    if difference < 0:
        return say("items.difference_refund", ctx.language, amount=money(-difference), method=described)
    return say("items.difference_none", ctx.language)


def _change_error(unit: Unit, ctx: Context, err: dict[str, Any]) -> RequestResult | None:
    """The reply to an item change the store refused; None for the generic handling."""
    code = str(err.get("code"))
    if code == "insufficient_gift_card_balance":
        return result(
            unit,
            "needs_info",
            say("payment.insufficient", ctx.language, methods=methods_text(ctx)),
            err.get("message", ""),
        )
    if code in {"order_not_pending", "order_not_delivered", "invalid_status"}:
        return result(
            unit,
            "refused",
            say("items.not_changeable", ctx.language, order=unit.order_id, status=status_from(err)),
            err.get("message", ""),
        )
    if code in {"variant_unavailable"}:
        return result(
            unit,
            "needs_info",
            say("items.unavailable", ctx.language, product="item", wanted="those options"),
            err.get("message", ""),
        )
    if code == "payment_method_invalid":
        return result(
            unit,
            "needs_info",
            say("payment.which", ctx.language, order=unit.order_id, methods=methods_text(ctx)),
            err.get("message", ""),
        )
    return None


def _variant_problem(
    unit: Unit, ctx: Context, item: dict[str, Any], product: dict[str, Any], variant: matching.Match
) -> RequestResult:
    name = product.get("name", item.get("name", "item"))
    variants = [v for v in (product.get("variants") or {}).values() if v.get("available")]
    space = option_space(variants)
    choices = "; ".join(f"{key}: {', '.join(sorted(values))}" for key, values in space.items())
    if variant.problem == "unavailable":
        reply = (
            say("items.unavailable", ctx.language, product=name, wanted=variant.detail)
            + " "
            + say("items.which_version", ctx.language, product=name, choices=f"Available options: {choices}.")
        )
    elif variant.problem == "no_such_variant":
        other = _another_product(unit.text, str(name))
        if other is not None:
            # 'exchange the tea kettle for one of your electric kettles': an exchange or change stays
            # within one product (policies/exchanges.md); another product is a return and a new order
            reply = say("items.other_product", ctx.language, product=name, other=other)
            return result(unit, "refused", reply, f"asked for another product ({other}) instead of a {name}")
        reply = say("items.no_such_version", ctx.language, product=name, wanted=variant.detail, choices=choices)
    elif variant.problem == "ambiguous":
        options = [describe({k: v for k, v in c["options"].items()}) for c in variant.extra.get("variants", [])][:4]
        reply = say(
            "items.which_version", ctx.language, product=name, choices="For example: " + "; or ".join(options) + "."
        )
    else:
        reply = say("items.which_version", ctx.language, product=name, choices=f"Available options: {choices}.")
    return result(unit, "needs_info", reply, f"variant {variant.problem}: {variant.detail}")


def _another_product(text: str, name: str) -> str | None:
    """The catalog product other than `name` that the wanted version is said to be ('for one of
    your electric kettles'), named after a word that introduces what is wanted."""
    names = [n.title() for n in lexicon.NAMES if n != fold(name)]
    for found in _FOR_WANTED.finditer(fold(" ".join(text.split()))):
        wanted = matching.item_mentions(found.group("wanted"), [*names, name])
        if wanted and wanted[0].name != name and fold(wanted[0].name) != fold(name):
            return wanted[0].name
    return None


_FOR_WANTED = re.compile(r"\b(?:for|into|to|with)\s+(?:one\s+of\s+)?(?:your|a|an|the)\s+(?P<wanted>[^.;!?]{0,60})")


def named_products(unit: Unit, ctx: Context) -> list[ToolCall]:
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
