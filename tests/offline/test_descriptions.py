"""Orders described instead of numbered, resolved against the customer's orders, and questions
about figures of those orders (offline_model/understanding/descriptions.py, requests.py)."""

from __future__ import annotations

from typing import Any

from offline_model.understanding import descriptions
from offline_model.understanding.acted_on import acted_on_text
from offline_model.understanding.requests import is_figure_question, split_requests
from offline_model.understanding.text import fold


def _order(oid: str, status: str, city: str, street: str, *names: str) -> dict[str, Any]:
    items = [{"name": n, "item_id": f"{oid}-{i}", "price": 10.0 * (i + 1), "options": {}} for i, n in enumerate(names)]
    return {
        "order_id": oid,
        "status": status,
        "items": items,
        "total": sum(i["price"] for i in items),
        "ship_to": {"address1": street, "city": city, "state": "XX"},
    }


ORDERS = [
    _order("#W1", "delivered", "Dallas", "12 Main Street", "Laptop", "Desk Lamp"),
    _order("#W2", "pending", "Chicago", "5 Oak Avenue", "Laptop", "Electric Kettle"),
    _order("#W3", "pending", "Dallas", "9 Elm Road", "Blender", "Cycling Helmet"),
    _order("#W4", "pending", "Austin", "7 Pine Lane", "Tea Kettle"),
]


def _resolve(text: str, statuses: tuple[str, ...] = (), many: bool = False) -> descriptions.Resolution:
    return descriptions.resolve(text, ORDERS, statuses, many=many)


def test_all_the_items_named_must_be_in_the_order() -> None:
    # any-of would also take #W2 (it has a laptop too)
    assert _resolve("the order with the laptop and the desk lamp").order_ids == ["#W1"]


def test_destination_city_and_street_single_out_an_order() -> None:
    assert _resolve("cancel the one going to Chicago", ("pending",)).order_ids == ["#W2"]
    assert _resolve("the order set to ship to Main Street in Dallas").order_ids == ["#W1"]
    # Dallas alone fits two orders: a question, not a guess
    assert sorted(_resolve("the order to Dallas").candidates) == ["#W1", "#W3"]


def test_a_new_destination_is_not_a_description() -> None:
    found = descriptions.describe("please ship it to my home address in Chicago instead", ORDERS)
    assert found.places == ()


def test_status_words_and_rank() -> None:
    assert _resolve("my order with the laptop that hasn't shipped yet").order_ids == ["#W2"]
    assert _resolve("the laptop I received").order_ids == ["#W1"]
    assert _resolve("my most recent order").order_ids == ["#W4"]
    assert _resolve("my first order").order_ids == ["#W1"]


def test_orders_to_leave_alone_are_never_a_match() -> None:
    text = "cancel my tea kettle order. NOT the one w the electric kettle, i still want that one"
    assert _resolve(text, ("pending",)).order_ids == ["#W4"]
    text = "Please cancel my order. The other order, the one with the blender, stays as it is."
    found = _resolve(text, ("pending",))
    assert "#W3" not in found.order_ids + found.candidates
    pt = "Cancelem a encomenda da chaleira. A outra encomenda, com o blender, fica como está."
    assert "#W3" in descriptions.describe(pt, ORDERS).excluded


def test_the_other_order_as_the_topic_is_the_one_meant() -> None:
    text = "In my other order, the one going to Austin, there's a tea kettle. What did I pay for it?"
    assert "#W4" not in descriptions.describe(text, ORDERS).excluded
    leave = "Please cancel the blender order. My other order, the one going to Austin, stays."
    assert "#W4" in descriptions.describe(leave, ORDERS).excluded


def test_several_orders_in_one_request() -> None:
    text = "Please cancel the order with the blender and the one going to Austin"
    assert _resolve(text, ("pending",), many=True).order_ids == ["#W3", "#W4"]
    # without `many` the same words are not one order
    assert not _resolve(text, ("pending",)).ok


def test_no_description_takes_the_only_order_of_the_status() -> None:
    orders = [o for o in ORDERS if o["order_id"] in ("#W1", "#W3")]
    assert descriptions.resolve("please cancel my order", orders, ("pending",)).order_ids == ["#W3"]


def test_describing_phrases_are_not_items_to_act_on() -> None:
    text = "return the yoga mat from the order that had the bookshelf and the vacuum. Refund to PayPal."
    rest = acted_on_text(text)
    assert "bookshelf" not in rest and "yoga mat" in rest and "PayPal" in rest


def test_the_story_and_what_is_kept_are_not_items_to_act_on() -> None:
    text = (
        "I ordered two puzzles and a fleece jacket. The big puzzle is a joy and it's staying.\n"
        "Please return the 500-piece puzzle and the jacket."
    )
    rest = acted_on_text(text)
    assert "ordered" not in rest and "staying" not in rest and "500-piece puzzle and the jacket" in rest


