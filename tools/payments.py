"""Payments tools: the customer's payment methods, an order's payments and refunds, its invoice."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tools.args import ToolArgs
from tools.base import StoreTool
from tools.customers import CUSTOMER_ID
from tools.orders import ORDER_ID
from tools.records import PaymentEntry, PaymentMethod


class CustomerIdArgs(ToolArgs):
    customer_id: str = Field(description=CUSTOMER_ID)


class OrderIdArgs(ToolArgs):
    order_id: str = Field(description=ORDER_ID)


class PaymentMethods(BaseModel):
    payment_methods: list[PaymentMethod]


class LedgerRefund(BaseModel):
    amount: float
    payment_method_id: str
    operation: str
    at: str


class OrderPayments(BaseModel):
    order_id: str
    payment_history: list[PaymentEntry]
    refunds: list[LedgerRefund]


class InvoiceLine(BaseModel):
    name: str
    price: float


class Invoice(BaseModel):
    order_id: str
    items: list[InvoiceLine]
    subtotal: float
    total_paid: float
    total_refunded: float
    net: float


class GetPaymentMethods(StoreTool):
    name: str = "get_payment_methods"
    description: str = (
        "The customer's payment methods: id, source (credit_card, paypal, gift_card), card brand "
        "and last_four, gift card balance. Matches 'my Visa ending in 1234' to an id."
    )
    args_schema: type[BaseModel] = CustomerIdArgs

    def execute(self, args: CustomerIdArgs) -> PaymentMethods:
        self.context.require_owner(args.customer_id, f"Customer {args.customer_id}")
        return PaymentMethods(payment_methods=self.store.payments.methods(args.customer_id))


class GetOrderPayments(StoreTool):
    name: str = "get_order_payments"
    description: str = (
        "An order's payments and refunds (amount, method, time of support refunds): answers 'where is my refund?'."
    )
    args_schema: type[BaseModel] = OrderIdArgs

    def execute(self, args: OrderIdArgs) -> OrderPayments:
        self.context.require_customer()
        found = self.store.payments.order_payments(args.order_id)
        self.context.require_owner(found["user_id"], f"Order {args.order_id}")
        return OrderPayments.model_validate(found)


class GetInvoice(StoreTool):
    name: str = "get_invoice"
    description: str = "An order's invoice: items with prices, subtotal, total paid, total refunded and net."
    args_schema: type[BaseModel] = OrderIdArgs

    def execute(self, args: OrderIdArgs) -> Invoice:
        self.context.require_customer()
        found = self.store.payments.invoice(args.order_id)
        self.context.require_owner(found["user_id"], f"Order {args.order_id}")
        return Invoice.model_validate(found)
