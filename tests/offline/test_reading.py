"""The reading of a whole ticket: every conditioning, excepting, standing or asking part is found
with its words, courtesy is not a condition, and a part no playbook reads makes the ticket not
understood (the manager then hands it over before any write)."""

from __future__ import annotations

import pytest

from offline_model.understanding import intents
from offline_model.understanding.reading import CONDITION, DIRECTIVE, EXCEPTION, PREFERENCE, read


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        (
            "Please cancel #W1234567, I ordered it by mistake. If it ships before Friday, keep it.",
            CONDITION,
            "If it ships before Friday, keep it.",
        ),
        (
            "Please return everything from #W1234567 except the lamp.",
            EXCEPTION,
            "Please return everything from #W1234567 except the lamp.",
        ),
        (
            "Bitte alles aus #W1234567 zurückschicken, außer dem Rucksack.",
            EXCEPTION,
            "Bitte alles aus #W1234567 zurückschicken, außer dem Rucksack.",
        ),
        (
            "Cancel #W1234567, ordered by mistake. From now on, send every refund to my PayPal.",
            PREFERENCE,
            "From now on, send every refund to my PayPal.",
        ),
        (
            "Cancel #W1234567, ordered by mistake. Could you also add gift wrapping to my other order?",
            DIRECTIVE,
            "Could you also add gift wrapping to my other order?",
        ),
    ],
)
def test_parts_are_found_with_their_words(text: str, kind: str, words: str) -> None:
    reading = read(text)
    assert (kind, words) in [(p.kind, p.words) for p in reading.parts]
    assert reading.writes


@pytest.mark.parametrize(
    "text",
    [
        "Please cancel #W1234567, I ordered it by mistake. If it ships before Friday, keep it.",
        "Cancel #W1234567, ordered by mistake. Could you also add gift wrapping to my other order?",
    ],
)
def test_a_part_no_playbook_reads_stops_a_changing_ticket(text: str) -> None:
    reading = read(text)
    assert reading.unread and not reading.understood
    assert all(p.words in reading.unread_summary() for p in reading.unread)


@pytest.mark.parametrize(
    "text",
    [
        "Please cancel #W1234567, I ordered it by mistake. Let me know if you need anything else.",
        "If possible, please cancel #W1234567 - I ordered it by mistake.",
        "Could you check if #W1234567 has shipped? If you can, cancel it, I ordered it by mistake.",
        "Please cancel #W1234567 since I ordered it by mistake. Please don't change my other order.",
        "I'd rather not receive it: please cancel #W1234567, I ordered it by mistake.",
        "Por favor, cancelen el pedido #W1234567, lo pedí por error. Si tienen alguna pregunta, escríbanme.",
    ],
)
def test_courtesy_negation_and_wishes_about_this_order_are_not_parts(text: str) -> None:
    reading = read(text)
    assert reading.understood, reading.unread_summary()
    assert intents.CANCEL in [r.intent for r in reading.requests]


def test_a_part_read_by_the_playbook_of_its_request_is_understood() -> None:
    text = "Please exchange the kettle in #W1234567 for the 2L one. If there's a price difference, use my PayPal."
    reading = read(text)
    assert [p.read_by for p in reading.parts] == [intents.CHANGE_ITEMS]
    assert reading.understood


def test_an_unread_part_in_a_ticket_that_changes_nothing_does_not_stop_it() -> None:
    reading = read("Where is my order #W1234567? If it has shipped, what is the tracking number?")
    assert not reading.writes and reading.understood


def test_short_if_words_are_read_in_the_ticket_language() -> None:
    # Spanish reflexive 'se' is no Italian 'se' (if); an Italian 'se' still conditions the request
    es = "Hola, mi hermana se ha mudado, así que por favor cambien la dirección de envío del pedido #W1234567."
    assert [p for p in read(es).parts if p.kind == CONDITION] == []
    it = "Ciao, per favore annullate l'ordine #W1234567 se non è ancora stato spedito. Grazie mille!"
    assert [p.kind for p in read(it).parts] == [CONDITION]


def test_an_exception_cut_from_a_long_sentence_is_read_with_what_it_excepts_from() -> None:
    ticket = (
        "Because my plans for the holidays changed completely and I won't be home at all this winter, please cancel "
        "every order of mine that is still pending, except the one with the blender going to Dallas - that one is a "
        "gift for my sister and it really has to arrive on time."
    )
    reading = read(ticket)
    assert reading.understood, reading.unread_summary()


def test_items_named_in_a_subjectless_note_of_what_arrived_are_not_acted_on() -> None:
    from offline_model.understanding.acted_on import acted_on_text

    text = "hey, got the parcel w/ the lamp and two mugs. pls return the mugs, keeping the lamp."
    left = acted_on_text(text)
    assert "mugs" in left and "lamp" not in left


@pytest.mark.parametrize(
    "sentence",
    [
        "Sorry in advance if this gets long, it has been quite a week.",
        "We may well shop with you again in the autumn if the renovation ever ends!",
        "All of it went smoothly except for one thing, which is why I am writing.",
    ],
)
def test_a_condition_of_the_story_that_touches_nothing_is_small_talk(sentence: str) -> None:
    reading = read(f"Hello,\n\n{sentence}\n\nPlease cancel order #W1234567, I ordered it by mistake.\n\nThanks, Ana")
    assert reading.understood, reading.unread_summary()


@pytest.mark.parametrize(
    "sentence",
    [
        "If the lamp turns out to be the wrong colour, I may send it back too.",
        "The mug order stays unless the price goes up.",
    ],
)
def test_a_condition_of_the_story_about_a_product_or_keeping_is_not_small_talk(sentence: str) -> None:
    reading = read(f"Hello,\n\n{sentence}\n\nPlease cancel order #W1234567, I ordered it by mistake.\n\nThanks, Ana")
    assert not reading.understood


def test_leaving_the_address_alone_asks_for_nothing() -> None:
    text = (
        "The address is correct and I love what I picked, so please don't change anything in the order itself. "
        "Could you move the payment for order #W1234567 to my PayPal?"
    )
    reading = read(text)
    assert reading.understood and not [p for p in reading.parts if p.kind == DIRECTIVE]


@pytest.mark.parametrize(
    "sentence",
    [
        "I'll order a tent from you next summer if things keep going this well!",
        "Happy to keep shopping here if the prices stay this good.",
    ],
)
def test_keep_going_in_small_talk_keeps_nothing(sentence: str) -> None:
    text = f"Please return the kettle from order #W1234567.\n\nThe lamp is lovely. {sentence}"
    assert read(text).understood
