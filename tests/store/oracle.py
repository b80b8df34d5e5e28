"""An independent reading of CONTRACTS §2 for the tests: the seven operations written directly on
the data's dicts, in place, without the store's code. Replaying a case through the API must give
the same records as running it through this."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Store = dict[str, dict[str, Any]]
Record = dict[str, Any]


def _address(kw: dict[str, Any]) -> dict[str, str]:
    return {k: kw[k] for k in ("address1", "address2", "city", "country", "state", "zip")}


def _variant(store: Store, order: dict[str, Any], old_id: str, taken: set[int], new_id: str):
    index = next(i for i, it in enumerate(order["items"]) if it["item_id"] == old_id and i not in taken)
    taken.add(index)
    item = order["items"][index]
    variant = store["products"][item["product_id"]]["variants"][new_id]
    assert variant["available"], f"{new_id} unavailable"
    return item, variant


def apply(store: Store, name: str, kw: dict[str, Any]) -> None:
    """Apply one operation to `store` in place (the caller passes a copy)."""
    if name == "modify_user_address":
        store["users"][kw["user_id"]]["address"] = _address(kw)
        return
    order = store["orders"][kw["order_id"]]
    user = store["users"][order["user_id"]]
    methods = user["payment_methods"]
    operation = _ORDER_OPERATIONS.get(name)
    if operation is None:
        raise AssertionError(f"unknown operation {name}")
    operation(store, order, methods, kw)


def _cancel_pending_order(store: Store, order: Record, methods: Record, kw: Record) -> None:
    assert order["status"] == "pending"
    assert kw["reason"] in ("no longer needed", "ordered by mistake")
    for entry in list(order["payment_history"]):
        order["payment_history"].append(
            {
                "transaction_type": "refund",
                "amount": entry["amount"],
                "payment_method_id": entry["payment_method_id"],
            }
        )
        method = methods[entry["payment_method_id"]]
        if method["source"] == "gift_card":
            method["balance"] = round(method["balance"] + entry["amount"], 2)
    order["status"] = "cancelled"
    order["cancel_reason"] = kw["reason"]


def _modify_pending_order_address(store: Store, order: Record, methods: Record, kw: Record) -> None:
    assert order["status"] == "pending"
    order["address"] = _address(kw)


def _modify_pending_order_payment(store: Store, order: Record, methods: Record, kw: Record) -> None:
    assert order["status"] == "pending" and len(order["payment_history"]) == 1
    old = order["payment_history"][0]
    new_id, amount = kw["payment_method_id"], old["amount"]
    assert new_id in methods and new_id != old["payment_method_id"]
    order["payment_history"] += [
        {"transaction_type": "payment", "amount": amount, "payment_method_id": new_id},
        {"transaction_type": "refund", "amount": amount, "payment_method_id": old["payment_method_id"]},
    ]
    if methods[new_id]["source"] == "gift_card":
        assert methods[new_id]["balance"] >= amount
        methods[new_id]["balance"] = round(methods[new_id]["balance"] - amount, 2)
    if methods[old["payment_method_id"]]["source"] == "gift_card":
        gift = methods[old["payment_method_id"]]
        gift["balance"] = round(gift["balance"] + amount, 2)


def _modify_pending_order_items(store: Store, order: Record, methods: Record, kw: Record) -> None:
    assert order["status"] == "pending" and len(kw["item_ids"]) == len(kw["new_item_ids"])
    taken: set[int] = set()
    pairs = [_variant(store, order, o, taken, n) for o, n in zip(kw["item_ids"], kw["new_item_ids"], strict=True)]
    diff = round(sum(v["price"] - it["price"] for it, v in pairs), 2)
    method = methods[kw["payment_method_id"]]
    if method["source"] == "gift_card":
        assert method["balance"] >= diff
        method["balance"] = round(method["balance"] - diff, 2)
    order["payment_history"].append(
        {
            "transaction_type": "payment" if diff > 0 else "refund",
            "amount": abs(diff),
            "payment_method_id": kw["payment_method_id"],
        }
    )
    for item, variant in pairs:
        item.update(item_id=variant["item_id"], price=variant["price"], options=copy.deepcopy(variant["options"]))
    order["status"] = "pending (item modified)"


def _return_delivered_order_items(store: Store, order: Record, methods: Record, kw: Record) -> None:
    assert order["status"] == "delivered"
    method_id = kw["payment_method_id"]
    assert method_id == order["payment_history"][0]["payment_method_id"] or methods[method_id]["source"] == "gift_card"
    order["status"] = "return requested"
    order["return_items"] = sorted(kw["item_ids"])
    order["return_payment_method_id"] = method_id


def _exchange_delivered_order_items(store: Store, order: Record, methods: Record, kw: Record) -> None:
    assert order["status"] == "delivered" and len(kw["item_ids"]) == len(kw["new_item_ids"])
    taken: set[int] = set()
    pairs = [_variant(store, order, o, taken, n) for o, n in zip(kw["item_ids"], kw["new_item_ids"], strict=True)]
    diff = round(sum(v["price"] - it["price"] for it, v in pairs), 2)
    method = methods[kw["payment_method_id"]]
    assert method["source"] != "gift_card" or method["balance"] >= diff
    order["status"] = "exchange requested"
    order["exchange_items"] = sorted(kw["item_ids"])
    order["exchange_new_items"] = sorted(kw["new_item_ids"])
    order["exchange_payment_method_id"] = kw["payment_method_id"]
    order["exchange_price_difference"] = diff


_ORDER_OPERATIONS: dict[str, Callable[[Store, Record, Record, Record], None]] = {
    "cancel_pending_order": _cancel_pending_order,
    "modify_pending_order_address": _modify_pending_order_address,
    "modify_pending_order_payment": _modify_pending_order_payment,
    "modify_pending_order_items": _modify_pending_order_items,
    "return_delivered_order_items": _return_delivered_order_items,
    "exchange_delivered_order_items": _exchange_delivered_order_items,
}


class Overlay:
    """The seed data with copy-on-touch records, so a case costs a few record copies."""

    def __init__(self, seed: Store) -> None:
        self.seed = seed
        self.touched: Store = {"users": {}, "orders": {}, "products": {}}

    def view(self, kw: dict[str, Any]) -> Store:
        """A store dict holding private copies of the records this action may touch."""
        view: Store = {name: dict(self.seed[name]) for name in ("users", "orders", "products")}
        for name, records in self.touched.items():
            view[name].update(records)
        if "order_id" in kw:
            order = self._touch(view, "orders", kw["order_id"])
            self._touch(view, "users", order["user_id"])
        if "user_id" in kw:
            self._touch(view, "users", kw["user_id"])
        return view

    def _touch(self, view: Store, table: str, key: str) -> dict[str, Any]:
        if key not in self.touched[table]:
            self.touched[table][key] = copy.deepcopy(self.seed[table][key])
            view[table][key] = self.touched[table][key]
        return view[table][key]

    def changes(self) -> Store:
        """Touched records that now differ from the seed."""
        return {t: {k: v for k, v in recs.items() if v != self.seed[t][k]} for t, recs in self.touched.items()}


def expected_changes(seed: Store, actions: list[dict[str, Any]]) -> Store:
    overlay = Overlay(seed)
    for action in actions:
        apply(overlay.view(action["kwargs"]), action["name"], action["kwargs"])
    return overlay.changes()