def test_figure_questions_are_questions_not_writes() -> None:
    assert is_figure_question(fold("What did I pay for the e-reader?"))
    assert is_figure_question(fold("if i sent back both keyboards, how much would i get refunded in total?"))
    assert not is_figure_question(fold("Please return the kettle and tell me how much I'll get back."))
    ticket = "First, what did I pay for the e-reader? Second, I'd like to return the desk lamp - it flickers."
    requests = split_requests(ticket)
    assert [r.intent for r in requests] == ["billing_question", "return_items"]
    assert "e-reader" not in requests[1].text


def test_what_a_return_refunds_stays_with_the_return() -> None:
    ticket = "I'd like to return the jacket and the helmet. How much will I get refunded for the two together?"
    assert [r.intent for r in split_requests(ticket)] == ["return_items"]


def test_the_other_order_is_meant_when_its_clause_asks_for_something() -> None:
    fr = "Pour mon autre commande, celle avec la bouilloire électrique, je préfère payer avec PayPal."
    assert _resolve(fr, ("pending",)).order_ids == ["#W2"]
    es = "Tengo un pedido pendiente que va a Austin, el de la tetera."  # 'tengo': I have, not 'I keep'
    assert _resolve(es, ("pending",)).order_ids == ["#W4"]


def test_an_item_in_an_order_of_another_status_still_names_that_order() -> None:
    # the blender's order is pending: a return of it is refused by the playbook, not asked about
    found = descriptions.resolve_by_any_item("please return the blender", ORDERS, ("delivered",))
    assert found.order_ids == ["#W3"]


def test_the_order_described_by_its_items_holds_all_of_them_and_the_item_acted_on() -> None:
    orders = [
        _order("#W5", "delivered", "Boston", "1 Birch Way", "Laptop", "Desk Lamp", "Backpack"),
        _order("#W6", "delivered", "Boston", "1 Birch Way", "Laptop", "Garden Hose"),
        _order("#W7", "delivered", "Reno", "4 Cedar Court", "Desk Lamp", "Tea Kettle"),
    ]
    for text in (
        "Can I send back the desk lamp from the order with the laptop and the backpack?",
        "I'd like to return the desk lamp from the delivery that had the laptop and the backpack.",
        "Je voudrais renvoyer la lampe de bureau de la commande avec l'ordinateur portable et le sac à dos.",
    ):
        assert descriptions.resolve_by_any_item(text, orders, ("delivered",)).order_ids == ["#W5"], text
    # by destination: the lamp that went to Reno
    reno = "please take back the desk lamp from the order that went to Reno"
    assert descriptions.resolve_by_any_item(reno, orders, ("delivered",)).order_ids == ["#W7"]
    # the described order does not hold the item to act on: no order, a question back
    kettle = "return the tea kettle from the order with the garden hose"
    assert descriptions.resolve_by_any_item(kettle, orders, ("delivered",)).order_ids == []


def test_a_return_of_items_from_several_deliveries_spreads_over_their_orders() -> None:
    orders = [
        _order("#W5", "delivered", "Boston", "1 Birch Way", "Garden Hose", "Tablet"),
        _order("#W6", "delivered", "Boston", "1 Birch Way", "Desk Lamp", "Tablet"),
        _order("#W7", "pending", "Boston", "1 Birch Way", "Tea Kettle"),
    ]
    for text in (
        "Please take back the garden hose and the desk lamp.",
        "Ich möchte den Gartenschlauch und die Schreibtischlampe zurückschicken.",
        "I got two tablets, one in each delivery, and want to send both back.",
    ):
        assert descriptions.resolve_spread(text, orders, ("delivered",)).order_ids == ["#W5", "#W6"], text
    # all in one order, or one item only: no spread, the request is resolved as one
    assert descriptions.resolve_spread("return the garden hose and the tablet", orders, ("delivered",)).order_ids == []
    assert descriptions.resolve_spread("please return the tablet", orders, ("delivered",)).order_ids == []


def test_what_came_in_the_same_delivery_only_says_which_order() -> None:
    for text in (
        "J'ai reçu la lampe en même temps que l'ordinateur portable, je voudrais la renvoyer.",
        "Die Lampe kam zusammen mit dem Laptop, ich möchte sie zurückschicken.",
        "Please take back the desk lamp that came together with the laptop.",
    ):
        assert "laptop" not in fold(acted_on_text(text, with_story=True)), text
        assert "ordinateur" not in fold(acted_on_text(text, with_story=True)), text


def test_an_order_described_with_a_participle_before_its_items() -> None:
    for text in (
        "From the order delivered with the laptop, please return the desk lamp.",
        "Dall'ordine consegnato con il portatile vorrei restituire la lampada da scrivania.",
    ):
        assert descriptions.resolve_by_any_item(text, ORDERS, ("delivered",)).order_ids == ["#W1"], text
