"""Payments API: a customer's payment methods, an order's payments and refunds, invoices."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from sandbox_store import records
from sandbox_store.operations import cents
from sandbox_store.routers.common import connection

router = APIRouter(prefix="/payments", tags=["payments"])


@router.get("/customers/{user_id}/methods")
def payment_methods(request: Request, user_id: str) -> dict[str, Any]:
    with connection(request) as conn:
        user = records.get_user(conn, user_id=user_id)
    return {"customer_id": user_id, "payment_methods": list(user["payment_methods"].values())}


@router.get("/orders/{order_id}")
def order_payments(request: Request, order_id: str) -> dict[str, Any]:
    with connection(request) as conn:
        order = records.get_order(conn, order_id=order_id)
        refunds = records.list_refunds(conn, order_id=order_id)
    return {
        "order_id": order_id,
        "user_id": order["user_id"],
        "payment_history": order["payment_history"],
        "refunds": [{k: r[k] for k in ("amount", "payment_method_id", "operation", "at")} for r in refunds],
    }


@router.get("/orders/{order_id}/invoice")
def invoice(request: Request, order_id: str) -> dict[str, Any]:
    with connection(request) as conn:
        order = records.get_order(conn, order_id=order_id)
    history = order["payment_history"]
    paid = cents(sum(p["amount"] for p in history if p["transaction_type"] == "payment"))
    refunded = cents(sum(p["amount"] for p in history if p["transaction_type"] == "refund"))
    return {
        "order_id": order_id,
        "user_id": order["user_id"],
        "status": order["status"],
        "items": [{"name": i["name"], "item_id": i["item_id"], "price": i["price"]} for i in order["items"]],
        "subtotal": cents(sum(i["price"] for i in order["items"])),
        "total_paid": paid,
        "total_refunded": refunded,
        "net": cents(paid - refunded),
    }


@router.get("/refunds")
def refunds_ledger(request: Request, order_id: str | None = None) -> dict[str, Any]:
    with connection(request) as conn:
        return {"refunds": records.list_refunds(conn, order_id=order_id)}
