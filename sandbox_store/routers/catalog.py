"""Catalog API: product types, product details with variants, variants matching option values."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from sandbox_store import records
from sandbox_store.routers.common import connection

router = APIRouter(prefix="/catalog", tags=["catalog"])


@router.get("/products")
def product_types(request: Request) -> dict[str, Any]:
    with connection(request) as conn:
        return {"products": [{"name": p["name"], "product_id": p["product_id"]} for p in records.list_products(conn)]}


@router.get("/products/{product_id}")
def product(request: Request, product_id: str) -> dict[str, Any]:
    with connection(request) as conn:
        return records.get_product(conn, product_id=product_id)


@router.get("/products/{product_id}/variants")
def find_variants(request: Request, product_id: str) -> dict[str, Any]:
    """Variants whose options include every query parameter as option=value (case-insensitive)."""
    wanted = {k.strip().lower(): v.strip().lower() for k, v in request.query_params.items()}
    with connection(request) as conn:
        found = records.get_product(conn, product_id=product_id)
    variants = [
        v
        for v in found["variants"].values()
        if all(str(v["options"].get(_option_key(v["options"], k), "")).lower() == value for k, value in wanted.items())
    ]
    return {"product_id": product_id, "name": found["name"], "variants": variants}


def _option_key(options: dict[str, Any], wanted: str) -> str:
    return next((k for k in options if k.lower() == wanted), wanted)
