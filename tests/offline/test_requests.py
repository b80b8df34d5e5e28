"""Splitting tickets into requests: each dev ticket's requests are exactly its expected operations
(by kind and order), and the hand-written kinds of dev_extra get their intent."""

from __future__ import annotations

import pytest

from offline_model.understanding import extract, intents
from offline_model.understanding.requests import sentence_intent, split_requests

OPERATION_INTENT = {
    "cancel_pending_order": intents.CANCEL,
    "return_delivered_order_items": intents.RETURN,
    "exchange_delivered_order_items": intents.CHANGE_ITEMS,
    "modify_pending_order_items": intents.CHANGE_ITEMS,
    "modify_pending_order_address": intents.ORDER_ADDRESS,
    "modify_user_address": intents.USER_ADDRESS,
    "modify_pending_order_payment": intents.PAYMENT,
}


def _pairs(requests) -> set[tuple[str, str]]:
    return {(r.intent, order_id) for r in requests for order_id in (r.order_ids or [""])}


def test_dev_tickets_split_into_their_operations(dev_cases):
    wrong = []
    for case in dev_cases:
        got = _pairs(split_requests(case["body"], case.get("subject")))
        want = {(OPERATION_INTENT[a["name"]], a["kwargs"].get("order_id", "")) for a in case["expected"]["actions"]}
        if got != want:
            wrong.append((case["id"], sorted(got), sorted(want)))
    assert wrong == []


EXTRA_INTENT = {
    "order-status": intents.STATUS,
    "product-question": intents.PRODUCT,
    "troubleshooting": intents.TROUBLE,
    "human-request": intents.HUMAN,
    "abusive": intents.ABUSE,
    "legal-threat": intents.LEGAL,
    "cancel-no-reason": intents.CANCEL,
    "return-pending": intents.RETURN,
    "user-address": intents.USER_ADDRESS,
    "non-english": intents.CANCEL,
}


def test_extra_kinds_get_their_intent(extra_cases):
    for case in extra_cases:
        kinds = [EXTRA_INTENT[t] for t in case["tags"] if t in EXTRA_INTENT]
        if not kinds:
            continue
        found = {r.intent for r in split_requests(case["body"], case.get("subject"))}
        assert kinds[0] in found, (case["id"], found)


@pytest.mark.parametrize("text", ["asdf ;lkj qwe rty uiop zxcvb ??? nnnn mmm 12 3", "Thanks so much, have a nice day!"])
def test_no_request_in_text_without_one(text):
    assert split_requests(text) == []


def test_two_requests_in_one_sentence():
    requests = split_requests(
        "Please cancel #W8882972 since I ordered it by mistake "
        "and also return the smart watch from #W3489690 to my PayPal."
    )
    assert [(r.intent, r.order_ids) for r in requests] == [
        (intents.CANCEL, ["#W8882972"]),
        (intents.RETURN, ["#W3489690"]),
    ]


def test_a_negated_verb_is_no_request():
    requests = split_requests(
        "My pending order #W9911714 has the blue bottle. How much is the same bottle in black? "
        "Please don't change the order, I'm only asking about the price."
    )
    assert [r.intent for r in requests] == [intents.PRODUCT]


def test_address_block_belongs_to_the_request_above_it():
    text = (
        "Can you redirect order #W6554908? It should go to\n\n"
        "111 Sunset Drive\nSuite 183\nSan Diego, CA 92179\nUSA\n\nThanks"
    )
    (request,) = split_requests(text)
    assert request.intent == intents.ORDER_ADDRESS and "92179" in request.text


def test_a_street_named_court_is_no_legal_threat():
    (request,) = split_requests(
        "I've moved. Please update the default address on my account to 418 Willow Court, "
        "Suite 12, Denver, CO 80205, USA."
    )
    assert request.intent == intents.USER_ADDRESS
    (threat,) = split_requests("Refund me or I will take you to court.")
    assert threat.intent == intents.LEGAL


# A payment change is read from the methods a sentence names and their roles (the one paid with,
# the one to move to), not from one wording; these sentences are not in any evaluation file.
@pytest.mark.parametrize(
    "sentence",
    [
        "I paid for it with my gift card, but could you put it on my Mastercard now?",
        "It went on my PayPal by mistake - please bill my Visa ending in 4321 for it instead.",
        "Can the order with the lamp be charged to my Visa rather than the gift card?",
        "I'd prefer that order to be paid with PayPal.",
        "Could you take the grill order off my Mastercard and onto PayPal?",
        "Lo pagué con mi tarjeta regalo; ¿podrían cobrarlo en la Visa?",
        "J'ai payé avec la carte cadeau, je préfère payer avec PayPal.",
    ],
)
def test_payment_change_from_the_methods_named(sentence):
    assert sentence_intent(sentence) == intents.PAYMENT


@pytest.mark.parametrize(
    "sentence",
    [
        "Please change the desk lamp to the silver one and charge my Visa.",  # an item change paying by Visa
        "Please refund it to my PayPal.",  # where a refund goes
        "Charge my Mastercard if the new one costs more.",  # a price difference
        "I'd like to return the kettle, I paid with my Visa.",  # a return
    ],
)
def test_not_a_payment_change(sentence):
    assert sentence_intent(sentence) != intents.PAYMENT


