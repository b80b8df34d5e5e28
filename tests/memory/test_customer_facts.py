"""Fact extraction without a model: preferences, language, tone, problems, outcomes, and
resolution summaries free of customer data."""

from __future__ import annotations

import pytest

from core.models import ActionRecord, Escalation, Result, ThreadMessage, Ticket
from memory.customer_facts import (
    extract_customer_facts,
    language_of,
    reported_problems,
    summarize_resolution,
    tone_of,
)


def test_language_and_tone():
    assert language_of("Hola, por favor cancelen mi pedido. Gracias") == "Spanish"
    assert language_of("Bonjour, pourriez-vous annuler la commande ? Merci") == "French"
    assert language_of("Hello, please cancel my order.") is None
    assert tone_of("You people are a complete joke. Useless, incompetent idiots.") == ["frustrated"]
    assert "mentions legal action or a bank dispute" in tone_of("My attorney will file a claim in court.")
    assert tone_of("Thanks a lot for your help.") == []


@pytest.mark.parametrize(
    "text, product, fault",
    [
        (
            "The blue Bluetooth Speaker from my order won't pair with my phone anymore.",
            "Bluetooth Speaker",
            "won't pair",
        ),
        ("The Smart Thermostat shows as offline in the app.", "Smart Thermostat", "offline"),
        ("The left one of my Wireless Earbuds stopped charging in the case.", "Wireless Earbuds", "stopped charging"),
        ("the robot vacuum just stops in the middle of the room with a dead battery", "Vacuum Cleaner", "dead battery"),
        ("My Smart Watch stopped showing notifications from my phone.", "Smart Watch", "stopped showing"),
    ],
)
def test_reported_problems(text, product, fault):
    assert reported_problems(text) == [(product, fault)]


def test_no_problem_in_a_plain_request():
    assert reported_problems("Please exchange the Bluetooth Speaker for the red one.") == []


def test_facts_of_a_ticket():
    ticket = Ticket(
        id="T-1",
        body="The Bluetooth Speaker won't pair again, this is ridiculous!",
        thread=[ThreadMessage(role="customer", body="Please always put refunds on my gift card.")],
    )
    result = Result(
        ticket_id="T-1",
        outcome="resolved",
        reply="...",
        actions=[
            ActionRecord(
                name="return_delivered_order_items",
                status="done",
                arguments={"order_id": "#W1234567", "item_ids": ["1"], "payment_method_id": "gift_card_42"},
            )
        ],
    )
    facts = {f.kind: f for f in extract_customer_facts(ticket, result)}
    assert facts["preference"].text == "Stated in ticket T-1: From now on, refunds go to my gift card."
    assert facts["preference"].key == "standing-refund-method"
    assert facts["tone"].text == "Tone in ticket T-1: frustrated"
    assert facts["problem"].metadata["product"] == "Bluetooth Speaker"
    assert "return_delivered_order_items #W1234567" in facts["outcome"].text
    assert facts["outcome"].text.startswith("Earlier ticket T-1: outcome resolved")


def test_resolution_summary_carries_no_customer_data():
    ticket = Ticket(id="T-9", body="Return the Tablet from #W5285031 to my Visa ending in 7684. jane.doe@example.com")
    result = Result(
        ticket_id="T-9",
        outcome="escalated",
        reply="...",
        customer_id="jane_doe_1",
        agents=["Returns", "Returns"],
        actions=[
            ActionRecord(
                name="return_delivered_order_items",
                status="error",
                arguments={"order_id": "#W5285031", "payment_method_id": "credit_card_7684"},
                error="order #W5285031 of jane.doe@example.com is not delivered",
            )
        ],
        escalation=Escalation(reason="customer jane.doe@example.com insists on #W5285031", summary="..."),
    )
    summary = summarize_resolution(ticket, result)
    assert summary.kind == "return"
    for private in ("W5285031", "jane", "7684", "credit_card_"):
        assert private not in summary.text
    assert "return_delivered_order_items (via credit card) -> error" in summary.text
    assert summary.text.endswith("Outcome: escalated.")
    assert "Handled by: Returns." in summary.text


def test_kind_of_request_without_actions():
    empty = Result(ticket_id="x", outcome="resolved", reply=".")
    assert (
        summarize_resolution(Ticket(id="x", body="My Smart Watch stopped showing notifications."), empty).kind
        == "troubleshooting"
    )
    assert summarize_resolution(Ticket(id="x", body="Where is my order #W1234567?"), empty).kind == "order-status"
    assert (
        summarize_resolution(Ticket(id="x", body="How much is the Fleece Jacket in navy?"), empty).kind
        == "product-question"
    )


def test_a_new_ticket_is_described_like_the_summaries_it_should_find():
    from memory.customer_facts import describe_request

    assert (
        describe_request("Please cancel order #W1234567, I ordered it by mistake.")
        == "Request: cancel a pending order."
    )
    assert describe_request("The Smart Thermostat shows as offline in the app.") == (
        "Request: reports a product fault and asks for help. Problem: Smart Thermostat offline."
    )
    assert describe_request("asdf qwer") is None
