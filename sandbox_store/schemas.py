"""Request bodies of the store's write endpoints: the CONTRACTS §2 arguments other than the id in
the path. Unknown fields are refused so a typo cannot silently drop an argument."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddressBody(_Body):
    address1: str
    address2: str
    city: str
    state: str
    country: str
    zip: str


class CancelBody(_Body):
    reason: str


class PaymentBody(_Body):
    payment_method_id: str


class ItemsBody(_Body):
    item_ids: list[str] = Field(min_length=1)
    new_item_ids: list[str] = Field(min_length=1)
    payment_method_id: str


class ReturnBody(_Body):
    item_ids: list[str] = Field(min_length=1)
    payment_method_id: str
