"""The seven store-changing operations of CONTRACTS §2 as pure functions on records.

Each takes the records it needs (dicts in the data's exact shape) and keyword arguments named as in
the contract, checks the preconditions, and returns an `Effect` holding *new* records; inputs are
never mutated, so a refused precondition changes nothing. Money is rounded to cents with
`round(x, 2)` wherever the contract says so (gift card balances, price differences).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox_store.errors import StoreError

Record = dict[str, Any]

CANCEL_REASONS = ("no longer needed", "ordered by mistake")


@dataclass(frozen=True)
class Refund:
    amount: float
    payment_method_id: str


@dataclass(frozen=True)
class Effect:
    """What an operation changes. `order`/`user` are the records after the change (None: untouched);
    `refunds` lists the refund entries appended to the payment history; `amount` is the money the
    operation sends back or charges (0 for address changes)."""

    order: Record | None
    user: Record | None
    amount: float
    refunds: list[Refund] = field(default_factory=list)


def cents(value: float) -> float:
    return round(value, 2)


# --- checks shared by several operations --------------------------------------------------------


def _require_status(order: Record, status: str, code: str, action: str) -> None:
    if order["status"] != status:
        raise StoreError(
            code,
            f"Order {order['order_id']} is '{order['status']}'; only a '{status}' order can be "
            f"{action}. Tell the customer what its status allows instead.",
        )


def _customer_method(user: Record, payment_method_id: str, order_id: str | None = None) -> Record:
    method = user["payment_methods"].get(payment_method_id)
    if method is None:
        owner = f"the customer of order {order_id}" if order_id else "this customer"
        raise StoreError(
            "payment_method_invalid",
            f"Payment method '{payment_method_id}' is not one of {owner}'s payment methods "
            f"({', '.join(user['payment_methods'])}). Use one of those ids.",
        )
    return method


def _require_gift_card_cover(method: Record, amount: float) -> None:
    if method["source"] == "gift_card" and method["balance"] < amount:
        raise StoreError(
            "insufficient_gift_card_balance",
            f"Gift card {method['id']} has a balance of {method['balance']:.2f}, less than the "
            f"{amount:.2f} to charge. Ask the customer for another payment method.",
        )


def _require_items_in_order(order: Record, item_ids: list[str]) -> None:
    if not item_ids:
        raise StoreError("invalid_arguments", "item_ids is empty: name at least one item of the order.")
    held = Counter(item["item_id"] for item in order["items"])
    for item_id, wanted in Counter(item_ids).items():
        if wanted > held[item_id]:
            present = ", ".join(f"{i['item_id']} ({i['name']})" for i in order["items"])
            raise StoreError(
                "item_not_in_order",
                f"Item {item_id} is asked for {wanted} time(s) but order {order['order_id']} holds "
                f"it {held[item_id]} time(s). Its items are: {present}.",
            )


def _pick_items(order: Record, item_ids: list[str]) -> list[int]:
    """Positions in order['items'] of the named items, each position used once (multiplicity)."""
    used: set[int] = set()
    positions = []
    for item_id in item_ids:
        pos = next(i for i, item in enumerate(order["items"]) if item["item_id"] == item_id and i not in used)
        used.add(pos)
        positions.append(pos)
    return positions


def _price_difference(
    order: Record, products: Mapping[str, Record], item_ids: list[str], new_item_ids: list[str]
) -> tuple[list[int], float]:
    """Check each new item is an available variant of the old item's product; return the old
    items' positions and the price difference (new minus old) rounded to cents."""
    _require_items_in_order(order, item_ids)
    if len(item_ids) != len(new_item_ids):
        raise StoreError(
            "item_count_mismatch",
            f"{len(item_ids)} item(s) to change but {len(new_item_ids)} new item(s): give one new "
            "item id per old item id, in the same order.",
        )
    positions = _pick_items(order, item_ids)
    difference = 0.0
    for pos, new_item_id in zip(positions, new_item_ids, strict=True):
        item = order["items"][pos]
        product = products[item["product_id"]]
        variant = product["variants"].get(new_item_id)
        if variant is None or not variant["available"]:
            why = "is not a variant of" if variant is None else "is an unavailable variant of"
            raise StoreError(
                "variant_unavailable",
                f"New item {new_item_id} {why} {item['name']} (product {item['product_id']}). Use "
                "find_product_variant to pick an available variant of the same product.",
            )
        difference += variant["price"] - item["price"]
    return positions, cents(difference)


