"""Conditions and exceptions read as typed values, decided on tool results; a condition the model
cannot read leaves the ticket not understood (no write)."""

from __future__ import annotations

import pytest

from offline_model.understanding import conditions as c
from offline_model.understanding import matching
from offline_model.understanding.reading import read


@pytest.mark.parametrize(
    ("words", "topic", "positive", "then"),
    [
        ("If it hasn't shipped yet, please cancel it.", c.STATUS, True, c.ACT),
        ("If it has already shipped, just send me the tracking number.", c.STATUS, False, c.TRACKING),
        ("if its already on the way just leave it", c.STATUS, False, c.KEEP),
        ("If that isn't allowed, PayPal is fine.", c.FALLBACK, False, c.ACT),
        ("If my gift card has enough on it to cover the order, move the payment to it.", c.BALANCE, True, c.ACT),
        ("If not, leave it as it is.", c.OTHER, False, c.KEEP),
        ("If they're more expensive, forget it.", c.PRICE, False, c.KEEP),
    ],
)
def test_condition_clauses_are_typed(words: str, topic: str, positive: bool, then: str) -> None:
    found = c.conditions_in(words)
    assert found is not None and len(found) == 1
    assert (found[0].topic, found[0].positive, found[0].then) == (topic, positive, then)


def test_price_limits_keep_their_amount_and_reference() -> None:
    under = c.conditions_in("Only do it if the price difference is under $5.")
    assert under is not None and under[0].limit == 5.0 and not under[0].inclusive
    up_to = c.conditions_in("Se a diferença for de até 40 dólares, podem fazer a troca.")
    assert up_to is not None and up_to[0].limit == 40.0 and up_to[0].inclusive
    paid = c.conditions_in("Only do it if it doesn't cost more than what I paid for the 8GB one.")
    assert paid is not None and paid[0].versus == "paid"
    beige = c.conditions_in("But only if it doesn't cost more than the beige one.")
    assert beige is not None and beige[0].versus == "the beige one"


def test_a_condition_on_something_unknown_is_not_understood() -> None:
    assert c.conditions_in("If the weather is nice on Friday, cancel it.") is None
    assert c.parse("If the weather is nice on Friday, cancel it.", c.ORDER_STATUS_TOPICS) is None


@pytest.mark.parametrize(
    ("facts", "then"),
    [
        ({c.STATUS: True}, c.ACT),  # still pending: cancel
        ({c.STATUS: False}, c.TRACKING),  # shipped: the tracking number, no cancellation
    ],
)
def test_the_status_decides_the_branch(facts: dict[str, bool], then: str) -> None:
    found = c.conditions_in(
        "If it hasn't shipped yet, please cancel it. If it has already shipped, send me the tracking number."
    )
    assert found is not None
    assert c.branch_taken(found, facts) == then


def test_every_condition_on_the_request_must_hold() -> None:
    found = c.conditions_in(
        "If you have the same boots in size 11, I'd like to exchange them - but only if the extra cost is under $30. "
        "If they cost more than that, don't exchange anything."
    )
    assert found is not None
    assert c.branch_taken(found, {c.AVAILABILITY: True, c.PRICE: True}) == c.ACT
    assert c.branch_taken(found, {c.AVAILABILITY: True, c.PRICE: False}) == c.KEEP
    assert c.branch_taken(found, {c.AVAILABILITY: False, c.PRICE: False}) == c.KEEP
    assert c.branch_taken(found, {c.STATUS: True}) is None  # a fact the conditions are not about


def test_exception_phrases_and_the_items_they_keep() -> None:
    exception = c.exception_in("I'd like to send back everything except the dumbbell set and the robot vacuum - mine.")
    assert exception is not None and exception.kept == ("the dumbbell set", "the robot vacuum")
    items = [
        {"name": "Dumbbell Set", "item_id": "1", "options": {}},
        {"name": "Robot Vacuum", "item_id": "2", "options": {}},
        {"name": "Bicycle", "item_id": "3", "options": {}},
    ]
    assert matching.excepted_items(exception.kept, items) == {0, 1}
    assert matching.excepted_items(("the lamp",), items) is None  # names no item: ask, never guess


def test_ordered_payment_alternatives_keep_their_order() -> None:
    from offline_model.understanding import extract

    methods = [
        {"id": "credit_card_1", "source": "credit_card", "brand": "visa", "last_four": "1111"},
        {"id": "paypal_2", "source": "paypal"},
    ]
    refs = extract.payment_refs("Please refund it to my Visa. If that isn't allowed, PayPal is fine.")
    choices = matching.payment_alternatives(refs, methods)
    assert [m.value for m in choices] == ["credit_card_1", "paypal_2"]


def test_a_ticket_with_an_unreadable_condition_is_not_understood() -> None:
    reading = read("Please cancel my order #W1234567, I no longer need it. If the weather is nice, cancel it too.")
    assert not reading.understood


def test_a_decidable_condition_is_read_by_its_playbook() -> None:
    reading = read(
        "Please cancel my order #W1234567, I no longer need it - but only if it hasn't shipped yet. "
        "If it has already shipped, just send me the tracking number."
    )
    assert reading.understood
    assert all(p.read_by for p in reading.parts)


