"""The store clients: errors mapped to typed tool errors, retries only where safe, a circuit
breaker per API. Driven by a scripted transport, so every failure is exact."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from tools.client import StoreClient
from tools.errors import ToolError

Handler = Callable[[httpx.Request], httpx.Response]


class Scripted:
    """A transport answering from a list of handlers in turn (the last one repeats)."""

    def __init__(self, *handlers: Handler) -> None:
        self.handlers = list(handlers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        handler = self.handlers[min(len(self.requests), len(self.handlers)) - 1]
        return handler(request)


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"order_id": "#W1", "user_id": "u", "status": "done", "amount": 0})


def status(code: int, error_code: str = "x") -> Handler:
    return lambda request: httpx.Response(code, json={"error": {"code": error_code, "message": f"m{code}"}})


def timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("slow", request=request)


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused", request=request)


def client_for(script: Scripted, **kwargs) -> StoreClient:
    options = dict(timeout_s=1, retries=3, backoff_s=0.001, backoff_max_s=0.002, breaker_fail_max=50)
    options.update(kwargs)
    return StoreClient("http://store.test", transport=httpx.MockTransport(script), **options)


@pytest.mark.parametrize(
    "failure, code",
    [
        (timeout, "store_timeout"),
        (refused, "store_unreachable"),
        (status(503), "store_unavailable"),
        (status(429), "store_unavailable"),
    ],
)
def test_transient_failures_are_retried_then_reported_retryable(failure, code) -> None:
    script = Scripted(failure)
    with pytest.raises(ToolError) as caught:
        client_for(script).orders.get("#W1")
    assert caught.value.code == code and caught.value.retryable
    assert "Gave up after 4 attempts" in caught.value.message
    assert len(script.requests) == 4


def test_a_read_recovers_after_transient_failures() -> None:
    script = Scripted(status(500), timeout, ok)
    assert client_for(script).orders.get("#W1")["order_id"] == "#W1"
    assert len(script.requests) == 3


@pytest.mark.parametrize(
    "code, error_code", [(404, "order_not_found"), (422, "order_not_pending"), (409, "idempotency_key_reused")]
)
def test_refusals_are_not_retried_and_keep_the_stores_code(code, error_code) -> None:
    script = Scripted(status(code, error_code))
    with pytest.raises(ToolError) as caught:
        client_for(script).apply_operation(
            "cancel_pending_order", {"order_id": "#W1", "reason": "r"}, idempotency_key="k"
        )
    assert (caught.value.code, caught.value.retryable) == (error_code, False)
    assert len(script.requests) == 1


def test_keyed_writes_are_retried_with_the_same_key_and_quoted_path() -> None:
    script = Scripted(status(500), timeout, ok)
    client_for(script).apply_operation(
        "cancel_pending_order", {"order_id": "#W1", "reason": "r"}, idempotency_key="key-1"
    )
    assert [r.headers["Idempotency-Key"] for r in script.requests] == ["key-1"] * 3
    assert script.requests[0].url.raw_path == b"/orders/%23W1/cancel"
    assert script.requests[0].content == b'{"reason":"r"}'


def test_writes_without_a_key_are_refused_before_sending() -> None:
    script = Scripted(ok)
    with pytest.raises(ToolError, match="idempotency key") as caught:
        client_for(script).apply_operation(
            "cancel_pending_order", {"order_id": "#W1", "reason": "r"}, idempotency_key=""
        )
    assert caught.value.code == "idempotency_key_required" and script.requests == []
    with pytest.raises(ToolError, match="modify_user_address") as caught:
        client_for(script).apply_operation("refund_everything", {}, idempotency_key="k")
    assert caught.value.code == "unknown_operation"


def test_circuit_opens_per_api_fails_fast_and_closes_after_the_pause() -> None:
    healthy = [False]
    script = Scripted(lambda r: ok(r) if healthy[0] or "/catalog" in r.url.path else status(503)(r))
    client = client_for(script, retries=0, breaker_fail_max=3, breaker_reset_s=0.2)
    for _ in range(3):
        with pytest.raises(ToolError, match="HTTP 503"):
            client.orders.get("#W1")
    sent = len(script.requests)
    with pytest.raises(ToolError) as caught:
        client.orders.get("#W1")
    assert caught.value.code == "circuit_open" and caught.value.retryable
    assert len(script.requests) == sent  # failed fast, nothing sent
    assert client.catalog.product("1")["order_id"] == "#W1"  # the catalog's breaker is closed
    healthy[0] = True
    time.sleep(0.25)
    assert client.orders.get("#W1")["order_id"] == "#W1"  # half-open trial succeeded: closed again


def test_refusals_do_not_open_the_circuit() -> None:
    script = Scripted(status(404, "order_not_found"))
    client = client_for(script, retries=0, breaker_fail_max=2)
    for _ in range(5):
        with pytest.raises(ToolError) as caught:
            client.orders.get("#W1")
        assert caught.value.code == "order_not_found"