# --- the seven operations -----------------------------------------------------------------------


def cancel_pending_order(*, order: Record, user: Record, reason: str) -> Effect:
    if reason not in CANCEL_REASONS:
        raise StoreError(
            "invalid_reason",
            f"Reason '{reason}' is not accepted: use 'no longer needed' or 'ordered by mistake'. "
            "Ask the customer which applies if unsure.",
        )
    _require_status(order, "pending", "order_not_pending", "cancelled")
    order, user = copy.deepcopy(order), copy.deepcopy(user)
    refunds = [Refund(p["amount"], p["payment_method_id"]) for p in order["payment_history"]]
    for refund in refunds:
        method = user["payment_methods"].get(refund.payment_method_id)
        if method is not None and method["source"] == "gift_card":
            method["balance"] = cents(method["balance"] + refund.amount)
    order["status"] = "cancelled"
    order["cancel_reason"] = reason
    order["payment_history"].extend(_refund_entry(r) for r in refunds)
    return Effect(order=order, user=user, amount=cents(sum(r.amount for r in refunds)), refunds=refunds)


def modify_pending_order_address(
    *, order: Record, address1: str, address2: str, city: str, state: str, country: str, zip: str
) -> Effect:
    _require_status(order, "pending", "order_not_pending", "changed")
    order = copy.deepcopy(order)
    order["address"] = _address(address1, address2, city, state, country, zip)
    return Effect(order=order, user=None, amount=0.0)


def modify_pending_order_payment(*, order: Record, user: Record, payment_method_id: str) -> Effect:
    _require_status(order, "pending", "order_not_pending", "changed")
    method = _customer_method(user, payment_method_id, order["order_id"])
    history = order["payment_history"]
    if len(history) != 1 or history[0]["transaction_type"] != "payment":
        raise StoreError(
            "payment_history_not_single",
            f"Order {order['order_id']} does not have exactly one payment, so its payment method "
            "cannot be changed. Escalate if the customer insists.",
        )
    old_id, amount = history[0]["payment_method_id"], history[0]["amount"]
    if old_id == payment_method_id:
        raise StoreError(
            "payment_method_unchanged",
            f"Order {order['order_id']} is already paid with {payment_method_id}; choose a different payment method.",
        )
    _require_gift_card_cover(method, amount)
    order, user = copy.deepcopy(order), copy.deepcopy(user)
    refund = Refund(amount, old_id)
    order["payment_history"].extend(
        [
            {"transaction_type": "payment", "amount": amount, "payment_method_id": payment_method_id},
            _refund_entry(refund),
        ]
    )
    new_method = user["payment_methods"][payment_method_id]
    if new_method["source"] == "gift_card":
        new_method["balance"] = cents(new_method["balance"] - amount)
    old_method = user["payment_methods"].get(old_id)
    if old_method is not None and old_method["source"] == "gift_card":
        old_method["balance"] = cents(old_method["balance"] + amount)
    return Effect(order=order, user=user, amount=amount, refunds=[refund])