@pytest.mark.parametrize(
    ("words", "then", "alternative"),
    [
        ("If the green ones are sold out, the grey ones will do.", c.INSTEAD, "grey"),
        ("If you don't have it in 2L, I'll take the 1.5L one instead.", c.INSTEAD, "1.5l"),
        ("If the oak version isn't available, go with walnut.", c.INSTEAD, "walnut"),
        ("Si la version en cuir n'est pas disponible, le tissu me va.", c.INSTEAD, "tissu"),
        ("Falls die grüne ausverkauft ist, nehme ich die graue.", c.INSTEAD, "graue"),
        ("If the large size is out of stock, just leave it.", c.KEEP, ""),
    ],
)
def test_an_unavailable_version_has_another_accepted_or_keeps(words: str, then: str, alternative: str) -> None:
    found = c.conditions_in(words)
    assert found is not None and len(found) == 1
    assert (found[0].topic, found[0].positive, found[0].then) == (c.AVAILABILITY, False, then)
    assert alternative in found[0].alternative


def test_an_unavailable_version_with_another_request_is_not_read() -> None:
    # 'cancel it' is another request under the condition: no typed reading, so the ticket is handed over
    assert c.conditions_in("If the green ones are sold out, cancel the whole order.") is None


def test_the_accepted_version_replaces_the_values_of_its_options() -> None:
    item = {"name": "Backpack", "item_id": "1", "price": 10, "options": {"color": "green", "size": "small"}}
    product = {
        "name": "Backpack",
        "variants": {
            "1": {"item_id": "1", "options": {"color": "green", "size": "small"}, "available": True, "price": 10},
            "2": {"item_id": "2", "options": {"color": "grey", "size": "large"}, "available": False, "price": 11},
            "3": {"item_id": "3", "options": {"color": "navy", "size": "large"}, "available": True, "price": 12},
        },
    }
    assert matching.select_variant("the grey one in large", item, product).problem == "unavailable"
    other = matching.select_variant("the grey one in large", item, product, instead="navy is fine")
    assert other.value["item_id"] == "3"


def test_an_accepted_other_version_is_read_by_the_item_change() -> None:
    reading = read(
        "In my order #W1234567, please change the green backpack to the grey one. "
        "If the grey one is sold out, navy will do."
    )
    assert reading.understood
    assert all(p.read_by for p in reading.parts)


def test_a_status_condition_on_an_order_described_at_length() -> None:
    found = c.conditions_in(
        "If the order with the espresso machine, the yoga mat and the two water bottles hasn't shipped yet, cancel it."
    )
    assert found is not None and (found[0].topic, found[0].positive, found[0].then) == (c.STATUS, True, c.ACT)


def test_an_address_change_on_the_orders_status_is_read_by_its_playbook() -> None:
    reading = read(
        "If my blender order hasn't left the warehouse yet, please send it to my office at 12 Oak Road, Austin, "
        "TX 78701, USA. If it's already on its way, just leave it."
    )
    assert reading.understood, reading.unread_summary()


def test_a_kept_order_with_its_tracking_number_asked_for_is_the_tracking_branch() -> None:
    found = c.conditions_in(
        "If it's already on its way, don't touch it and just send me the tracking number and remind me what I paid."
    )
    assert found and found[0].then == c.TRACKING


def test_what_i_paid_asked_indirectly_is_a_figure_question_but_not_in_a_price_limit() -> None:
    from offline_model.understanding.intents import FIGURE_QUESTION

    assert FIGURE_QUESTION.search("could you remind me what i paid for the lamp")
    assert FIGURE_QUESTION.search("please let me know how much we paid in total")
    assert not FIGURE_QUESTION.search("only if it costs no more than what i paid")


@pytest.mark.parametrize(
    "text",
    [
        "Please cancel all my pending orders, with one exception - the one with the rug.",
        "Bitte stornieren Sie alle offenen Bestellungen, mit einer Ausnahme: die Bestellung mit dem Teppich.",
        "Annulez toutes mes commandes en attente, à une exception près : celle avec le tapis.",
    ],
)
def test_an_exception_said_with_the_noun_keeps_what_follows(text: str) -> None:
    found = c.exception_in(text)
    assert found is not None and len(found.kept) == 1


def test_an_other_branch_that_sends_the_item_back() -> None:
    words = "If you still have it in a small, swap it please. If not, I'd rather just return it."
    found = c.conditions_in(words) or []
    assert [(x.topic, x.then) for x in found] == [(c.AVAILABILITY, c.ACT), (c.OTHER, c.RETURN_IT)]
    assert c.branch_taken(found, {c.AVAILABILITY: False}) == c.RETURN_IT
    assert c.branch_taken(found, {c.AVAILABILITY: True}) == c.ACT
    # a difference refunded is no return of the item
    cheaper = c.conditions_in("If the new one is cheaper, refund me the difference.") or []
    assert all(x.then != c.RETURN_IT for x in cheaper)
