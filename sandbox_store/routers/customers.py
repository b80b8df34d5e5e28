"""Customers API: look-up (e-mail, full name + zip), details, orders, default address change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from sandbox_store import records
from sandbox_store.errors import NotFound, StoreError
from sandbox_store.routers.common import IDEMPOTENCY_HEADER, connection, write
from sandbox_store.schemas import AddressBody

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("/lookup")
def lookup(
    request: Request,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    zip: str | None = None,
) -> dict[str, Any]:
    with connection(request) as conn:
        if email:
            user_id = records.find_user_id_by_email(conn, email=email)
            asked = f"the e-mail '{email}'"
        elif first_name and last_name and zip:
            user_id = records.find_user_id_by_name_zip(conn, first_name=first_name, last_name=last_name, zip=zip)
            asked = f"the name '{first_name} {last_name}' with zip '{zip}'"
        else:
            raise StoreError(
                "invalid_arguments",
                "Look a customer up by 'email', or by 'first_name', 'last_name' and 'zip' together.",
            )
        if user_id is None:
            raise NotFound(
                "customer_not_found",
                f"No customer matches {asked}. Ask the customer for "
                "the e-mail of their account, or their full name and zip code.",
            )
        user = records.get_user(conn, user_id=user_id)
    return {"customer_id": user_id, "name": user["name"], "email": user["email"]}


@router.get("/{user_id}")
def details(request: Request, user_id: str) -> dict[str, Any]:
    with connection(request) as conn:
        return {"customer_id": user_id, **records.get_user(conn, user_id=user_id)}


@router.get("/{user_id}/orders")
def orders(request: Request, user_id: str) -> dict[str, Any]:
    with connection(request) as conn:
        records.get_user(conn, user_id=user_id)
        return {"customer_id": user_id, "orders": records.list_user_orders(conn, user_id=user_id)}


@router.post("/{user_id}/address")
def modify_user_address(
    request: Request,
    user_id: str,
    body: AddressBody,
    dry_run: bool = False,
    key: str | None = Header(None, alias=IDEMPOTENCY_HEADER),
) -> JSONResponse:
    return write(request, "modify_user_address", {"user_id": user_id, **body.model_dump()}, key, dry_run)
