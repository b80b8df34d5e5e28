"""The HTTP service itself: loopback only, readable errors, shipping derived from the orders."""

from __future__ import annotations

from datetime import datetime

import httpx

from sandbox_store import shipping


def test_server_listens_on_loopback_only(store_server) -> None:
    assert store_server.base_url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{store_server.base_url}/health").json() == {"status": "ok"}


def test_unknown_or_missing_body_fields_are_refused_with_a_clear_message(store, store_server) -> None:
    response = httpx.post(
        f"{store_server.base_url}/orders/%23W9728773/cancel", json={"reason": "no longer needed", "refund_to": "me"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_arguments" and "refund_to" in error["message"]


def test_tracking_follows_the_order_status_and_is_deterministic(store, client, seed_data) -> None:
    seen = set()
    for order in seed_data["orders"].values():
        if not order["fulfillments"] or order["status"] in seen:
            continue
        seen.add(order["status"])
        tracking_id = order["fulfillments"][0]["tracking_id"][0]
        first = client.shipping.track(tracking_id)
        assert client.shipping.track(tracking_id) == first
        expected_status = {"processed": "in transit", "delivered": "delivered", "cancelled": "shipment cancelled"}[
            order["status"]
        ]
        assert (first["order_id"], first["status"]) == (order["order_id"], expected_status)
        times = [datetime.fromisoformat(e["at"]) for e in first["events"]]
        assert times == sorted(times) and first["events"][-1]["status"] == expected_status
        assert first["carrier"] in shipping.CARRIERS
        if expected_status == "delivered":
            address = order["address"]
            assert first["events"][-1]["location"] == f"{address['city']}, {address['state']}"
    assert seen == {"processed", "delivered", "cancelled"}


def test_return_label_exists_once_a_return_or_exchange_is_requested(store, client) -> None:
    client.apply_operation(
        "return_delivered_order_items",
        {"order_id": "#W3113816", "item_ids": ["6243148452"], "payment_method_id": "credit_card_5869505"},
        idempotency_key="label",
    )
    label = client.shipping.return_label("#W3113816")
    assert label == {
        **shipping.return_label(order=client.orders.get("#W3113816"), item_ids=["6243148452"]),
        "user_id": "emma_santos_9753",
    }
    assert client.shipping.track("443521489581")["status"] == "delivered"  # the outbound parcel
