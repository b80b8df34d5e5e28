"""Playbooks for the items of an order: returns of delivered items, and item changes (an exchange
of a delivered order or a modification of a pending one, told apart by the order's status)."""

from __future__ import annotations

from typing import Any

from offline_model.playbooks.facts import original_payment
from offline_model.playbooks.steps import (
    Context, Step, Unit, methods_text, need_customer, need_order, payment_choice, payment_problem,
    order_with_customer, resolve_order, result, status_from, unique, which_item, write_step,
)
from offline_model.protocol import ToolCall
from offline_model.replies.render import item_label, join_words, money, say
from offline_model.schema import RequestResult
from offline_model.understanding import matching
from offline_model.understanding.options import describe, option_space


def return_items(unit: Unit, ctx: Context) -> Step:
    order = order_with_customer(unit, ctx, ("delivered",))
    if isinstance(order, Step):
        return order
    status = order.get("status", "")
    if status != "delivered":
        reply = say("return.not_delivered", ctx.language, order=unit.order_id, status=status)
        if status == "pending":
            reply += say("return.not_delivered_pending", ctx.language)
        return Step(result=result(unit, "refused", reply, f"return refused: {unit.order_id} is {status}"))
    selection = matching.select_items(unit.text, order.get("items") or [])
    if not selection.ok:
        return Step(result=which_item(unit, ctx, order))
    items = selection.value
    original = original_payment(order)
    choice = payment_choice(unit, ctx, order)
    if not choice.ok:
        return Step(result=payment_problem(unit, ctx, choice))
    method_id = choice.value
    method = next((m for m in ctx.facts.payment_methods if m.get("id") == method_id), {})
    if method_id != original and method.get("source") != "gift_card" and not str(method_id).startswith("gift_card"):
        return Step(result=result(unit, "needs_info", say(
            "return.bad_method", ctx.language, original=matching.describe_method(original, ctx.facts.payment_methods).replace("your ", "")),
            "refund method must be the original one or a gift card"))
    item_ids = [item["item_id"] for item in items]
    call = ToolCall("return_delivered_order_items", {"order_id": unit.order_id, "item_ids": item_ids, "payment_method_id": method_id})
    amount = round(sum(float(item.get("price", 0)) for item in items), 2)
    labels = join_words([item_label(i) for i in items], ctx.language)

    def done(data: dict[str, Any]) -> RequestResult:
        reply = say("return.done", ctx.language, items=labels, order=unit.order_id, amount=money(amount),
                    method=matching.describe_method(method_id, ctx.facts.payment_methods))
        return result(unit, "done", reply, f"return of {', '.join(item_ids)} from {unit.order_id} to {method_id}")

    def error(err: dict[str, Any]) -> RequestResult | None:
        code = str(err.get("code"))
        if code in {"order_not_delivered", "invalid_status"}:
            return result(unit, "refused", say("return.not_delivered", ctx.language, order=unit.order_id, status=status_from(err, "not delivered")), err.get("message", ""))
        if code in {"payment_method_invalid"}:
            return result(unit, "needs_info", say("return.bad_method", ctx.language, original=matching.describe_method(original, ctx.facts.payment_methods).replace("your ", "")), err.get("message", ""))
        if code == "item_not_in_order":
            return which_item(unit, ctx, order)
        return None

    def approval(data: dict[str, Any]) -> RequestResult:
        return result(unit, "pending_approval", say("return.pending_approval", ctx.language, items=labels, order=unit.order_id),
                       f"return from {unit.order_id} awaiting approval {data.get('approval_id', '')}")

    return write_step(unit, ctx, call, None, done, error, approval)


def change_items(unit: Unit, ctx: Context) -> Step:
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
    status = order.get("status", "")
    if status == "pending":
        tool = "modify_pending_order_items"
    elif status == "delivered":
        tool = "exchange_delivered_order_items"
    elif status.startswith("pending"):
        return Step(result=result(unit, "refused", say("items.already_modified", ctx.language, order=unit.order_id), f"{unit.order_id} is {status}"))
    else:
        return Step(result=result(unit, "refused", say("items.not_changeable", ctx.language, order=unit.order_id, status=status), f"{unit.order_id} is {status}"))
    if not ctx.has(tool):
        # known before reading products: the manager hands the request to a coworker who has the tool
        return Step(result=result(unit, "failed", say("failed", ctx.language), f"{tool} not granted", reroute=tool))
    specs = matching.change_specs(unit.text, order.get("items") or [])
    if isinstance(specs, matching.Match) or not specs:
        return Step(result=which_item(unit, ctx, order))
    missing = unique([ToolCall("get_product_details", {"product_id": item["product_id"]}) for item, _ in specs
                       if item.get("product_id") not in ctx.facts.products and item.get("product_id") not in ctx.facts.product_errors])
    if missing:
        if not ctx.has("get_product_details"):
            return Step(result=result(unit, "failed", say("failed", ctx.language), "get_product_details not granted"))
        return Step(reads=missing)
    old_ids: list[str] = []
    new_ids: list[str] = []
    changes: list[str] = []
    difference = 0.0
    for item, segment in specs:
        product = ctx.facts.products.get(item.get("product_id"))
        if product is None:
            return Step(result=result(unit, "failed", say("failed", ctx.language), "product lookup failed"))
        variant = matching.select_variant(segment, item, product)
        if not variant.ok:
            return Step(result=_variant_problem(unit, ctx, item, product, variant))
        old_ids.append(item["item_id"])
        new_ids.append(variant.value["item_id"])
        difference += float(variant.value.get("price", 0)) - float(item.get("price", 0))
        changed = {k: v for k, v in variant.value["options"].items() if item["options"].get(k) != v}
        changes.append(f"{item_label(item)} ({describe(item['options'])}) for the version with {describe(changed)}")
    difference = round(difference, 2)
    choice = payment_choice(unit, ctx, order)
    if not choice.ok:
        return Step(result=payment_problem(unit, ctx, choice))
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
        return result(unit, "done", say(key, ctx.language, order=unit.order_id, changes=change_text, difference=diff_text).strip(),
                       f"{tool} {unit.order_id}: {old_ids} -> {new_ids}, difference {difference} via {method_id}")

    def error(err: dict[str, Any]) -> RequestResult | None:
        code = str(err.get("code"))
        if code == "insufficient_gift_card_balance":
            return result(unit, "needs_info", say("payment.insufficient", ctx.language, methods=methods_text(ctx)), err.get("message", ""))
        if code in {"order_not_pending", "order_not_delivered", "invalid_status"}:
            return result(unit, "refused", say("items.not_changeable", ctx.language, order=unit.order_id, status=status_from(err)), err.get("message", ""))
        if code in {"variant_unavailable"}:
            return result(unit, "needs_info", say("items.unavailable", ctx.language, product="item", wanted="those options"), err.get("message", ""))
        if code == "payment_method_invalid":
            return result(unit, "needs_info", say("payment.which", ctx.language, order=unit.order_id, methods=methods_text(ctx)), err.get("message", ""))
        return None

    def approval(data: dict[str, Any]) -> RequestResult:
        return result(unit, "pending_approval", say("items.pending_approval", ctx.language, order=unit.order_id, changes=change_text),
                       f"{tool} {unit.order_id} awaiting approval {data.get('approval_id', '')}")

    return write_step(unit, ctx, call, None, done, error, approval)


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
    return result(unit, "needs_info", reply, f"variant {variant.problem}: {variant.detail}")


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