def test_the_method_paid_with_is_the_one_replaced():
    refs = extract.payment_refs("I paid with PayPal, but I'd like to move that payment to my Visa.")
    assert [(r.source, r.negated) for r in refs] == [("paypal", True), ("credit_card", False)]
    refs = extract.payment_refs("Please stop using my Mastercard for it; PayPal is fine.")
    assert [(r.source, r.negated) for r in refs] == [("credit_card", True), ("paypal", False)]


@pytest.mark.parametrize(
    ("sentence", "intent"),
    [
        ("Could you send it to my home address instead, the one you have on file?", intents.ORDER_ADDRESS),
        ("Please change the address on my account to 4 Elm Street, Apt 1, Reno, NV 89501.", intents.USER_ADDRESS),
        ("My flight got moved to Tuesday, which is annoying.", None),  # a story, no address named
        ("The order with the lamp already goes to Boston, so nothing to change there.", None),
        ("The other one can stay on my Visa for now.", None),
    ],
)
def test_address_changes_and_what_stays(sentence, intent):
    assert sentence_intent(sentence) == intent


@pytest.mark.parametrize(
    "sentence",
    [
        "We recently changed banks, which was a whole saga.",  # a story
        "I'd like to ask for a couple of changes to my orders, please:",  # an announcement
        "Think of this as a suggestion rather than a complaint.",  # a contrast of no items
    ],
)
def test_no_item_change_without_saying_what_changes(sentence):
    assert sentence_intent(sentence) != intents.CHANGE_ITEMS


def test_an_item_change_still_says_what_the_item_becomes():
    assert sentence_intent("Could the lamp be the white one rather than the black one?") == intents.CHANGE_ITEMS


def test_a_question_in_a_list_under_a_change_is_its_own_request():
    body = (
        "A couple of things:\n- From #W1234567, the blue scarf is going back.\n"
        "- How much was the lamp in that same order?\n"
    )
    requests = split_requests(body)
    assert requests[0].intent == intents.RETURN
    assert [r.intent in intents.QUESTIONS for r in requests[1:]] == [True]
    assert not any("lamp" in s for s in requests[0].sentences)


def test_a_change_asked_of_it_again_stays_with_its_request():
    body = "Mi pedido del teléfono todavía no ha salido. Lo pagué con la Visa, pero prefiero PayPal. ¿Pueden cambiarlo?"
    assert [r.intent for r in split_requests(body)] == [intents.PAYMENT]


def test_where_a_refund_goes_is_no_payment_change():
    assert sentence_intent("El dinero, de vuelta a PayPal, que es con lo que pagué ese pedido.") != intents.PAYMENT


@pytest.mark.parametrize(
    "sentence",
    [
        "This time I want the money back on my Visa, please - I need it for a bill that's due.",  # wrote a payment once
        "Honestly I'd rather have it as store credit anyway.",  # a wish about refunds
        "Refund to the Visa it was charged on is fine.",
    ],
)
def test_refund_wishes_and_bill_nouns_move_no_payment(sentence):
    assert sentence_intent(sentence) != intents.PAYMENT


def test_where_an_order_went_is_no_address_change() -> None:
    for sentence in (
        "The lamp from the parcel that went to my Denver address stopped working after a week.",
        "The kettle in the package delivered to the office address is leaking.",
    ):
        assert sentence_intent(sentence) != intents.ORDER_ADDRESS, sentence
    # an address changed is still read as a change
    changed = sentence_intent("Please change the address of the order going to Denver, it's wrong.")
    assert changed == intents.ORDER_ADDRESS


def test_what_comes_back_from_a_return_stays_with_the_return() -> None:
    ticket = "Please take back the desk lamp, it flickers. Roughly how much money will come back to me?"
    assert [r.intent for r in split_requests(ticket)] == [intents.RETURN]


def test_a_change_conditioned_on_the_answer_to_a_question_is_a_request_of_its_own() -> None:
    for ticket in (
        "Has my blender order gone out yet? If it hasn't, please cancel it, I found one cheaper.",
        "Is the kettle order still pending? If so, please cancel it - ordered it by mistake.",
        "¿Ya se envió mi pedido de la licuadora? Si no se ha enviado, por favor cancélenlo.",
    ):
        requests = split_requests(ticket)
        assert [r.intent for r in requests][-1] == intents.CANCEL, ticket
        # the cancellation keeps the question's words: they say which order it is
        assert requests[-1].text.split()[0] == ticket.split()[0], ticket


@pytest.mark.parametrize(
    "sentence",
    [
        "The heater started sparking when I plugged it in.",
        "My phone charger melted overnight and the room smelled of burnt rubber.",
        "The battery of the speaker is swollen and leaking.",
        "Le chargeur a pris feu dans la cuisine.",
        "Aus dem Ladegerät kam Rauch.",
        "La batería se sobrecalentó y salió humo.",
        "La lampada mi ha dato la scossa.",
        "O carregador pegou fogo ontem.",
    ],
)
def test_a_product_safety_event_goes_to_a_person(sentence: str) -> None:
    assert sentence_intent(sentence) == intents.SAFETY


