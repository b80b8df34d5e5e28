"""Shipping tools: track a shipment, fetch the return label and RMA of a returned order."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tools.args import ToolArgs
from tools.base import StoreTool
from tools.orders import ORDER_ID


class TrackingArgs(ToolArgs):
    tracking_id: str = Field(description="A tracking id from the order's fulfillments.")


class OrderIdArgs(ToolArgs):
    order_id: str = Field(description=ORDER_ID)


class TrackingEvent(BaseModel):
    at: str
    status: str
    location: str


class Tracking(BaseModel):
    tracking_id: str
    order_id: str
    carrier: str
    status: str
    events: list[TrackingEvent]


class ReturnLabel(BaseModel):
    order_id: str
    rma: str
    carrier: str
    label_url: str
    items: list[str]


class TrackShipment(StoreTool):
    name: str = "track_shipment"
    description: str = (
        "Where a parcel of the customer's order is: carrier, status and dated events. Tracking ids "
        "are in get_order_details fulfillments."
    )
    args_schema: type[BaseModel] = TrackingArgs

    def execute(self, args: TrackingArgs) -> Tracking:
        self.context.require_customer()
        found = self.store.shipping.track(args.tracking_id)
        self.context.require_owner(found["user_id"], f"Shipment {args.tracking_id}")
        return Tracking.model_validate(found)


class GetReturnLabel(StoreTool):
    name: str = "get_return_label"
    description: str = (
        "Return label (carrier, label_url), RMA number and items to send back, for an order whose "
        "return or exchange was requested."
    )
    args_schema: type[BaseModel] = OrderIdArgs

    def execute(self, args: OrderIdArgs) -> ReturnLabel:
        self.context.require_customer()
        found = self.store.shipping.return_label(args.order_id)
        self.context.require_owner(found["user_id"], f"Order {args.order_id}")
        return ReturnLabel.model_validate(found)
