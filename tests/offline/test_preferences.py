"""Standing preferences in the offline model: read (never a request of their own, never a reason to
hand a ticket over), applied to this ticket's payment when a request leaves it open, recalled from
memory for later tickets, and overridden by what a request says itself."""

from __future__ import annotations

import pytest

from core.models import Result, Ticket
from memory.customer_facts import extract_customer_facts
from offline_model.playbooks.assignment import Assignment
from offline_model.playbooks.facts import Facts
from offline_model.playbooks.steps import Context, Unit, payment_choice
from offline_model.understanding import intents, preferences
from offline_model.understanding.reading import PREFERENCE, read
from offline_model.understanding.requests import split_requests
from offline_model.understanding.ticket import TicketView


@pytest.mark.parametrize(
    ("text", "intent", "sort"),
    [
        (
            "Please cancel #W1234567, I ordered it by mistake.\n\n"
            "For the future: whenever you owe me money, I'd like it on my gift card rather than my Visa.",
            intents.CANCEL,
            preferences.REFUND_METHOD,
        ),
        (
            "Going forward, any extra cost on an exchange should be charged to PayPal instead of my Mastercard.\n\n"
            "Where is my order #W1234567?",
            intents.STATUS,
            preferences.CHARGE_METHOD,
        ),
        (
            "Bitte stornieren Sie #W1234567, ich brauche es nicht mehr. "
            "In Zukunft schreiben Sie mir bitte auf Französisch, nicht auf Deutsch.",
            intents.CANCEL,
            preferences.REPLY_LANGUAGE,
        ),
    ],
)
def test_a_standing_preference_is_read_whatever_the_request(text: str, intent: str, sort: str) -> None:
    reading = read(text)
    assert [r.intent for r in reading.requests] == [intent]
    (part,) = [p for p in reading.parts if p.kind == PREFERENCE]
    assert part.read_by == "memory" and preferences.sort_of(part.words) == sort
    assert reading.understood, reading.unread_summary()


def test_the_condition_inside_a_standing_preference_is_the_preference_s() -> None:
    text = (
        "Please cancel #W1234567, I ordered it by mistake. A note for the future: if I ever end up owing you "
        "a difference on a swap, charge my Visa and leave PayPal out of it."
    )
    reading = read(text)
    assert reading.understood, reading.unread_summary()
    assert {p.kind for p in reading.parts} == {"condition", PREFERENCE}


def test_a_standing_wish_the_model_cannot_apply_stops_a_changing_ticket() -> None:
    reading = read("Please cancel #W1234567, I ordered it by mistake. From now on, please use a faster courier.")
    assert not reading.understood


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Quick note first: from now on, when I get money back, put it on my gift card rather than my Visa.\n\n"
            "Now, I'd like to return the blue kettle from my last delivery.",
            [intents.RETURN],
        ),
        (
            "Whenever a change costs me extra, charge my PayPal instead of the Mastercard. "
            "Also, please change the lamp in my pending order to the black one.",
            [intents.CHANGE_ITEMS],
        ),
        (
            "Please update the address of #W1234567 to 12 Oak Street, Austin, TX 78701. "
            "Any refunds of mine should go to my gift card from now on.",
            [intents.ORDER_ADDRESS],
        ),
        (
            "I'd like to return the yoga mat from #W1234567, and always refund to my gift card.",
            [intents.RETURN],
        ),
    ],
)
def test_a_preference_is_no_request_of_its_own(text: str, expected: list[str]) -> None:
    requests = split_requests(text)
    assert [r.intent for r in requests] == expected
    if "#W" not in text:  # the preference's payment words are not the request's own
        assert all("gift card" not in r.text and "PayPal" not in r.text for r in requests)


# --- applying it ------------------------------------------------------------------------------------
_METHODS = [
    {"id": "credit_card_1", "source": "credit_card", "brand": "visa", "last_four": "1111"},
    {"id": "gift_card_2", "source": "gift_card", "balance": 500.0},
    {"id": "paypal_3", "source": "paypal"},
]
_ORDER = {"order_id": "#W1", "payment_history": [{"transaction_type": "payment", "payment_method_id": "credit_card_1"}]}


def _ctx(body: str, recalled: str = "") -> Context:
    facts = Facts(exchanges=[], customer_id="c1", customer={"payment_methods": _METHODS})
    view = TicketView(body=body, recalled=recalled)
    return Context(set(), facts, view, "en", Assignment(), [])


def _choice(body: str, unit_text: str, *, intent: str = intents.RETURN, flow: str | None = None, recalled: str = ""):
    unit = Unit(1, intent, "#W1", unit_text)
    return payment_choice(unit, _ctx(body, recalled), _ORDER, flow=flow)


_REFUND_PREF = "From now on, refunds to my gift card please, not the Visa."
_CHARGE_PREF = "Whenever I owe you extra, charge my PayPal."


def test_a_preference_in_the_ticket_decides_where_its_refund_goes() -> None:
    assert _choice(f"{_REFUND_PREF} Return the kettle.", "Return the kettle.").value == "gift_card_2"


def test_a_preference_decides_only_the_money_it_speaks_of() -> None:
    body = f"{_REFUND_PREF} Change the lamp to the black one."
    charged = _choice(body, "Change the lamp.", intent=intents.CHANGE_ITEMS, flow=preferences.CHARGE)
    assert charged.value == "credit_card_1" and charged.extra.get("default")
    refunded = _choice(body, "Change the lamp.", intent=intents.CHANGE_ITEMS, flow=preferences.REFUND)
    assert refunded.value == "gift_card_2"
    body = f"{_CHARGE_PREF} Change the lamp to the black one."
    assert _choice(body, "Change the lamp.", intent=intents.CHANGE_ITEMS, flow=preferences.CHARGE).value == "paypal_3"
    assert _choice(body, "Return the kettle.").value == "credit_card_1"


def test_what_a_request_says_itself_wins() -> None:
    unit_text = "Return the kettle. This time put the money back on my Visa."
    assert _choice(f"{_REFUND_PREF} {unit_text}", unit_text, recalled=_REFUND_PREF).value == "credit_card_1"


def test_a_remembered_preference_applies_to_a_later_ticket_and_the_ticket_s_own_wins() -> None:
    earlier = Ticket(id="T-1", body=f"Hi, {_REFUND_PREF} Where is my order #W9?")
    facts = extract_customer_facts(earlier, Result(ticket_id="T-1", outcome="resolved", reply="."))
    recalled = "About this customer:\n" + "\n".join(f"- {f.text}" for f in facts)
    assert _choice("Return the kettle.", "Return the kettle.", recalled=recalled).value == "gift_card_2"
    stated = "Any refunds of mine go on PayPal from now on. Return the kettle."
    assert _choice(stated, "Return the kettle.", recalled=recalled).value == "paypal_3"
    assert _choice("Return the kettle.", "Return the kettle.").value == "credit_card_1"  # nothing remembered


def test_replies_are_written_in_the_preferred_language() -> None:
    assert TicketView(body="Where is my order #W1?").language == "en"
    assert TicketView(body="Where is my order #W1?", recalled="- From now on, write replies in French.").language == (
        "fr"
    )
    body = "Where is my order #W1? From now on, please answer my messages in Italian."
    assert TicketView(body=body).language == "it"