@pytest.mark.parametrize(
    "sentence",
    [
        "It looks like a smoke alarm on the shelf, please return it.",
        "These headphones hurt my ears after an hour, I'd like to return them.",
        "I ordered the grill with the side burner.",
    ],
)
def test_figures_of_speech_and_product_features_are_no_safety_event(sentence: str) -> None:
    assert sentence_intent(sentence) != intents.SAFETY


@pytest.mark.parametrize("sentence", ["Could you call that order off?", "Please call the whole pending order off."])
def test_call_off_with_its_object_between_is_a_cancellation(sentence: str) -> None:
    assert sentence_intent(sentence) == intents.CANCEL


@pytest.mark.parametrize(
    "sentence",
    ["Não quero devolver nada.", "No quiero devolver nada, solo cancelar.", "Je ne veux pas renvoyer le colis."],
)
def test_a_return_said_not_to_be_wanted_in_other_languages_is_no_return(sentence: str) -> None:
    assert sentence_intent(sentence) != intents.RETURN


def test_a_cancellation_asked_again_in_other_words_is_one_request() -> None:
    text = (
        "Hi,\n\nPlease cancel my order with the desk lamp, I changed my mind.\n\n"
        "To be clear: I just want the order cancelled and the money back.\n\nThanks"
    )
    assert [r.intent for r in split_requests(text)] == [intents.CANCEL]
    other = "Hi,\n\nPlease cancel my order with the desk lamp.\n\nPlease also cancel the other order, thanks."
    assert [r.intent for r in split_requests(other)] == [intents.CANCEL, intents.CANCEL]


@pytest.mark.parametrize(
    "sentence",
    [
        "Last year we returned a lamp to you and it took ages to get the money.",
        "I once sent a pair of boots back and the label never came.",
        "We already cancelled an order with you in March, so I know how it works.",
    ],
)
def test_what_the_customer_did_before_is_a_story_not_a_request(sentence: str) -> None:
    assert sentence_intent(sentence) is None


def test_a_change_only_asked_about_is_a_question() -> None:
    text = "Would swapping the black jacket in my order for the red one cost more? Just asking for now."
    assert [r.intent for r in split_requests(text)] == [intents.PRODUCT]
    asked = "Please change the black jacket in my order to the red one, I'd like it before Friday."
    assert [r.intent for r in split_requests(asked)] == [intents.CHANGE_ITEMS]


def test_a_paragraph_on_what_the_change_costs_belongs_to_the_change() -> None:
    text = (
        "Could you swap the blue kettle in my order for the red one?\n\n"
        "If it ends up pricier, charge my Visa, and let me know the amount."
    )
    requests = split_requests(text)
    assert [r.intent for r in requests] == [intents.CHANGE_ITEMS]
    assert "Visa" in requests[0].text


def test_a_complaint_then_send_it_back_is_a_return_of_what_fails() -> None:
    text = "The desk lamp just doesn't work, it flickers all the time. I'd like to send it back for a refund."
    requests = split_requests(text)
    assert [r.intent for r in requests] == [intents.RETURN]
    assert "desk lamp" in requests[0].text


def test_which_card_paid_for_the_order_asked_before_is_a_billing_question_about_it() -> None:
    text = (
        "Has my order #W1234567 shipped yet? Also, I can't remember which card I used for that purchase "
        "- could you tell me?"
    )
    requests = split_requests(text)
    assert [r.intent for r in requests] == [intents.STATUS, intents.BILLING]
    assert requests[1].order_ids == ["#W1234567"]


def test_a_paragraph_only_saying_where_the_refund_goes_belongs_to_the_return() -> None:
    text = "Please return the desk lamp from order #W1234567, it is far too bright.\n\nRefund the usual way is fine."
    requests = split_requests(text)
    assert [r.intent for r in requests] == [intents.RETURN]
    assert "usual way" in requests[0].text
    # a paragraph that goes on to ask for something else keeps its own request
    other = (
        "Please return the desk lamp from order #W1234567.\n\n"
        "My other order went on PayPal. Could you switch it to my Visa?"
    )
    assert [r.intent for r in split_requests(other)] == [intents.RETURN, intents.PAYMENT]


def test_change_it_to_an_address_after_an_old_address_is_the_address_change() -> None:
    text = (
        "The order going to my friend in Chicago still has his old address on Broadway. Please change it to:\n"
        "1820 West Division Street, Apt 2F\nChicago, IL 60622\nUSA"
    )
    assert [r.intent for r in split_requests(text)] == [intents.ORDER_ADDRESS]


@pytest.mark.parametrize(
    "sentence",
    ["My aunt gave me the same toothbrush, so I'd like to send it back to her.", "I want to take it back to the shop."],
)
def test_sending_something_back_to_someone_else_is_no_return(sentence: str) -> None:
    assert sentence_intent(sentence) is None
