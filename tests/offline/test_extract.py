"""Extractors against the evaluation tickets: who the customer is, addresses, reasons, payments."""

from __future__ import annotations

from offline_model.understanding import extract
from offline_model.understanding.ticket import TicketView, identity_attempts


def _expected_user(case: dict, orders: dict) -> str | None:
    for action in case["expected"]["actions"]:
        if action["kwargs"].get("user_id"):
            return action["kwargs"]["user_id"]
        if action["kwargs"].get("order_id"):
            return orders[action["kwargs"]["order_id"]]["user_id"]
    return None


def test_first_identity_attempt_finds_the_expected_customer(dev_cases, store_data):
    users = store_data["users"]
    by_email = {u["email"]: uid for uid, u in users.items()}
    by_name = {(u["name"]["first_name"], u["name"]["last_name"], u["address"]["zip"]): uid for uid, u in users.items()}
    wrong = []
    for case in dev_cases:
        view = TicketView(body=case["body"], from_email=case.get("from_email"))
        found = None
        for attempt in identity_attempts(view):
            args = attempt.arguments
            found = (
                by_email.get(args["email"])
                if "email" in args
                else by_name.get((args["first_name"], args["last_name"], args["zip"]))
            )
            if found:
                break
        if found != _expected_user(case, store_data["orders"]):
            wrong.append(case["id"])
    assert wrong == []


def test_no_identity_without_email_or_name_and_zip():
    view = TicketView(body="Hi, please cancel order #W2631563, I ordered it by mistake. Thanks, Mei")
    assert identity_attempts(view) == []


def test_lowercase_introduction_still_names_the_customer():
    candidates = extract.name_zip_candidates("hi, this is isabella johansson (zip 60625). thanks")
    assert extract.NameZip("Isabella", "Johansson", "60625") in candidates


def test_addresses_inline_and_as_a_block(dev_cases):
    checked = 0
    for case in dev_cases:
        wanted = [
            {k: a["kwargs"][k] for k in ("address1", "address2", "city", "state", "country", "zip")}
            for a in case["expected"]["actions"]
            if "address1" in a["kwargs"]
        ]
        if not wanted:
            continue
        got = [a.as_kwargs() for a in extract.addresses(case["body"])]
        for address in wanted:
            assert address in got, case["id"]
        checked += 1
    assert checked >= 30


def test_address_without_unit_or_country():
    (address,) = extract.addresses("Please update it to 77 Lake Street, Springfield, IL 62704.")
    assert address.as_kwargs() == {
        "address1": "77 Lake Street",
        "address2": "",
        "city": "Springfield",
        "state": "IL",
        "country": "USA",
        "zip": "62704",
    }


def test_cancellation_reasons_map_to_the_store_reasons(dev_cases):
    for case in dev_cases:
        reasons = {a["kwargs"]["reason"] for a in case["expected"]["actions"] if a["name"] == "cancel_pending_order"}
        if len(reasons) == 1:
            assert extract.cancel_reason(case["body"]) == reasons.pop(), case["id"]


def test_no_reason_is_none():
    assert extract.cancel_reason("Please cancel order #W9205196.") is None
    assert extract.cancel_reason("Quisiera cancelar el pedido porque lo pedí por error") == extract.REASON_MISTAKE
    assert extract.cancel_reason("Ya no lo necesito.") == extract.REASON_NOT_NEEDED


def test_payment_phrases():
    refs = extract.payment_refs(
        "I'd like to pay for #W1 with my Mastercard credit card ending in 6081 rather than the gift card"
    )
    wanted = [r for r in refs if not r.negated]
    assert [(r.source, r.brand, r.last_four) for r in wanted] == [("credit_card", "mastercard", "6081")]
    assert [r.source for r in refs if r.negated] == ["gift_card"]
    assert [r.source for r in extract.payment_refs("switch it from my gift card to PayPal") if not r.negated] == [
        "paypal"
    ]


def test_order_ids_are_normalised():
    assert extract.order_ids("orders #W1234567, w7654321 and # W1111111") == ["#W1234567", "#W7654321", "#W1111111"]
