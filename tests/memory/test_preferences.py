"""Standing preferences read from the customer's words: what they are about, the method or
language they want, what they replace; one-off choices are not preferences; what memory stores
reads back to the same preference."""

from __future__ import annotations

import pytest

from memory.preferences import (
    CHARGE_METHOD,
    REFUND_METHOD,
    REPLY_LANGUAGE,
    is_standing,
    parse,
    residue,
    standing_preferences,
)


def _summary(words: str) -> list[tuple[str, str | None, str | None]]:
    return [
        (p.about, p.language or (p.method.describe() if p.method else None), p.replaces and p.replaces.describe())
        for p in parse(words)
    ]


@pytest.mark.parametrize(
    "words, expected",
    [
        (
            "Going forward, if you ever owe me money, send it to my PayPal instead of the Visa.",
            [(REFUND_METHOD, "PayPal", "Visa")],
        ),
        (
            "I've stopped using my Mastercard, so whenever there's a refund due please credit it to my gift card.",
            [(REFUND_METHOD, "gift card", "Mastercard")],
        ),
        (
            "Whenever a swap costs me extra, bill the Visa ending in 4821 - leave PayPal out of it.",
            [(CHARGE_METHOD, "Visa ending in 4821", "PayPal")],
        ),
        ("In future, any additional amount I owe you goes on my gift card.", [(CHARGE_METHOD, "gift card", None)]),
        (
            "From now on, refunds to PayPal and any extra charges to my Mastercard.",
            [(REFUND_METHOD, "PayPal", None), (CHARGE_METHOD, "Mastercard", None)],
        ),
        ("I prefer refunds on store credit.", [(REFUND_METHOD, "gift card", None)]),
        ("Please always reply to me in Spanish, not in English.", [(REPLY_LANGUAGE, "es", None)]),
        (
            "À l'avenir, remboursez-moi sur ma carte cadeau plutôt que sur ma Mastercard.",
            [(REFUND_METHOD, "gift card", "Mastercard")],
        ),
        (
            "In Zukunft bitte alle Erstattungen auf meine Geschenkkarte, nicht auf die Visa.",
            [(REFUND_METHOD, "gift card", "Visa")],
        ),
        (
            "De ahora en adelante, los reembolsos a mi PayPal, no a la tarjeta de crédito.",
            [(REFUND_METHOD, "PayPal", "credit card")],
        ),
        ("D'ora in poi, per favore, rispondetemi in italiano.", [(REPLY_LANGUAGE, "it", None)]),
        (
            "Daqui em diante, qualquer diferença a pagar cobrem no meu cartão de presente.",
            [(CHARGE_METHOD, "gift card", None)],
        ),
    ],
)
def test_a_standing_preference_is_typed(words, expected):
    assert _summary(words) == expected


@pytest.mark.parametrize(
    "words",
    [
        "Refund it to my PayPal, please.",  # a one-off choice for this order
        "I'd rather have the refund on my gift card this time.",
        "This time I want the money back on my Visa.",
        "From now on, please do not send refunds to my gift card.",  # says only what not to do
        "I always forget my password.",
        "From now on please ship everything to my new address.",  # no method, no language
    ],
)
def test_no_preference_in_one_off_choices_and_unrelated_words(words):
    assert parse(words) == []


@pytest.mark.parametrize(
    "words",
    [
        "Whenever you refund me, use my gift card rather than my Mastercard.",
        "Whenever I owe you a difference, charge my Visa ending in 1234, not PayPal.",
        "From now on any refunds go to the original payment method.",
        "From now on answer my messages in German rather than in English.",
    ],
)
def test_what_memory_stores_reads_back_to_the_same_preference(words):
    for preference in parse(words):
        (again,) = parse(preference.canonical())
        assert (again.about, again.method, again.replaces, again.language, again.replaced_language) == (
            preference.about,
            preference.method,
            preference.replaces,
            preference.language,
            preference.replaced_language,
        )


def test_the_latest_statement_of_a_kind_wins():
    text = "From now on refunds to my PayPal. Actually no - from now on refunds to my gift card instead."
    (preference,) = standing_preferences(text)
    assert preference.method is not None and preference.method.kind == "gift_card"


def test_what_a_sentence_says_besides_its_preference():
    assert residue("Please make a note: from now on, refunds to my gift card, not my Visa.") == ""
    assert "return the yoga mat" in residue("I'd like to return the yoga mat, and always refund to my gift card.")


def test_standing_needs_a_general_wish():
    assert is_standing("I'd rather get refunds on PayPal")
    assert not is_standing("I'd rather get the refund on PayPal")