def modify_pending_order_items(
    *,
    order: Record,
    user: Record,
    products: Mapping[str, Record],
    item_ids: list[str],
    new_item_ids: list[str],
    payment_method_id: str,
) -> Effect:
    _require_status(order, "pending", "order_not_pending", "modified")
    positions, difference = _price_difference(order, products, item_ids, new_item_ids)
    method = _customer_method(user, payment_method_id, order["order_id"])
    _require_gift_card_cover(method, difference)
    order, user = copy.deepcopy(order), copy.deepcopy(user)
    amount = abs(difference)
    kind = "payment" if difference > 0 else "refund"
    order["payment_history"].append(
        {"transaction_type": kind, "amount": amount, "payment_method_id": payment_method_id}
    )
    method = user["payment_methods"][payment_method_id]
    if method["source"] == "gift_card":
        method["balance"] = cents(method["balance"] - difference)
    for pos, new_item_id in zip(positions, new_item_ids, strict=True):
        item = order["items"][pos]
        variant = products[item["product_id"]]["variants"][new_item_id]
        item["item_id"] = new_item_id
        item["price"] = variant["price"]
        item["options"] = copy.deepcopy(variant["options"])
    order["status"] = "pending (item modified)"
    refunds = [Refund(amount, payment_method_id)] if kind == "refund" and amount > 0 else []
    return Effect(order=order, user=user, amount=amount, refunds=refunds)


def return_delivered_order_items(*, order: Record, user: Record, item_ids: list[str], payment_method_id: str) -> Effect:
    _require_status(order, "delivered", "order_not_delivered", "returned")
    method = _customer_method(user, payment_method_id, order["order_id"])
    original = order["payment_history"][0]["payment_method_id"]
    if payment_method_id != original and method["source"] != "gift_card":
        raise StoreError(
            "payment_method_invalid",
            f"A return of order {order['order_id']} is refunded to its original payment method "
            f"({original}) or to one of the customer's gift cards, not to {payment_method_id}.",
        )
    _require_items_in_order(order, item_ids)
    order = copy.deepcopy(order)
    amount = cents(sum(order["items"][pos]["price"] for pos in _pick_items(order, item_ids)))
    order["status"] = "return requested"
    order["return_items"] = sorted(item_ids)
    order["return_payment_method_id"] = payment_method_id
    return Effect(order=order, user=None, amount=amount)


def exchange_delivered_order_items(
    *,
    order: Record,
    user: Record,
    products: Mapping[str, Record],
    item_ids: list[str],
    new_item_ids: list[str],
    payment_method_id: str,
) -> Effect:
    _require_status(order, "delivered", "order_not_delivered", "exchanged")
    _, difference = _price_difference(order, products, item_ids, new_item_ids)
    method = _customer_method(user, payment_method_id, order["order_id"])
    _require_gift_card_cover(method, difference)
    order = copy.deepcopy(order)
    order["status"] = "exchange requested"
    order["exchange_items"] = sorted(item_ids)
    order["exchange_new_items"] = sorted(new_item_ids)
    order["exchange_payment_method_id"] = payment_method_id
    order["exchange_price_difference"] = difference
    return Effect(order=order, user=None, amount=abs(difference))


def modify_user_address(
    *, user: Record, address1: str, address2: str, city: str, state: str, country: str, zip: str
) -> Effect:
    user = copy.deepcopy(user)
    user["address"] = _address(address1, address2, city, state, country, zip)
    return Effect(order=None, user=user, amount=0.0)


def _address(address1: str, address2: str, city: str, state: str, country: str, zip: str) -> Record:
    # Key order of the data files, so an exported record reads like a seeded one.
    return {"address1": address1, "address2": address2, "city": city, "country": country, "state": state, "zip": zip}


def _refund_entry(refund: Refund) -> Record:
    return {"transaction_type": "refund", "amount": refund.amount, "payment_method_id": refund.payment_method_id}


OPERATIONS: dict[str, Callable[..., Effect]] = {
    "cancel_pending_order": cancel_pending_order,
    "modify_pending_order_address": modify_pending_order_address,
    "modify_pending_order_payment": modify_pending_order_payment,
    "modify_pending_order_items": modify_pending_order_items,
    "return_delivered_order_items": return_delivered_order_items,
    "exchange_delivered_order_items": exchange_delivered_order_items,
    "modify_user_address": modify_user_address,
}
