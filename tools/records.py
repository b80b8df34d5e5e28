"""Typed models of the store's records as the tools return them (the data's own shape, see
sandbox_store/data/*.json), shared by the tool modules."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Name(BaseModel):
    first_name: str
    last_name: str


class Address(BaseModel):
    address1: str
    address2: str
    city: str
    country: str
    state: str
    zip: str


class PaymentMethod(BaseModel):
    id: str
    source: str
    brand: str | None = None
    last_four: str | None = None
    balance: float | None = None


class OrderItem(BaseModel):
    name: str
    product_id: str
    item_id: str
    price: float
    options: dict[str, Any]


class Fulfillment(BaseModel):
    tracking_id: list[str]
    item_ids: list[str]


class ShipmentNow(BaseModel):
    """Where a parcel of an order on its way is now (the last tracking event)."""

    tracking_id: str
    carrier: str
    status: str
    latest: dict[str, Any] | None = None


class PaymentEntry(BaseModel):
    transaction_type: str
    amount: float
    payment_method_id: str


class Order(BaseModel):
    """The order as stored, including any of cancel_reason, return_* and exchange_* it has."""

    model_config = ConfigDict(extra="allow")

    order_id: str
    user_id: str
    address: Address
    items: list[OrderItem]
    fulfillments: list[Fulfillment]
    status: str
    payment_history: list[PaymentEntry]
    shipments: list[ShipmentNow] | None = None  # orders on their way: tracking, read with the order


class Variant(BaseModel):
    item_id: str
    options: dict[str, Any]
    available: bool
    price: float


class CustomerRef(BaseModel):
    customer_id: str
    name: Name
    email: str


class CustomerDetails(CustomerRef):
    address: Address
    payment_methods: list[PaymentMethod]
    orders: list[str]

    @classmethod
    def from_store(cls, record: dict[str, Any]) -> CustomerDetails:
        return cls(
            customer_id=record["customer_id"],
            name=record["name"],
            email=record["email"],
            address=record["address"],
            payment_methods=list(record["payment_methods"].values()),
            orders=record["orders"],
        )
