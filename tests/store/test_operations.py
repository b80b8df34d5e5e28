"""The seven operations of CONTRACTS §2 through the store's API: each precondition refused with its
code and nothing changed; each effect exactly, gift-card balances and rounding included."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tools.client import StoreClient
from tools.errors import ToolError

_keys = itertools.count()


def run(client: StoreClient, name: str, **kwargs: Any) -> dict[str, Any]:
    return client.apply_operation(name, kwargs, idempotency_key=f"op-test-{next(_keys)}")


def refused(client: StoreClient, code: str, name: str, **kwargs: Any) -> str:
    before = client.export_changes()
    with pytest.raises(ToolError) as caught:
        run(client, name, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert not caught.value.retryable
    assert client.export_changes() == before, "a refused operation changed the store"
    return caught.value.message


def user(client: StoreClient, user_id: str) -> dict[str, Any]:
    return client.customers.get(user_id)


ADDRESS = {
    "address1": "12 Elm Street",
    "address2": "Apt 3",
    "city": "Austin",
    "state": "TX",
    "country": "USA",
    "zip": "78701",
}


# --- cancel_pending_order -----------------------------------------------------------------------


def test_cancel_refunds_every_payment_and_credits_the_gift_card(store, client) -> None:
    answer = run(client, "cancel_pending_order", order_id="#W9728773", reason="no longer needed")
    order = answer["order"]
    assert order["status"] == "cancelled" and order["cancel_reason"] == "no longer needed"
    assert order["payment_history"] == [
        {"transaction_type": "payment", "amount": 1412.7, "payment_method_id": "gift_card_5540683"},
        {"transaction_type": "refund", "amount": 1412.7, "payment_method_id": "gift_card_5540683"},
    ]
    assert answer["amount"] == 1412.7
    assert user(client, "omar_silva_7446")["payment_methods"]["gift_card_5540683"]["balance"] == 1480.7
    refunds = client.payments.order_payments("#W9728773")["refunds"]
    assert [(r["amount"], r["payment_method_id"], r["operation"]) for r in refunds] == [
        (1412.7, "gift_card_5540683", "cancel_pending_order")
    ]


def test_cancel_preconditions(store, client) -> None:
    refused(client, "order_not_pending", "cancel_pending_order", order_id="#W2611340", reason="no longer needed")
    refused(client, "invalid_reason", "cancel_pending_order", order_id="#W9728773", reason="too slow")
    refused(client, "order_not_found", "cancel_pending_order", order_id="#W0000000", reason="no longer needed")
    run(client, "cancel_pending_order", order_id="#W9728773", reason="ordered by mistake")
    refused(client, "order_not_pending", "cancel_pending_order", order_id="#W9728773", reason="no longer needed")


def test_cancel_after_payment_change_refunds_every_history_entry(store, client) -> None:
    run(client, "modify_pending_order_payment", order_id="#W9728773", payment_method_id="credit_card_5322562")
    order = run(client, "cancel_pending_order", order_id="#W9728773", reason="no longer needed")["order"]
    refunds = [(p["amount"], p["payment_method_id"]) for p in order["payment_history"][3:]]
    assert refunds == [(1412.7, "gift_card_5540683"), (1412.7, "credit_card_5322562"), (1412.7, "gift_card_5540683")]
    # 68 + 1412.7 (payment change) + 1412.7 + 1412.7 (both gift-card entries refunded again)
    assert user(client, "omar_silva_7446")["payment_methods"]["gift_card_5540683"]["balance"] == 4306.1


# --- modify_pending_order_address ---------------------------------------------------------------


def test_modify_order_address(store, client) -> None:
    order = run(client, "modify_pending_order_address", order_id="#W9728773", **ADDRESS)["order"]
    assert order["address"] == {
        "address1": "12 Elm Street",
        "address2": "Apt 3",
        "city": "Austin",
        "country": "USA",
        "state": "TX",
        "zip": "78701",
    }
    assert order["status"] == "pending"
    refused(client, "order_not_pending", "modify_pending_order_address", order_id="#W2611340", **ADDRESS)


# --- modify_pending_order_payment ---------------------------------------------------------------


def test_modify_payment_moves_the_amount_and_both_gift_card_balances(store, client) -> None:
    answer = run(client, "modify_pending_order_payment", order_id="#W9728773", payment_method_id="credit_card_5322562")
    assert answer["order"]["payment_history"] == [
        {"transaction_type": "payment", "amount": 1412.7, "payment_method_id": "gift_card_5540683"},
        {"transaction_type": "payment", "amount": 1412.7, "payment_method_id": "credit_card_5322562"},
        {"transaction_type": "refund", "amount": 1412.7, "payment_method_id": "gift_card_5540683"},
    ]
    assert answer["order"]["status"] == "pending"
    assert user(client, "omar_silva_7446")["payment_methods"]["gift_card_5540683"]["balance"] == 1480.7
    # Now two payments: the history is no longer a single payment.
    refused(
        client,
        "payment_history_not_single",
        "modify_pending_order_payment",
        order_id="#W9728773",
        payment_method_id="paypal_2192303",
    )


def test_modify_payment_debits_a_gift_card_that_covers_the_amount(store, client) -> None:
    # aarav_nguyen_7344: order #W2443586 paid 591.95 by PayPal; gift card balance 22.
    refused(
        client,
        "insufficient_gift_card_balance",
        "modify_pending_order_payment",
        order_id="#W2443586",
        payment_method_id="gift_card_2742113",
    )
    run(
        client,
        "modify_pending_order_items",
        order_id="#W9318778",
        item_ids=["2143041831"],
        new_item_ids=["7758198585"],
        payment_method_id="gift_card_7728021",
    )  # unrelated customer
    # lucas_martin_4549's gift card now holds 227.29; his other orders are not involved.
    assert user(client, "lucas_martin_4549")["payment_methods"]["gift_card_7728021"]["balance"] == 227.29


def test_modify_payment_preconditions(store, client) -> None:
    refused(
        client,
        "payment_method_unchanged",
        "modify_pending_order_payment",
        order_id="#W9728773",
        payment_method_id="gift_card_5540683",
    )
    refused(
        client,
        "payment_method_invalid",
        "modify_pending_order_payment",
        order_id="#W9728773",
        payment_method_id="credit_card_7815826",
    )  # noah_brown_6181's card
    refused(
        client,
        "order_not_pending",
        "modify_pending_order_payment",
        order_id="#W2611340",
        payment_method_id="credit_card_5322562",
    )


# --- modify_pending_order_items -----------------------------------------------------------------


def test_modify_items_cheaper_variant_refunds_the_difference_to_a_gift_card(store, client) -> None:
    answer = run(
        client,
        "modify_pending_order_items",
        order_id="#W2443586",
        item_ids=["9690244451"],
        new_item_ids=["3616838507"],
        payment_method_id="gift_card_2742113",
    )
    order = answer["order"]
    # 236.51 - 226.11 is 10.399999999999977 in floating point: stored to the cent.
    assert order["payment_history"][-1] == {
        "transaction_type": "refund",
        "amount": 10.4,
        "payment_method_id": "gift_card_2742113",
    }
    assert answer["amount"] == 10.4
    assert user(client, "aarav_nguyen_7344")["payment_methods"]["gift_card_2742113"]["balance"] == 32.4
    keyboard = next(i for i in order["items"] if i["name"] == "Mechanical Keyboard")
    assert keyboard == {
        "name": "Mechanical Keyboard",
        "product_id": "1656367028",
        "item_id": "3616838507",
        "price": 226.11,
        "options": {"switch type": "tactile", "backlight": "white", "size": "full size"},
    }
    assert order["status"] == "pending (item modified)"
    # Once modified, the order can no longer be modified or cancelled.
    refused(
        client,
        "order_not_pending",
        "modify_pending_order_items",
        order_id="#W2443586",
        item_ids=["3616838507"],
        new_item_ids=["9690244451"],
        payment_method_id="paypal_7859314",
    )
    refused(client, "order_not_pending", "cancel_pending_order", order_id="#W2443586", reason="no longer needed")


def test_modify_items_dearer_variant_charges_the_difference(store, client) -> None:
    refused(
        client,
        "insufficient_gift_card_balance",
        "modify_pending_order_items",
        order_id="#W9318778",
        item_ids=["2143041831"],
        new_item_ids=["3624655057"],
        payment_method_id="gift_card_7728021",
    )
    order = run(
        client,
        "modify_pending_order_items",
        order_id="#W9318778",
        item_ids=["2143041831"],
        new_item_ids=["3624655057"],
        payment_method_id="credit_card_7862034",
    )["order"]
    assert order["payment_history"][-1] == {
        "transaction_type": "payment",
        "amount": 118.54,
        "payment_method_id": "credit_card_7862034",
    }
    assert user(client, "lucas_martin_4549")["payment_methods"]["gift_card_7728021"]["balance"] == 68


def test_modify_items_counts_repeated_items(store, client, seed_data) -> None:
    # #W9093821 holds the Backpack 3557711149 twice (positions 0 and 2).
    variants = seed_data["products"]["2524789262"]["variants"]
    a, b = [v["item_id"] for v in variants.values() if v["available"] and v["item_id"] != "3557711149"][:2]
    refused(
        client,
        "item_not_in_order",
        "modify_pending_order_items",
        order_id="#W9093821",
        item_ids=["3557711149"] * 3,
        new_item_ids=[a, b, a],
        payment_method_id="credit_card_7422485",
    )
    order = run(
        client,
        "modify_pending_order_items",
        order_id="#W9093821",
        item_ids=["3557711149"] * 2,
        new_item_ids=[a, b],
        payment_method_id="credit_card_7422485",
    )["order"]
    assert [i["item_id"] for i in order["items"]] == [a, "8917609800", b, "4035304400", "9747045638"]
    difference = round(variants[a]["price"] + variants[b]["price"] - 2 * 205.35, 2)
    assert order["payment_history"][-1]["amount"] == abs(difference)


def test_modify_items_preconditions(store, client) -> None:
    refused(
        client,
        "variant_unavailable",
        "modify_pending_order_items",
        order_id="#W9318778",
        item_ids=["2143041831"],
        new_item_ids=["6170152315"],
        payment_method_id="credit_card_7862034",
    )
    refused(
        client,
        "variant_unavailable",
        "modify_pending_order_items",
        order_id="#W9318778",
        item_ids=["2143041831"],
        new_item_ids=["3616838507"],  # a keyboard, not a bicycle
        payment_method_id="credit_card_7862034",
    )
    refused(
        client,
        "item_count_mismatch",
        "modify_pending_order_items",
        order_id="#W9318778",
        item_ids=["2143041831"],
        new_item_ids=["7758198585", "3624655057"],
        payment_method_id="credit_card_7862034",
    )
    refused(
        client,
        "item_not_in_order",
        "modify_pending_order_items",
        order_id="#W9318778",
        item_ids=["9690244451"],
        new_item_ids=["3616838507"],
        payment_method_id="credit_card_7862034",
    )
    refused(
        client,
        "payment_method_invalid",
        "modify_pending_order_items",
        order_id="#W9318778",
        item_ids=["2143041831"],
        new_item_ids=["7758198585"],
        payment_method_id="paypal_7859314",
    )
    refused(
        client,
        "invalid_arguments",
        "modify_pending_order_items",
        order_id="#W9318778",
        item_ids=[],
        new_item_ids=[],
        payment_method_id="credit_card_7862034",
    )


# --- return_delivered_order_items ---------------------------------------------------------------


def test_return_to_original_method_or_gift_card(store, client) -> None:
    answer = run(
        client,
        "return_delivered_order_items",
        order_id="#W3113816",
        item_ids=["4843487907", "2206116040"],
        payment_method_id="credit_card_5869505",
    )
    order = answer["order"]
    assert order["status"] == "return requested"
    assert order["return_items"] == ["2206116040", "4843487907"]  # sorted
    assert order["return_payment_method_id"] == "credit_card_5869505"
    assert order["payment_history"] == [
        {"transaction_type": "payment", "amount": 1739.51, "payment_method_id": "credit_card_5869505"}
    ]
    assert answer["amount"] == round(254.84 + 209.91, 2)
    label = client.shipping.return_label("#W3113816")
    assert label["items"] == ["2206116040", "4843487907"] and label["rma"].startswith("RMA-")
    store.reset()
    order = run(
        client,
        "return_delivered_order_items",
        order_id="#W3113816",
        item_ids=["6243148452"],
        payment_method_id="gift_card_6023546",
    )["order"]
    assert order["return_payment_method_id"] == "gift_card_6023546"


def test_return_preconditions(store, client) -> None:
    refused(
        client,
        "order_not_delivered",
        "return_delivered_order_items",
        order_id="#W9728773",
        item_ids=["7127170374"],
        payment_method_id="gift_card_5540683",
    )
    refused(
        client,
        "payment_method_invalid",
        "return_delivered_order_items",
        order_id="#W3113816",
        item_ids=["6243148452"],
        payment_method_id="paypal_2192303",
    )  # another customer's
    refused(
        client,
        "item_not_in_order",
        "return_delivered_order_items",
        order_id="#W3113816",
        item_ids=["6243148452", "6243148452"],
        payment_method_id="credit_card_5869505",
    )
    # #W1840144 (delivered) holds 8590708195 twice: both units may go back.
    order = client.orders.get("#W1840144")
    method = order["payment_history"][0]["payment_method_id"]
    returned = run(
        client,
        "return_delivered_order_items",
        order_id="#W1840144",
        item_ids=["8590708195", "8590708195"],
        payment_method_id=method,
    )["order"]
    assert returned["return_items"] == ["8590708195", "8590708195"]


def test_return_to_a_non_original_non_gift_card_method_is_refused(store, client, seed_data) -> None:
    # A delivered order whose customer has a second, non-gift-card method.
    for order in seed_data["orders"].values():
        methods = seed_data["users"][order["user_id"]]["payment_methods"]
        original = order["payment_history"][0]["payment_method_id"]
        others = [m for m, v in methods.items() if m != original and v["source"] != "gift_card"]
        if order["status"] == "delivered" and others:
            break
    message = refused(
        client,
        "payment_method_invalid",
        "return_delivered_order_items",
        order_id=order["order_id"],
        item_ids=[order["items"][0]["item_id"]],
        payment_method_id=others[0],
    )
    assert original in message


# --- exchange_delivered_order_items -------------------------------------------------------------


def test_exchange_records_the_request_and_rounded_difference(store, client, seed_data) -> None:
    variants = seed_data["products"]["1656367028"]["variants"]  # Mechanical Keyboard
    new_id = next(v["item_id"] for v in variants.values() if v["available"] and v["price"] < 254.84)
    answer = run(
        client,
        "exchange_delivered_order_items",
        order_id="#W3113816",
        item_ids=["4843487907"],
        new_item_ids=[new_id],
        payment_method_id="gift_card_6023546",
    )
    order = answer["order"]
    assert order["status"] == "exchange requested"
    assert order["exchange_items"] == ["4843487907"] and order["exchange_new_items"] == [new_id]
    assert order["exchange_payment_method_id"] == "gift_card_6023546"
    assert order["exchange_price_difference"] == round(variants[new_id]["price"] - 254.84, 2)
    assert order["items"] == seed_data["orders"]["#W3113816"]["items"]  # items change on arrival
    # No money moves yet: the gift card keeps its balance.
    assert user(client, "emma_santos_9753")["payment_methods"]["gift_card_6023546"]["balance"] == 36


def test_exchange_preconditions(store, client, seed_data) -> None:
    variants = seed_data["products"]["7233192239"]["variants"]  # Dumbbell Set, 483.47 in the order
    dearer = next(v["item_id"] for v in variants.values() if v["available"] and v["price"] > 483.47 + 36)
    refused(
        client,
        "insufficient_gift_card_balance",
        "exchange_delivered_order_items",
        order_id="#W3113816",
        item_ids=["4422467033"],
        new_item_ids=[dearer],
        payment_method_id="gift_card_6023546",
    )
    refused(
        client,
        "order_not_delivered",
        "exchange_delivered_order_items",
        order_id="#W9318778",
        item_ids=["2143041831"],
        new_item_ids=["7758198585"],
        payment_method_id="credit_card_7862034",
    )
    refused(
        client,
        "item_count_mismatch",
        "exchange_delivered_order_items",
        order_id="#W3113816",
        item_ids=["4422467033", "6243148452"],
        new_item_ids=[dearer],
        payment_method_id="credit_card_5869505",
    )
    refused(
        client,
        "payment_method_invalid",
        "exchange_delivered_order_items",
        order_id="#W3113816",
        item_ids=["4422467033"],
        new_item_ids=[dearer],
        payment_method_id="credit_card_7862034",
    )
    run(
        client,
        "exchange_delivered_order_items",
        order_id="#W3113816",
        item_ids=["4422467033"],
        new_item_ids=[dearer],
        payment_method_id="credit_card_5869505",
    )
    refused(
        client,
        "order_not_delivered",
        "return_delivered_order_items",
        order_id="#W3113816",
        item_ids=["6243148452"],
        payment_method_id="credit_card_5869505",
    )


# --- modify_user_address ------------------------------------------------------------------------


def test_modify_user_address(store, client, seed_data) -> None:
    answer = run(client, "modify_user_address", user_id="noah_brown_6181", **ADDRESS)
    assert answer["customer"]["address"] == {
        "address1": "12 Elm Street",
        "address2": "Apt 3",
        "city": "Austin",
        "country": "USA",
        "state": "TX",
        "zip": "78701",
    }
    stored = user(client, "noah_brown_6181")
    expected = dict(seed_data["users"]["noah_brown_6181"], address=answer["customer"]["address"])
    assert {k: v for k, v in stored.items() if k != "customer_id"} == expected
    # The lookup by name + the new zip now finds the customer.
    assert client.customers.find_by_name_zip("noah", "BROWN", "78701")["customer_id"] == "noah_brown_6181"
    refused(client, "customer_not_found", "modify_user_address", user_id="nobody_1", **ADDRESS)
