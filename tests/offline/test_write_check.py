"""The last look before a write: a write that touches an item the customer keeps or only named to
describe the order, or sends money to a method they did not name, is held back."""

from __future__ import annotations

from offline_model.playbooks.write_check import contradiction
from offline_model.protocol import ToolCall

ORDER = {
    "order_id": "#W1",
    "items": [
        {"item_id": "1", "name": "Smartphone"},
        {"item_id": "2", "name": "Mechanical Keyboard"},
        {"item_id": "3", "name": "Perfume"},
        {"item_id": "4", "name": "Laptop"},
        {"item_id": "5", "name": "Wireless Earbuds"},
    ],
    "payment_history": [{"transaction_type": "payment", "amount": 10.0, "payment_method_id": "gift_card_1"}],
}
METHODS = [
    {"id": "gift_card_1", "source": "gift_card", "balance": 20.0},
    {"id": "credit_card_1", "source": "credit_card", "brand": "visa", "last_four": "1111"},
]


def _return(*items: str, method: str = "gift_card_1") -> ToolCall:
    return ToolCall(
        "return_delivered_order_items", {"order_id": "#W1", "item_ids": list(items), "payment_method_id": method}
    )


def test_an_item_the_customer_keeps_is_never_written() -> None:
    text = "Please send back everything except the smartphone. The phone stays with me."
    assert "Smartphone" in (contradiction(_return("1", "2", "3"), text, ORDER, METHODS) or "")
    assert contradiction(_return("2", "3", "4", "5"), text, ORDER, METHODS) is None


def test_keeping_clauses_in_other_languages() -> None:
    assert contradiction(_return("1", "3"), "Je garde le smartphone, mais je renvoie le parfum.", ORDER, METHODS)
    assert contradiction(_return("3"), "Je garde le smartphone, mais je renvoie le parfum.", ORDER, METHODS) is None


def test_an_item_named_only_to_describe_the_order_is_never_written() -> None:
    text = "Je voudrais retourner les écouteurs sans fil de ma commande, celle avec l'ordinateur portable."
    assert "Laptop" in (contradiction(_return("5", "4"), text, ORDER, METHODS) or "")
    assert contradiction(_return("5"), text, ORDER, METHODS) is None


def test_money_goes_only_where_the_customer_said() -> None:
    text = "I paid for that order with a gift card, but the refund has to go to my Visa."
    assert contradiction(_return("3"), text, ORDER, METHODS)  # gift card: how it was paid, not where to
    assert contradiction(_return("3", method="credit_card_1"), text, ORDER, METHODS) is None
    assert contradiction(_return("3"), "Please return the perfume.", ORDER, METHODS) is None  # nothing named


def test_without_the_methods_read_the_kind_of_method_still_decides() -> None:
    text = "The refund has to go to my Visa. I really don't want store credit back - Visa or nothing."
    assert contradiction(_return("3"), text, ORDER, [])  # gift_card_1: a kind the customer did not name
    assert contradiction(_return("3", method="credit_card_1"), text, ORDER, []) is None


def test_an_item_refused_after_the_one_asked_for_is_never_written() -> None:
    text = "I want to send the earbuds back - only the earbuds, not the laptop."
    assert "Laptop" in (contradiction(_return("5", "4"), text, ORDER, METHODS) or "")
    assert contradiction(_return("5"), text, ORDER, METHODS) is None
    # a complaint with 'not the' keeps nothing
    complaint = "The perfume is not the scent I chose, please take it back."
    assert contradiction(_return("3"), complaint, ORDER, METHODS) is None


def test_a_participle_or_an_object_first_clause_keeps_its_item() -> None:
    text = "Send back the perfume and the earbuds, keeping the smartphone of course."
    assert contradiction(_return("1", "3", "5"), text, ORDER, METHODS)
    assert contradiction(_return("3", "5"), text, ORDER, METHODS) is None
    # 'keeping the same size' keeps an option, not an item
    same = "Return the perfume, keeping the same card for the refund."
    assert contradiction(_return("3"), same, ORDER, METHODS) is None
    for kept in ("Lo smartphone invece lo tengo.", "El smartphone me lo quedo.", "Le smartphone, je le garde."):
        assert contradiction(_return("1", "3"), f"Vorrei restituire il profumo. {kept}", ORDER, METHODS), kept


def test_an_order_the_customer_excepts_or_keeps_is_never_changed() -> None:
    cancel = ToolCall("cancel_pending_order", {"order_id": "#W1", "reason": "no longer needed"})
    for text in (
        "Cancel all my open orders, with one exception: the one with the laptop and the earbuds.",
        "Please stop every pending order apart from the laptop order.",
        "Cancel what hasn't shipped - the order with the perfume stays, though.",
    ):
        assert "#W1" in (contradiction(cancel, text, ORDER, METHODS) or ""), text
    assert contradiction(cancel, "Please cancel the order with the laptop, I don't need it.", ORDER, METHODS) is None


