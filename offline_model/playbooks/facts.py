"""What a specialist knows so far, rebuilt on every model call from the tool results in its
conversation. The model keeps no state between calls: the conversation is the state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from offline_model.protocol import ToolExchange

FIND_TOOLS = ("find_customer_by_email", "find_customer_by_name_zip")
WRITE_TOOLS = (
    "cancel_pending_order",
    "modify_pending_order_address",
    "modify_pending_order_payment",
    "modify_pending_order_items",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
    "modify_user_address",
)
MAX_ATTEMPTS = 3  # per identical call when the tool keeps failing with a retryable error


@dataclass
class Facts:
    exchanges: list[ToolExchange]
    customer_id: str | None = None
    customer_name: str | None = None
    customer: dict[str, Any] | None = None
    customer_error: dict[str, Any] | None = None
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    order_errors: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    product_errors: dict[str, dict[str, Any]] = field(default_factory=dict)
    product_types: list[dict[str, Any]] | None = None
    customer_orders: list[dict[str, Any]] | None = None
    early_reads: set[str] = field(default_factory=set)  # orders read along with an identification that failed

    @classmethod
    def build(cls, exchanges: list[ToolExchange], known_customer: str | None, known_name: str | None = None) -> Facts:
        # a read refused because nobody was identified yet (sent along with the identification)
        # is as if never made: it is made again once the customer is known
        early = {str(e.arguments.get("order_id")) for e in exchanges if _before_identity(e)}
        exchanges = [e for e in exchanges if not _before_identity(e)]
        facts = cls(
            exchanges=exchanges,
            customer_id=known_customer,
            customer_name=_first_name(known_name) if known_customer else None,
            early_reads=early,
        )
        for exchange in exchanges:
            facts._learn(exchange)
        return facts

    # --- what each tool result tells ------------------------------------------------------------
    def _learn(self, exchange: ToolExchange) -> None:
        name = exchange.name
        if name in FIND_TOOLS:
            self._learn_identification(exchange)
        elif name == "get_customer_details":
            self._learn_customer(exchange)
        elif name == "get_order_details":
            self._learn_order(exchange)
        elif name == "get_product_details":
            self._learn_product(exchange)
        elif name == "search_products":
            self._learn_search(exchange)
        elif name == "list_product_types":
            self._learn_product_types(exchange)
        elif name == "list_customer_orders":
            self._learn_customer_orders(exchange)

    def _learn_identification(self, exchange: ToolExchange) -> None:
        data = exchange.data
        if exchange.ok and isinstance(data, dict) and data.get("customer_id"):
            self.customer_id = self.customer_id or data["customer_id"]
            self.customer_name = _first_name(data.get("name")) or self.customer_name
            if "payment_methods" in data and self.customer is None:  # the profile came with it
                self.customer = data

    def _learn_customer(self, exchange: ToolExchange) -> None:
        data, error = exchange.data, exchange.error
        if exchange.ok and isinstance(data, dict):
            self.customer = data
            self.customer_name = self.customer_name or _first_name(data.get("name"))
            self.customer_id = self.customer_id or data.get("customer_id")
        elif error and not error.get("retryable"):
            self.customer_error = error

    def _learn_order(self, exchange: ToolExchange) -> None:
        data, error = exchange.data, exchange.error
        order_id = str(exchange.arguments.get("order_id", ""))
        if exchange.ok and isinstance(data, dict):
            self.orders[data.get("order_id", order_id)] = data
            self.order_errors.pop(order_id, None)
        elif error and not error.get("retryable"):
            self.order_errors[order_id] = error

    def _learn_product(self, exchange: ToolExchange) -> None:
        data, error = exchange.data, exchange.error
        product_id = str(exchange.arguments.get("product_id", ""))
        if exchange.ok and isinstance(data, dict):
            self.products[data.get("product_id", product_id)] = _variants_by_id(data)
        elif error and not error.get("retryable"):
            self.product_errors[product_id] = error

    def _learn_search(self, exchange: ToolExchange) -> None:
        data = exchange.data
        if exchange.ok and isinstance(data, dict):
            for product in data.get("products") or []:
                if isinstance(product, dict) and product.get("product_id"):
                    self.products[product["product_id"]] = _variants_by_id(product)

    def _learn_product_types(self, exchange: ToolExchange) -> None:
        data = exchange.data
        if exchange.ok and isinstance(data, dict):
            products = data.get("products") or []
            if isinstance(products, dict):  # name -> product_id
                products = [{"name": name, "product_id": pid} for name, pid in products.items()]
            self.product_types = list(products)

    def _learn_customer_orders(self, exchange: ToolExchange) -> None:
        data = exchange.data
        if exchange.ok and isinstance(data, dict):
            self.customer_orders = list(data.get("orders") or [])

    # --- lookups ------------------------------------------------------------------------------
    def calls(self, name: str, **match: Any) -> list[ToolExchange]:
        """Earlier calls of a tool whose arguments include `match`."""
        return [
            e for e in self.exchanges if e.name == name and all(_same(e.arguments.get(k), v) for k, v in match.items())
        ]

    def last(self, name: str, **match: Any) -> ToolExchange | None:
        found = self.calls(name, **match)
        return found[-1] if found else None

    def settled(self, name: str, **match: Any) -> ToolExchange | None:
        """The last call of this tool with these arguments, unless it failed in a way worth
        retrying and may still be retried."""
        found = self.calls(name, **match)
        if not found:
            return None
        last = found[-1]
        error = last.error
        if error and error.get("retryable") and len(found) < MAX_ATTEMPTS:
            return None
        return last

    @property
    def payment_methods(self) -> list[dict[str, Any]]:
        if not self.customer:
            return []
        methods = self.customer.get("payment_methods") or []
        if isinstance(methods, dict):
            methods = list(methods.values())
        return [m for m in methods if isinstance(m, dict)]


def _variants_by_id(product: dict[str, Any]) -> dict[str, Any]:
    """The tools list a product's variants; the playbooks look them up by item_id."""
    variants = product.get("variants")
    if isinstance(variants, list):
        return {**product, "variants": {str(v.get("item_id")): v for v in variants if isinstance(v, dict)}}
    return product


def _before_identity(exchange: ToolExchange) -> bool:
    error = exchange.error
    return error is not None and error.get("code") == "not_authenticated"


def _first_name(name: Any) -> str | None:
    if isinstance(name, dict):
        return name.get("first_name")
    if isinstance(name, str) and name.strip():
        return name.split()[0]
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return [str(x) for x in a] == [str(x) for x in b]
    return str(a) == str(b)


def original_payment(order: dict[str, Any]) -> str | None:
    for entry in order.get("payment_history") or []:
        if entry.get("transaction_type") == "payment":
            return entry.get("payment_method_id")
    return None


def paid_total(order: dict[str, Any]) -> float:
    return round(
        sum(e.get("amount", 0) for e in order.get("payment_history") or [] if e.get("transaction_type") == "payment"), 2
    )
