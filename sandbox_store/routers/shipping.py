"""Shipping API: tracking by tracking id, the return label and RMA of a returned order."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from sandbox_store import records, shipping
from sandbox_store.errors import NotFound, StoreError
from sandbox_store.routers.common import connection

router = APIRouter(prefix="/shipping", tags=["shipping"])


@router.get("/tracking/{tracking_id}")
def track(request: Request, tracking_id: str) -> dict[str, Any]:
    with connection(request) as conn:
        order_id = records.order_id_for_tracking(conn, tracking_id=tracking_id)
        order = records.get_order(conn, order_id=order_id)
    return shipping.track(tracking_id=tracking_id, order=order)


@router.get("/orders/{order_id}/return-label")
def return_label(request: Request, order_id: str) -> dict[str, Any]:
    with connection(request) as conn:
        order = records.get_order(conn, order_id=order_id)
        label = records.find_return_label(conn, order_id=order_id)
    if label is None:
        if order["status"] in ("return requested", "exchange requested"):
            raise NotFound(
                "return_label_not_found",
                f"Order {order_id} has no return label on file; escalate to a human to issue one.",
            )
        raise StoreError(
            "no_return_requested",
            f"Order {order_id} is '{order['status']}': a return "
            "label exists only once a return or exchange has been requested.",
        )
    return {**label, "user_id": order["user_id"]}
