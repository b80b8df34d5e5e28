"""Orders API: details and the six order operations of CONTRACTS §2."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from sandbox_store import records
from sandbox_store.routers.common import IDEMPOTENCY_HEADER, connection, write
from sandbox_store.schemas import AddressBody, CancelBody, ItemsBody, PaymentBody, ReturnBody

router = APIRouter(prefix="/orders", tags=["orders"])
Key = Header(None, alias=IDEMPOTENCY_HEADER)


@router.get("/{order_id}")
def details(request: Request, order_id: str) -> dict[str, Any]:
    with connection(request) as conn:
        return records.get_order(conn, order_id=order_id)


@router.post("/{order_id}/cancel")
def cancel(
    request: Request, order_id: str, body: CancelBody, dry_run: bool = False, key: str | None = Key
) -> JSONResponse:
    return write(request, "cancel_pending_order", {"order_id": order_id, **body.model_dump()}, key, dry_run)


@router.post("/{order_id}/address")
def modify_address(
    request: Request, order_id: str, body: AddressBody, dry_run: bool = False, key: str | None = Key
) -> JSONResponse:
    return write(request, "modify_pending_order_address", {"order_id": order_id, **body.model_dump()}, key, dry_run)


@router.post("/{order_id}/payment")
def modify_payment(
    request: Request, order_id: str, body: PaymentBody, dry_run: bool = False, key: str | None = Key
) -> JSONResponse:
    return write(request, "modify_pending_order_payment", {"order_id": order_id, **body.model_dump()}, key, dry_run)


@router.post("/{order_id}/items")
def modify_items(
    request: Request, order_id: str, body: ItemsBody, dry_run: bool = False, key: str | None = Key
) -> JSONResponse:
    return write(request, "modify_pending_order_items", {"order_id": order_id, **body.model_dump()}, key, dry_run)


@router.post("/{order_id}/return")
def return_items(
    request: Request, order_id: str, body: ReturnBody, dry_run: bool = False, key: str | None = Key
) -> JSONResponse:
    return write(request, "return_delivered_order_items", {"order_id": order_id, **body.model_dump()}, key, dry_run)


@router.post("/{order_id}/exchange")
def exchange_items(
    request: Request, order_id: str, body: ItemsBody, dry_run: bool = False, key: str | None = Key
) -> JSONResponse:
    return write(request, "exchange_delivered_order_items", {"order_id": order_id, **body.model_dump()}, key, dry_run)