def test_an_item_the_request_picks_by_its_options_is_named_by_the_request() -> None:
    order = {
        "order_id": "#W2",
        "items": [
            {"item_id": "7", "name": "Water Bottle", "options": {"color": "red"}},
            {"item_id": "8", "name": "Water Bottle", "options": {"color": "blue"}},
            {"item_id": "9", "name": "Laptop", "options": {"color": "silver"}},
        ],
        "payment_history": [{"transaction_type": "payment", "amount": 10.0, "payment_method_id": "gift_card_1"}],
    }
    text = "The order that has two water bottles in it: please send back the blue one."
    assert contradiction(_return("8"), text, order, METHODS) is None
    # the bottles named only in the story, and no option of theirs in the request: held back
    assert "Water Bottle" in (
        contradiction(_return("8"), "The order with two water bottles: send it back.", order, METHODS) or ""
    )


def test_a_request_taken_back_later_in_the_ticket_is_not_written() -> None:
    cancel = ToolCall("cancel_pending_order", {"order_id": "#W1", "reason": "no longer needed"})
    for text in (
        "Please cancel the order with the laptop. Hmm, scratch that - I'll hold on to it after all.",
        "Cancel my laptop order please... on second thought, leave it.",
        "Cancelen mi pedido del portátil. Mejor no, olviden lo anterior.",
    ):
        assert contradiction(cancel, text, ORDER, METHODS, ticket_text=text), text
    plain = "Please cancel the order with the laptop; the other order with the lamp can stay as it is."
    assert contradiction(cancel, plain, ORDER, METHODS, ticket_text=plain) is None


def test_money_never_goes_to_a_method_the_request_refuses() -> None:
    refused = "Please return the perfume. Not back to the Visa, I cancelled it - the gift card is fine."
    assert "refuses" in (contradiction(_return("3", method="credit_card_1"), refused, ORDER, METHODS) or "")
    assert contradiction(_return("3", method="gift_card_1"), refused, ORDER, METHODS) is None


def test_items_kept_by_their_options_are_never_written() -> None:
    order = {
        "order_id": "#W1",
        "items": [
            {"item_id": "1", "name": "Bookshelf", "options": {"color": "white"}},
            {"item_id": "2", "name": "Desk Lamp", "options": {"color": "white"}},
            {"item_id": "3", "name": "Helmet", "options": {"color": "red"}},
        ],
    }
    text = "All the white things in that box stay with me. The rest can go back."
    assert contradiction(_return("1", "3"), text, order, METHODS)
    assert contradiction(_return("3"), text, order, METHODS) is None
    # an option kept on the item being changed is no item kept
    assert (
        contradiction(_return("3"), "Return the red helmet, keeping the white colour for the rest.", order, METHODS)
        is None
    )


def test_one_of_several_kept_by_words_the_check_cannot_place_holds_the_write() -> None:
    order = {
        "order_id": "#W1",
        "items": [
            {"item_id": "1", "name": "Wireless Earbuds", "options": {"battery life": "6 hours"}},
            {"item_id": "2", "name": "Wireless Earbuds", "options": {"battery life": "8 hours"}},
            {"item_id": "3", "name": "Bookshelf", "options": {}},
        ],
    }
    text = "Two pairs of earbuds came. I'll keep the pair that lasts longer; the other one can go back."
    assert contradiction(_return("1", "2"), text, order, METHODS)
    assert contradiction(_return("1"), text, order, METHODS) is None


def test_a_short_keeping_sentence_is_read_in_the_tickets_language() -> None:
    order = {
        "order_id": "#W1",
        "items": [{"item_id": "1", "name": "Sunglasses"}, {"item_id": "2", "name": "Desk Lamp"}],
    }
    text = "La lampe de bureau est bien trop lumineuse, je souhaite la renvoyer.\nJe garde les lunettes."
    assert contradiction(_return("1", "2"), text, order, METHODS)
    assert contradiction(_return("2"), text, order, METHODS) is None


def test_a_return_said_not_to_be_needed_and_a_whole_order_kept_are_never_written() -> None:
    text = (
        "I was about to ask you to take back the perfume, but it works after all. So no return needed, "
        "please don't start one - everything in that order stays with me."
    )
    assert contradiction(_return("3"), text, ORDER, METHODS, ticket_text=text)
    kept = "Everything in that order stays with me. Actually, please do return the perfume."
    assert contradiction(_return("3"), kept, ORDER, METHODS)
    assert contradiction(_return("1", "2"), "Send back everything except the perfume.", ORDER, METHODS) is None
