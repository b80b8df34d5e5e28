"""Orders tools: list and read the customer's orders, and the six order operations of
CONTRACTS §2 (each guarded: read-only tickets, customer binding, approval gate, idempotency)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.args import ToolArgs
from tools.base import OrderWriteTool, StoreTool
from tools.customers import CUSTOMER_ID, AddressArgs
from tools.errors import ToolError
from tools.records import Order, ShipmentNow

ORDER_ID = "Order id with its '#', e.g. '#W1234567'."
PAYMENT_METHOD_ID = "A payment method id of the customer from get_customer_details, e.g. 'paypal_1234567'."
ITEM_IDS = "From get_order_details, one per unit (repeat an id for identical units)."
NEW_ITEM_IDS = "By position, the wanted available variant of the same product (find_product_variant)."


class OrderIdArgs(ToolArgs):
    order_id: str = Field(description=ORDER_ID)


class CustomerOrdersArgs(ToolArgs):
    customer_id: str = Field(description=CUSTOMER_ID)


class CancelArgs(ToolArgs):
    order_id: str = Field(description=ORDER_ID)
    reason: Literal["no longer needed", "ordered by mistake"] = Field(
        description="The customer's reason; if they gave none, ask instead of guessing."
    )


class OrderAddressArgs(AddressArgs):
    order_id: str = Field(description=ORDER_ID)


class OrderPaymentArgs(ToolArgs):
    order_id: str = Field(description=ORDER_ID)
    payment_method_id: str = Field(description=PAYMENT_METHOD_ID)


class ItemChangeArgs(ToolArgs):
    order_id: str = Field(description=ORDER_ID)
    item_ids: list[str] = Field(min_length=1, description=ITEM_IDS)
    new_item_ids: list[str] = Field(min_length=1, description=NEW_ITEM_IDS)
    payment_method_id: str = Field(description="Pays or receives the price difference (get_customer_details).")


class ReturnArgs(ToolArgs):
    order_id: str = Field(description=ORDER_ID)
    item_ids: list[str] = Field(min_length=1, description=ITEM_IDS)
    payment_method_id: str = Field(description="Refund to: the original payment method or a gift card of the customer.")


class OrderSummaryItem(BaseModel):
    name: str
    item_id: str
    price: float
    options: dict[str, Any]


class ShipTo(BaseModel):
    """Where the order goes: enough to tell 'the one going to Main Street in Dallas' apart."""

    address1: str
    city: str
    state: str


class OrderSummary(BaseModel):
    order_id: str
    status: str
    items: list[OrderSummaryItem]
    total: float
    ship_to: ShipTo


class OrderList(BaseModel):
    orders: list[OrderSummary]


class ListCustomerOrders(StoreTool):
    name: str = "list_customer_orders"
    description: str = (
        "The customer's orders, oldest first, with status, items (item_id, price, options), total and "
        "ship_to (street, city, state); finds the order the customer means."
    )
    args_schema: type[BaseModel] = CustomerOrdersArgs

    def execute(self, args: CustomerOrdersArgs) -> OrderList:
        self.context.require_owner(args.customer_id, f"Customer {args.customer_id}")
        return OrderList(
            orders=[
                OrderSummary(
                    order_id=o["order_id"],
                    status=o["status"],
                    items=o["items"],
                    total=round(sum(i["price"] for i in o["items"]), 2),
                    ship_to=ShipTo.model_validate(o.get("address") or {}, strict=False),
                )
                for o in self.store.customers.orders(args.customer_id)
            ]
        )


ON_ITS_WAY = frozenset({"processed", "shipped"})


class GetOrderDetails(StoreTool):
    name: str = "get_order_details"
    description: str = (
        "One order: status, shipping address, items (product_id, item_id, price, options), "
        "tracking ids (for an order on its way, where each parcel is now), payments, any "
        "cancellation, return or exchange."
    )
    args_schema: type[BaseModel] = OrderIdArgs

    def execute(self, args: OrderIdArgs) -> Order:
        order = Order.model_validate(self.owned_order(args.order_id))
        if order.status in ON_ITS_WAY:
            # "where is it?" is the first question about such an order: answered with this read
            # instead of a model call more for track_shipment
            order.shipments = [s for t in order.fulfillments for tid in t.tracking_id if (s := self._now(tid))]
        return order

    def _now(self, tracking_id: str) -> ShipmentNow | None:
        try:
            found = self.store.shipping.track(tracking_id)
        except ToolError:
            return None  # the order still reads; track_shipment can try again
        events = found.get("events") or []
        return ShipmentNow(
            tracking_id=tracking_id,
            carrier=found.get("carrier", ""),
            status=found.get("status", ""),
            latest=events[-1] if events else None,
        )


class CancelPendingOrder(OrderWriteTool):
    name: str = "cancel_pending_order"
    description: str = (
        "Cancel a pending order; every payment is refunded (gift cards at once, other methods in 5-7 business days)."
    )
    args_schema: type[BaseModel] = CancelArgs
    operation = "cancel_pending_order"


class ModifyPendingOrderAddress(OrderWriteTool):
    name: str = "modify_pending_order_address"
    description: str = "Change the shipping address of a pending order."
    args_schema: type[BaseModel] = OrderAddressArgs
    operation = "modify_pending_order_address"


class ModifyPendingOrderPayment(OrderWriteTool):
    name: str = "modify_pending_order_payment"
    description: str = (
        "Pay a pending order with another payment method of the customer: the new one is charged, "
        "the old one refunded. A gift card must cover the total."
    )
    args_schema: type[BaseModel] = OrderPaymentArgs
    operation = "modify_pending_order_payment"


class ModifyPendingOrderItems(OrderWriteTool):
    name: str = "modify_pending_order_items"
    description: str = (
        "Swap items of a pending order for other variants of the same products (e.g. size, color). "
        "Allowed once per order: put every item to change in one call."
    )
    args_schema: type[BaseModel] = ItemChangeArgs
    operation = "modify_pending_order_items"


class ReturnDeliveredOrderItems(OrderWriteTool):
    name: str = "return_delivered_order_items"
    description: str = (
        "Request a return of items of a delivered order, every item in one call; the refund goes to "
        "the original payment method or a gift card."
    )
    args_schema: type[BaseModel] = ReturnArgs
    operation = "return_delivered_order_items"


class ExchangeDeliveredOrderItems(OrderWriteTool):
    name: str = "exchange_delivered_order_items"
    description: str = (
        "Request an exchange of items of a delivered order for other variants of the same products, "
        "every item in one call."
    )
    args_schema: type[BaseModel] = ItemChangeArgs
    operation = "exchange_delivered_order_items"
