"""The money a store operation sends back or charges, which the approval gate judges before the
operation runs: a cancellation refunds every entry of the order's payment history; a return
refunds the returned items' prices; an item modification or exchange moves the absolute price
difference; a payment change moves the order's single payment; address changes move nothing.

Inputs are the order and, for item changes, the products of its items (as the catalog returns
them); the operation is assumed valid (the store checks it first, in a dry run).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ITEM_CHANGES = ("modify_pending_order_items", "exchange_delivered_order_items")


def products_needed(operation: str, order: Mapping[str, Any]) -> set[str]:
    """Product ids whose variants price an item change (empty for other operations)."""
    if operation not in ITEM_CHANGES:
        return set()
    return {item["product_id"] for item in order["items"]}


def _chosen_items(order: Mapping[str, Any], item_ids: list[str]) -> list[Mapping[str, Any]]:
    """The order's items named by `item_ids`, each item counted once (an id may repeat)."""
    remaining = list(order["items"])
    chosen = []
    for item_id in item_ids:
        item = next(i for i in remaining if i["item_id"] == item_id)
        remaining.remove(item)
        chosen.append(item)
    return chosen


def operation_amount(
    operation: str,
    arguments: Mapping[str, Any],
    *,
    order: Mapping[str, Any] | None = None,
    products: Mapping[str, Mapping[str, Any]] | None = None,
) -> float:
    if operation in ("modify_pending_order_address", "modify_user_address"):
        return 0.0
    if order is None:
        raise ValueError(f"{operation}: the order is needed to compute its amount")
    if operation == "cancel_pending_order":
        return round(sum(entry["amount"] for entry in order["payment_history"]), 2)
    if operation == "modify_pending_order_payment":
        return round(order["payment_history"][0]["amount"], 2)
    if operation == "return_delivered_order_items":
        return round(sum(item["price"] for item in _chosen_items(order, arguments["item_ids"])), 2)
    if operation in ITEM_CHANGES:
        if products is None:
            raise ValueError(f"{operation}: the products of the order's items are needed")
        old = _chosen_items(order, arguments["item_ids"])
        difference = sum(
            products[item["product_id"]]["variants"][new_id]["price"] - item["price"]
            for item, new_id in zip(old, arguments["new_item_ids"], strict=True)
        )
        return abs(round(difference, 2))
    raise ValueError(f"Unknown store operation '{operation}'")
