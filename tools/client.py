"""HTTP clients for the store's APIs: timeouts (httpx), retries with exponential backoff and jitter
(tenacity), one circuit breaker per API (pybreaker), and every failure mapped to a ToolError.

Reads are retried. Writes are retried only with an idempotency key, which `apply_operation`
requires: the store then answers a repeated request with its first answer, so a retry after a lost
answer cannot apply a change twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pybreaker
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from tools.errors import ToolError

IDEMPOTENCY_HEADER = "Idempotency-Key"

# The store operations of CONTRACTS §2: which API owns each, its path, and the argument in the path.
OPERATION_ROUTES: dict[str, tuple[str, str, str]] = {
    "cancel_pending_order": ("orders", "/orders/{}/cancel", "order_id"),
    "modify_pending_order_address": ("orders", "/orders/{}/address", "order_id"),
    "modify_pending_order_payment": ("orders", "/orders/{}/payment", "order_id"),
    "modify_pending_order_items": ("orders", "/orders/{}/items", "order_id"),
    "return_delivered_order_items": ("orders", "/orders/{}/return", "order_id"),
    "exchange_delivered_order_items": ("orders", "/orders/{}/exchange", "order_id"),
    "modify_user_address": ("customers", "/customers/{}/address", "user_id"),
}


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    backoff_s: float = 0.05
    backoff_max_s: float = 1.0


def _segment(value: str) -> str:
    """A path segment: order ids start with '#', which must not become a URL fragment."""
    return quote(str(value), safe="")


def _is_transient(error: BaseException) -> bool:
    return isinstance(error, ToolError) and error.retryable and error.code != "circuit_open"


def _is_business_error(error: BaseException) -> bool:
    """4xx answers say the request was wrong, not that the API is failing: they must not open the
    circuit."""
    return isinstance(error, ToolError) and not error.retryable


class _API:
    """One API of the store, with its own circuit breaker."""

    name = ""

    def __init__(self, http: httpx.Client, policy: RetryPolicy, breaker: pybreaker.CircuitBreaker) -> None:
        self._http = http
        self._policy = policy
        self.breaker = breaker

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._request("GET", path, params=params, retry=True)

    def _post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None, dry_run: bool = False) -> Any:
        headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else {}
        params = {"dry_run": "true"} if dry_run else None
        # A dry run changes nothing, so it is as safe to retry as a read.
        return self._request(
            "POST", path, params=params, json=body, headers=headers, retry=dry_run or idempotency_key is not None
        )

    def _request(self, method: str, path: str, *, retry: bool, **kwargs: Any) -> Any:
        attempts = self._policy.retries + 1 if retry else 1
        retrying = Retrying(
            stop=stop_after_attempt(attempts),
            # `initial` (tenacity 9.1, the newest google-genai accepts; 9.2 renamed it `multiplier`)
            wait=wait_exponential_jitter(
                initial=self._policy.backoff_s, max=self._policy.backoff_max_s, jitter=self._policy.backoff_s
            ),
            retry=retry_if_exception(_is_transient),
            reraise=True,
        )
        try:
            return retrying(self._attempt, method, path, kwargs)
        except ToolError as error:
            if error.retryable and error.code != "circuit_open" and attempts > 1:
                raise ToolError(
                    error.code, f"{error.message} Gave up after {attempts} attempts.", retryable=True
                ) from error
            raise

    def _attempt(self, method: str, path: str, kwargs: dict[str, Any]) -> Any:
        try:
            return self.breaker.call(self._send, method, path, kwargs)
        except pybreaker.CircuitBreakerError as error:
            raise ToolError(
                "circuit_open",
                f"The store's {self.name} API failed repeatedly and is paused for a few seconds. Try "
                "again shortly; if it keeps failing, tell the customer there is a temporary problem "
                "or escalate.",
                retryable=True,
            ) from error

    def _send(self, method: str, path: str, kwargs: dict[str, Any]) -> Any:
        where = f"{method} {path}"
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            raise ToolError(
                "store_timeout", f"The store's {self.name} API did not answer in time ({where}).", retryable=True
            ) from error
        except httpx.TransportError as error:
            raise ToolError(
                "store_unreachable",
                f"The store's {self.name} API cannot be reached ({where}: {error!r}).",
                retryable=True,
            ) from error
        if response.status_code >= 500 or response.status_code == 429:
            raise ToolError(
                "store_unavailable",
                f"The store's {self.name} API failed with HTTP {response.status_code} ({where}).",
                retryable=True,
            )
        if response.status_code >= 400:
            code, message = _error_of(response)
            raise ToolError(code, message, retryable=False)
        return response.json()


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json()["error"]
        return str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        return (
            f"http_{response.status_code}",
            f"The store refused the request with HTTP {response.status_code}: {response.text[:200]}",
        )


class CustomersAPI(_API):
    name = "customers"

    def find_by_email(self, email: str) -> dict[str, Any]:
        return self._get("/customers/lookup", {"email": email})

    def find_by_name_zip(self, first_name: str, last_name: str, zip: str) -> dict[str, Any]:
        return self._get("/customers/lookup", {"first_name": first_name, "last_name": last_name, "zip": zip})

    def get(self, customer_id: str) -> dict[str, Any]:
        return self._get(f"/customers/{_segment(customer_id)}")

    def orders(self, customer_id: str) -> list[dict[str, Any]]:
        return self._get(f"/customers/{_segment(customer_id)}/orders")["orders"]


class OrdersAPI(_API):
    name = "orders"

    def get(self, order_id: str) -> dict[str, Any]:
        return self._get(f"/orders/{_segment(order_id)}")


class CatalogAPI(_API):
    name = "catalog"

    def product_types(self) -> list[dict[str, Any]]:
        return self._get("/catalog/products")["products"]

    def product(self, product_id: str) -> dict[str, Any]:
        return self._get(f"/catalog/products/{_segment(product_id)}")

    def find_variants(self, product_id: str, options: dict[str, str]) -> dict[str, Any]:
        return self._get(f"/catalog/products/{_segment(product_id)}/variants", options)


class PaymentsAPI(_API):
    name = "payments"

    def methods(self, customer_id: str) -> list[dict[str, Any]]:
        return self._get(f"/payments/customers/{_segment(customer_id)}/methods")["payment_methods"]

    def order_payments(self, order_id: str) -> dict[str, Any]:
        return self._get(f"/payments/orders/{_segment(order_id)}")

    def invoice(self, order_id: str) -> dict[str, Any]:
        return self._get(f"/payments/orders/{_segment(order_id)}/invoice")

    def refunds(self, order_id: str | None = None) -> list[dict[str, Any]]:
        return self._get("/payments/refunds", {"order_id": order_id} if order_id else None)["refunds"]


class ShippingAPI(_API):
    name = "shipping"

    def track(self, tracking_id: str) -> dict[str, Any]:
        return self._get(f"/shipping/tracking/{_segment(tracking_id)}")

    def return_label(self, order_id: str) -> dict[str, Any]:
        return self._get(f"/shipping/orders/{_segment(order_id)}/return-label")


class StoreClient:
    """All APIs of one store. Thread-safe; share one per process (or per worker)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 2.0,
        retries: int = 3,
        backoff_s: float = 0.05,
        backoff_max_s: float = 1.0,
        breaker_fail_max: int = 5,
        breaker_reset_s: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout_s, transport=transport, headers={"Accept": "application/json"}
        )
        policy = RetryPolicy(retries=retries, backoff_s=backoff_s, backoff_max_s=backoff_max_s)

        def breaker(name: str) -> pybreaker.CircuitBreaker:
            return pybreaker.CircuitBreaker(
                fail_max=breaker_fail_max,
                reset_timeout=breaker_reset_s,
                exclude=[_is_business_error],
                name=name,
                throw_new_error_on_trip=False,
            )

        self.customers = CustomersAPI(self._http, policy, breaker("customers"))
        self.orders = OrdersAPI(self._http, policy, breaker("orders"))
        self.catalog = CatalogAPI(self._http, policy, breaker("catalog"))
        self.payments = PaymentsAPI(self._http, policy, breaker("payments"))
        self.shipping = ShippingAPI(self._http, policy, breaker("shipping"))

    def apply_operation(
        self, name: str, kwargs: dict[str, Any], *, idempotency_key: str, dry_run: bool = False
    ) -> dict[str, Any]:
        """Perform a CONTRACTS §2 operation by name with its exact keyword arguments. Returns the
        store's answer `{status, operation, amount, order | customer}`; with `dry_run`, checks the
        preconditions and previews the effect without changing anything."""
        if name not in OPERATION_ROUTES:
            raise ToolError(
                "unknown_operation", f"'{name}' is not a store operation; use one of: {', '.join(OPERATION_ROUTES)}."
            )
        if not idempotency_key:
            raise ToolError(
                "idempotency_key_required",
                f"{name} changes the store: pass the idempotency key of this request (tools.context.idempotency_key).",
            )
        api_name, template, path_arg = OPERATION_ROUTES[name]
        if path_arg not in kwargs:
            raise ToolError("invalid_arguments", f"{name} needs '{path_arg}'.")
        body = {k: v for k, v in kwargs.items() if k != path_arg}
        api: _API = getattr(self, api_name)
        return api._post(
            template.format(_segment(kwargs[path_arg])), body, idempotency_key=idempotency_key, dry_run=dry_run
        )

    def export_json(self) -> str:
        """The whole store as JSON text `{"users", "orders", "products"}` (operator use)."""
        return self._operator_get("/export").text

    def export(self) -> dict[str, Any]:
        return json.loads(self.export_json())

    def export_changes(self) -> dict[str, Any]:
        """Only the records that differ from a fresh store (None: record gone)."""
        return self._operator_get("/export/changes").json()

    def _operator_get(self, path: str) -> httpx.Response:
        try:
            response = self._http.get(path, timeout=60.0)
        except httpx.HTTPError as error:
            raise ToolError("store_unreachable", f"GET {path} failed: {error!r}.", retryable=True) from error
        if response.status_code != 200:
            raise ToolError(
                "store_unavailable",
                f"GET {path} answered HTTP {response.status_code}.",
                retryable=response.status_code >= 500,
            )
        return response

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> StoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
