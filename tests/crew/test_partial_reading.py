"""Never write on a partial reading: with the real offline model, a ticket holding a condition, an
exception or a request the model cannot read changes nothing and says what it could not read.
(The store is compared before and after; the hand-over names the customer's words.)"""

from __future__ import annotations

import pytest

from core.models import Ticket
from runner.ticket_run import open_environment, run_ticket
from sandbox_store.access import store_client

SENDER = "chen.moore4507@example.com"  # #W9205196 is pending, and Chen has other orders

CASES = {
    "condition": (
        "Please cancel order #W9205196, I ordered it by mistake. If the courier can still bring it before my "
        "trip on Friday, though, keep it.",
        "before my trip on Friday",
    ),
    "exception": (
        "Please cancel all of my pending orders, I ordered them by mistake - except the one my sister is waiting for.",
        "the one my sister is waiting for",
    ),
    "unread request": (
        "Please cancel order #W9205196, I ordered it by mistake. And could you add gift wrapping to the "
        "rest of my orders?",
        "add gift wrapping",
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_part_the_model_cannot_read_stops_every_write(kind: str, settings) -> None:
    body, words = CASES[kind]
    with store_client(settings) as client:
        before = client.export()
    with open_environment(settings) as env:
        result = run_ticket(Ticket(id=f"T-partial-{kind.replace(' ', '-')}", from_email=SENDER, body=body), env)
        after = env.store.export()
    assert result.actions == [] and result.approvals == []
    assert after == before
    assert result.outcome in {"escalated", "needs_info"}, result.reply
    said = f"{result.reply} {result.escalation.summary if result.escalation else ''}"
    assert words in said, said  # what it could not read is named for whoever takes the ticket


def test_the_same_ticket_without_the_unread_part_is_resolved(settings) -> None:
    """The control: the gate is what stopped the writes above, not the request itself."""
    body = "Please cancel order #W9205196, I ordered it by mistake."
    with open_environment(settings) as env:
        result = run_ticket(Ticket(id="T-partial-control", from_email=SENDER, body=body), env)
    assert [a.name for a in result.actions] == ["cancel_pending_order"] or result.approvals


def test_no_request_is_written_while_another_waits_for_the_customer(settings) -> None:
    """Two requests, one of which needs an answer first (a new address not given): the other one
    (a plain cancellation) is not made either; both wait for the answer."""
    body = (
        "Please cancel order #W3579467, I ordered it by mistake. Also, please change the shipping address "
        "of order #W1787190."
    )
    with store_client(settings) as client:
        before = client.export()
    with open_environment(settings) as env:
        result = run_ticket(Ticket(id="T-partial-wait", from_email="yusuf.khan7390@example.com", body=body), env)
        after = env.store.export()
    assert result.outcome == "needs_info", result.reply
    assert result.actions == [] and after == before
