"""Orders tools: list and read the customer's orders, and the six order operations of
CONTRACTS §2 (each guarded: read-only tickets, customer binding, approval gate, idempotency)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.base import OrderWriteTool, StoreTool
from tools.customers import CUSTOMER_ID
from tools.records import Order

ORDER_ID = "The order id, with its '#', e.g. '#W1234567'."
PAYMENT_METHOD_ID = ("Id of one of the customer's payment methods (from get_customer_details), "
                     "e.g. 'credit_card_1234567', 'paypal_1234567', 'gift_card_1234567'.")
ITEM_IDS = ("item_id of each item of the order to change, one entry per unit (repeat an id for two "
            "identical units). Take them from get_order_details.")
NEW_ITEM_IDS = ("For each old item, in the same order, the item_id of the wanted variant of the same "
                "product (from find_product_variant or get_product_details; must be available).")


class OrderIdArgs(BaseModel):
    order_id: str = Field(description=ORDER_ID)


class CustomerOrdersArgs(BaseModel):
    customer_id: str = Field(description=CUSTOMER_ID)


class CancelArgs(BaseModel):
    order_id: str = Field(description=ORDER_ID)
    reason: Literal["no longer needed", "ordered by mistake"] = Field(
        description="Why the customer cancels: exactly 'no longer needed' or 'ordered by mistake'. "
                    "If the customer gave no reason, ask them instead of guessing."
    )


class OrderAddressArgs(BaseModel):
    order_id: str = Field(description=ORDER_ID)
    address1: str = Field(description="Street line, e.g. '123 Main Street'.")
    address2: str = Field(description="Second line, e.g. 'Apt 4'; empty string if none.")
    city: str = Field(description="City name.")
    state: str = Field(description="State code, e.g. 'CA'.")
    country: str = Field(description="Country, e.g. 'USA'.")
    zip: str = Field(description="ZIP code as text.")


class OrderPaymentArgs(BaseModel):
    order_id: str = Field(description=ORDER_ID)
    payment_method_id: str = Field(description=PAYMENT_METHOD_ID)


class ItemChangeArgs(BaseModel):
    order_id: str = Field(description=ORDER_ID)
    item_ids: list[str] = Field(min_length=1, description=ITEM_IDS)
    new_item_ids: list[str] = Field(min_length=1, description=NEW_ITEM_IDS)
    payment_method_id: str = Field(description=PAYMENT_METHOD_ID + " Pays or receives the price difference.")


class ReturnArgs(BaseModel):
    order_id: str = Field(description=ORDER_ID)
    item_ids: list[str] = Field(min_length=1, description=ITEM_IDS)
    payment_method_id: str = Field(
        description="Where the refund goes: the order's original payment method or one of the "
                    "customer's gift cards."
    )


class OrderSummaryItem(BaseModel):
    name: str
    item_id: str
    price: float
    options: dict[str, Any]


class OrderSummary(BaseModel):
    order_id: str
    status: str
    items: list[OrderSummaryItem]
    total: float


class OrderList(BaseModel):
    orders: list[OrderSummary]


class ListCustomerOrders(StoreTool):
    name: str = "list_customer_orders"
    description: str = (
        "The authenticated customer's orders: id, status, items (name, item_id, price, options) and "
        "total. Use it to find which order the customer means."
    )
    args_schema: type[BaseModel] = CustomerOrdersArgs

    def execute(self, args: CustomerOrdersArgs) -> OrderList:
        self.context.require_owner(args.customer_id, f"Customer {args.customer_id}")
        return OrderList(orders=[
            OrderSummary(order_id=o["order_id"], status=o["status"], items=o["items"],
                         total=round(sum(i["price"] for i in o["items"]), 2))
            for o in self.store.customers.orders(args.customer_id)
        ])


class GetOrderDetails(StoreTool):
    name: str = "get_order_details"
    description: str = (
        "One of the authenticated customer's orders as stored: status, shipping address, items "
        "(name, product_id, item_id, price, options), fulfillments with tracking ids, payment history, "
        "and any cancellation, return or exchange details."
    )
    args_schema: type[BaseModel] = OrderIdArgs

    def execute(self, args: OrderIdArgs) -> Order:
        return Order.model_validate(self.owned_order(args.order_id))


class CancelPendingOrder(OrderWriteTool):
    name: str = "cancel_pending_order"
    description: str = (
        "Cancel a 'pending' order of the customer; every payment is refunded (gift cards at once, "
        "other methods in 5-7 business days). Needs the customer's reason."
    )
    args_schema: type[BaseModel] = CancelArgs
    operation = "cancel_pending_order"


class ModifyPendingOrderAddress(OrderWriteTool):
    name: str = "modify_pending_order_address"
    description: str = "Change the shipping address of a 'pending' order. Give every field."
    args_schema: type[BaseModel] = OrderAddressArgs
    operation = "modify_pending_order_address"


class ModifyPendingOrderPayment(OrderWriteTool):
    name: str = "modify_pending_order_payment"
    description: str = (
        "Pay a 'pending' order with another of the customer's payment methods: the new method is "
        "charged and the old one refunded. A gift card must cover the order's amount."
    )
    args_schema: type[BaseModel] = OrderPaymentArgs
    operation = "modify_pending_order_payment"


class ModifyPendingOrderItems(OrderWriteTool):
    name: str = "modify_pending_order_items"
    description: str = (
        "Swap items of a 'pending' order for other variants of the same products (e.g. another size "
        "or color). Allowed once per order: put every item to change in this one call. The price "
        "difference is charged to or refunded on the given payment method."
    )
    args_schema: type[BaseModel] = ItemChangeArgs
    operation = "modify_pending_order_items"


class ReturnDeliveredOrderItems(OrderWriteTool):
    name: str = "return_delivered_order_items"
    description: str = (
        "Request the return of items of a 'delivered' order; the refund goes to the original payment "
        "method or a gift card of the customer. Put every item to return in this one call."
    )
    args_schema: type[BaseModel] = ReturnArgs
    operation = "return_delivered_order_items"


class ExchangeDeliveredOrderItems(OrderWriteTool):
    name: str = "exchange_delivered_order_items"
    description: str = (
        "Request the exchange of items of a 'delivered' order for other variants of the same "
        "products. Put every item to exchange in this one call; the price difference is settled on "
        "the given payment method."
    )
    args_schema: type[BaseModel] = ItemChangeArgs
    operation = "exchange_delivered_order_items"
