"""Matching described items, wanted variants and payment methods against tool results (here the
records the tools would return, read from the store's data)."""

from __future__ import annotations

from offline_model.playbooks.facts import original_payment
from offline_model.understanding import extract, intents, matching, options
from offline_model.understanding.requests import split_requests

MATCHED = {
    "return_delivered_order_items": intents.RETURN,
    "exchange_delivered_order_items": intents.CHANGE_ITEMS,
    "modify_pending_order_items": intents.CHANGE_ITEMS,
    "modify_pending_order_payment": intents.PAYMENT,
}


def _arguments(intent: str, text: str, order: dict, methods: list[dict], products: dict) -> dict:
    got: dict = {}
    original = original_payment(order)
    if intent == intents.RETURN:
        selection = matching.select_items(text, order["items"])
        got["item_ids"] = sorted(i["item_id"] for i in selection.value) if selection.ok else selection.problem
    elif intent == intents.CHANGE_ITEMS:
        specs = matching.change_specs(text, order["items"])
        assert not isinstance(specs, matching.Match), specs
        pairs = []
        for item, segment in specs:
            variant = matching.select_variant(segment, item, products[item["product_id"]])
            pairs.append((item["item_id"], variant.value["item_id"] if variant.ok else variant.problem))
        got["pairs"] = sorted(pairs)
    current = original if intent == intents.PAYMENT else None
    choice = matching.select_payment(extract.payment_refs(text), methods, original_id=original, current_id=current)
    got["payment_method_id"] = (
        choice.value if choice.ok else (original if intent != intents.PAYMENT else choice.problem)
    )
    return got


def test_dev_operations_match_their_expected_arguments(dev_cases, store_data):
    orders, users, products = store_data["orders"], store_data["users"], store_data["products"]
    wrong, checked = [], 0
    for case in dev_cases:
        requests = split_requests(case["body"], case.get("subject"))
        for action in case["expected"]["actions"]:
            intent = MATCHED.get(action["name"])
            if intent is None:
                continue
            kwargs = action["kwargs"]
            order = orders[kwargs["order_id"]]
            text = "\n".join(r.text for r in requests if r.intent == intent and kwargs["order_id"] in r.order_ids)
            got = _arguments(intent, text, order, list(users[order["user_id"]]["payment_methods"].values()), products)
            want = {"payment_method_id": kwargs["payment_method_id"]}
            if "new_item_ids" in kwargs:
                want["pairs"] = sorted(zip(kwargs["item_ids"], kwargs["new_item_ids"], strict=False))
            elif "item_ids" in kwargs:
                want["item_ids"] = sorted(kwargs["item_ids"])
            checked += 1
            if got != want:
                wrong.append((case["id"], action["name"], got, want))
    assert checked > 400
    assert wrong == []


def _item(name: str, item_id: str, **options: str) -> dict:
    return {"name": name, "item_id": item_id, "product_id": "p", "price": 10.0, "options": options}


def test_same_named_items_told_apart_by_options():
    items = [_item("Bluetooth Speaker", "1", color="green"), _item("Bluetooth Speaker", "2", color="black")]
    chosen = matching.select_items("please return the Bluetooth Speaker (black)", items)
    assert [i["item_id"] for i in chosen.value] == ["2"]
    assert matching.select_items("please return the Bluetooth Speaker", items).problem == "ambiguous"
    assert [i["item_id"] for i in matching.select_items("return both speakers", items).value] == ["1", "2"]


def test_items_named_only_by_their_options():
    items = [_item("Fleece Jacket", "1", size="XS", color="navy"), _item("T-Shirt", "2", size="M", color="red")]
    assert [i["item_id"] for i in matching.select_items("I want to return the navy one in size XS", items).value] == [
        "1"
    ]


def test_unavailable_or_ambiguous_variants_are_problems():
    item = _item("Water Bottle", "1", capacity="500ml", color="blue")
    product = {
        "name": "Water Bottle",
        "variants": {
            "1": {"item_id": "1", "options": {"capacity": "500ml", "color": "blue"}, "available": True, "price": 10},
            "2": {"item_id": "2", "options": {"capacity": "750ml", "color": "red"}, "available": False, "price": 11},
            "3": {"item_id": "3", "options": {"capacity": "750ml", "color": "black"}, "available": True, "price": 12},
            "4": {"item_id": "4", "options": {"capacity": "1000ml", "color": "black"}, "available": True, "price": 13},
        },
    }
    assert matching.select_variant("the same bottle in red with 750ml", item, product).problem == "unavailable"
    assert matching.select_variant("the black one", item, product).problem == "ambiguous"
    assert matching.select_variant("the black one with 750ml capacity", item, product).value["item_id"] == "3"


METHODS = [
    {"id": "credit_card_1", "source": "credit_card", "brand": "visa", "last_four": "1234"},
    {"id": "credit_card_2", "source": "credit_card", "brand": "mastercard", "last_four": "9212"},
    {"id": "paypal_3", "source": "paypal"},
    {"id": "gift_card_4", "source": "gift_card", "balance": 20},
]


def pick(text: str, **kwargs) -> str | None:
    """The method of METHODS the words choose, or why none can be chosen."""
    choice = matching.select_payment(extract.payment_refs(text), METHODS, **kwargs)
    return choice.value if choice.ok else choice.problem


def test_payment_methods_in_words():
    assert pick("my Mastercard ending in 9212") == "credit_card_2"
    assert pick("refund it to PayPal please") == "paypal_3"
    assert pick("put it on my gift card") == "gift_card_4"
    assert pick("use my credit card") == "ambiguous"
    assert pick("the card I paid with", original_id="credit_card_1") == "credit_card_1"
    assert pick("nothing about payment here") == "missing"


def test_a_refused_method_is_never_the_one_chosen():
    # the only card left once the refused one is set aside
    assert pick("any card works, just not the Mastercard") == "credit_card_1"
    assert pick("Charge it to a card. Not the Visa, it expires next week.") == "credit_card_2"
    # refused in one clause, wanted in the next
    assert pick("Please don't send it back to PayPal; store credit is fine.") == "gift_card_4"
    assert pick("Refund not on PayPal, I shut that account. Visa please.") == "credit_card_1"
    # refusing the method the order was paid with leaves no default
    assert pick("whatever I paid with, but never PayPal", original_id="paypal_3") == "missing"
    # the refusal ends where another method is named
    refs = extract.payment_refs("I don't want store credit - my Visa or nothing.")
    assert [(r.source, r.refused) for r in refs] == [("gift_card", True), ("credit_card", False)]
    # a method told to be unusable is refused too
    assert pick("My Mastercard got blocked by the bank, so use a card that works.") == "credit_card_1"
    assert pick("PayPal please - the Visa ending 1234 has expired.") == "paypal_3"
    # the method paid with is replaced, not refused: 'put it back on my card' may still mean it
    assert not any(r.refused for r in extract.payment_refs("I paid with my Visa, put the refund on it"))


def test_a_name_inside_a_longer_word_is_no_quantifier():
    """'small' holds 'all': the small kettle is one kettle, not all of them."""
    items = [
        _item("Tea Kettle", "1", capacity="1.5 liters"),
        _item("Tea Kettle", "2", capacity="1 liter"),
        _item("Notebook", "3"),
    ]
    assert matching.select_items("the small glass tea kettle should go back", items).problem == "ambiguous"
    assert [i["item_id"] for i in matching.select_items("the small one-liter tea kettle", items).value] == ["2"]
    assert [i["item_id"] for i in matching.select_items("both tea kettles", items).value] == ["1", "2"]


def test_one_of_two_identical_items_is_one_unit():
    items = [_item("Desk Lamp", "1"), _item("Yoga Mat", "2", color="green"), _item("Yoga Mat", "2", color="green")]
    for text in (
        "I was sent two yoga mats by mistake, please take back one of them.",
        "The yoga mats came twice - just one of those needs to go back.",
        "J'ai reçu deux tapis de yoga identiques, je voudrais renvoyer l'un d'eux.",
    ):
        assert [i["item_id"] for i in matching.select_items(text, items).value] == ["2"], text
    different = [_item("Yoga Mat", "3", color="green"), _item("Yoga Mat", "4", color="purple")]
    assert matching.select_items("I have two yoga mats, send back one of them", different).problem == "ambiguous"


def test_an_option_value_qualifying_another_noun_picks_no_item():
    # the order holds a blue hose and no earbuds: 'blue' describes the earbuds, not the hose
    items = [_item("Garden Hose", "1", color="blue"), _item("Bookshelf", "2", color="white")]
    assert matching.select_items("please take back the blue earbuds", items).problem == "missing"
    assert matching.select_items("please take back the blue headphones, they hurt", items).problem == "missing"
    assert [i["item_id"] for i in matching.select_items("please take back the blue one", items).value] == ["1"]


def test_the_way_the_customer_paid_is_the_original_method():
    for text in (
        "Send the money back however we paid originally.",
        "Refund each of them to whatever I used to pay for it.",
        "Please refund it the same way as I paid.",
        "Bitte erstatten Sie den Betrag so, wie ich damals bezahlt habe.",
        "Merci de me rembourser comme j'ai payé.",
        "Reembólsenlo como pagué, por favor.",
    ):
        refs = extract.payment_refs(text)
        assert [r.original for r in refs] == [True], text


def test_option_values_and_the_word_size_in_the_customers_language():
    item = _item("Backpack", "1", color="green", size="small")
    product = {
        "name": "Backpack",
        "variants": {
            "1": {"item_id": "1", "options": {"color": "green", "size": "small"}, "available": True, "price": 10},
            "2": {"item_id": "2", "options": {"color": "black", "size": "small"}, "available": True, "price": 11},
            "3": {"item_id": "3", "options": {"color": "white", "size": "small"}, "available": True, "price": 12},
        },
    }
    for text, wanted in (
        ("je préférerais le même sac en noir", "2"),
        ("lo quiero en blanco, por favor", "3"),
        ("lieber in Schwarz, bitte", "2"),
        ("vorrei lo stesso zaino ma bianco", "3"),
        ("quero a mesma mochila na cor preta", "2"),
    ):
        assert matching.select_variant(text, item, product).value["item_id"] == wanted, text
    shirt = _item("T-Shirt", "5", size="L", color="red")
    shirts = {
        "name": "T-Shirt",
        "variants": {
            "5": {"item_id": "5", "options": {"size": "L", "color": "red"}, "available": True, "price": 10},
            "6": {"item_id": "6", "options": {"size": "M", "color": "red"}, "available": True, "price": 10},
        },
    }
    for text in ("la même en taille M", "dasselbe in Größe M", "la misma en talla M", "uguale ma taglia M"):
        assert matching.select_variant(text, shirt, shirts).value["item_id"] == "6", text


def test_a_foreign_head_noun_names_the_item_only_in_that_language():
    items = [_item("Desk Lamp", "1", color="white"), _item("Portable Charger", "2"), _item("Yoga Mat", "3")]
    assert [i["item_id"] for i in matching.select_items("vorrei restituire la lampada bianca", items).value] == ["1"]
    assert [i["item_id"] for i in matching.select_items("je voudrais renvoyer le tapis, merci", items).value] == ["3"]
    # 'batteries' is no charger ('batterie externe') in an English ticket
    assert matching.item_mentions("it runs on AA batteries", ["Portable Charger"]) == []


def test_the_version_an_item_is_swapped_for_is_not_an_item_of_the_order():
    items = [_item("Tea Kettle", "1", material="glass"), _item("Tea Kettle", "2", material="ceramic")]
    for text in (
        "Could you swap it for the 2-liter glass kettle?",
        "Please exchange it for a stainless steel tea kettle.",
        "I'd like to change that one to the ceramic kettle.",
    ):
        # 'it' is named elsewhere (or asked about), never taken from the version wanted
        assert matching.select_items(text, items, for_change=True).problem == "missing", text
    named = matching.select_items("Please swap the glass kettle for the ceramic one.", items, for_change=True)
    assert [i["item_id"] for i in named.value] == ["1"]


_HELMETS = {
    "name": "Cycling Helmet",
    "variants": {
        "1": {"item_id": "1", "options": {"size": "L", "color": "white", "ventilation": "medium"}, "available": True},
        "2": {"item_id": "2", "options": {"size": "M", "color": "white", "ventilation": "low"}, "available": True},
        "3": {"item_id": "3", "options": {"size": "M", "color": "red", "ventilation": "high"}, "available": True},
        "4": {"item_id": "4", "options": {"size": "S", "color": "red", "ventilation": "low"}, "available": True},
    },
}


def test_an_option_the_customer_leaves_to_us_need_not_stay():
    helmet = _item("Cycling Helmet", "1", size="L", color="white", ventilation="medium")
    for text in (
        "Can I get a size M instead? Whatever ventilation is fine.",
        "Size M please, the ventilation isn't important.",
        "size M; I don't care about the ventilation",
    ):
        assert matching.select_variant(text, helmet, _HELMETS).value["item_id"] == "2", text
    # near misses: nothing waives the ventilation (a foreign name for an option that has none in
    # our lists included), so a version changing it is asked about
    for text in (
        "Size M please.",
        "Size M please, the ventilation matters to me.",
        "size M, any other ventilation?",
        "in Größe M bitte, die Belüftung ist egal",
    ):
        assert matching.select_variant(text, helmet, _HELMETS).problem == "ambiguous", text


def test_new_values_only_one_version_has_name_that_version():
    helmet = _item("Cycling Helmet", "5", size="S", color="red", ventilation="high")
    # size M and white: one version of the catalog, though its ventilation differs
    assert matching.select_variant("the white one in size M", helmet, _HELMETS).value["item_id"] == "2"
    # one new value alone does not name a version that changes what was not mentioned
    assert matching.select_variant("the one in size L", helmet, _HELMETS).problem == "ambiguous"
    assert matching.select_variant("make it white", helmet, _HELMETS).problem == "ambiguous"


def test_option_names_left_to_us_in_six_languages():
    keys = ["color", "size", "ventilation"]
    assert options.waived_options("Any colour is fine by me", keys) == {"color"}
    assert options.waived_options("Die Farbe ist mir egal.", keys) == {"color"}
    assert options.waived_options("Peu importe la couleur.", keys) == {"color"}
    assert options.waived_options("La talla no importa.", keys) == {"size"}
    assert options.waived_options("Qualsiasi colore va bene.", keys) == {"color"}
    assert options.waived_options("A cor tanto faz.", keys) == {"color"}
    for text in ("Do you have any other colour?", "The size matters a lot.", "I want a low ventilation."):
        assert options.waived_options(text, keys) == set(), text


def test_a_value_joined_to_its_option_name_by_a_hyphen():
    space = {"frame color": {"black", "brown"}, "lens color": {"green", "brown"}}

    def read(text: str) -> list[tuple[str, str]]:
        return [(m.key, m.value) for m in options.find_mentions(text, space)]

    assert read("a pair with a black-frame") == [("frame color", "black")]
    assert read("the green-lensed pair") == [("lens color", "green")]
    assert read("my brown-framed glasses") == [("frame color", "brown")]
    # a hyphen to another word binds nothing: 'black-and-white' is neither value
    assert read("a black-and-white case") == []
    assert read("a black-lensed pair") == []


def test_a_wanted_value_picks_no_item_of_the_order():
    items = [_item("Mechanical Keyboard", "1", switch="linear"), _item("Mechanical Keyboard", "2", switch="clicky")]
    for text in ("switch the linear one to the clicky version", "I'd like the linear one to become the clicky one"):
        assert [i["item_id"] for i in matching.select_items(text, items, for_change=True).value] == ["1"], text
    # no value of today's items but the wanted one: nothing says which keyboard
    assert not matching.select_items("please change it to the clicky version", items, for_change=True).ok


def test_a_letter_size_before_a_dash_or_question_mark():
    space = {"size": {"S", "M", "XL", "XXL"}, "color": {"black"}}
    for text, size in (
        ("a black one in XL - same fabric", "XL"),
        ("could I have it in M?", "M"),
        ("maybe in XL; thanks", "XL"),
        ("in M — not the other one", "M"),
        ("keep the same size (XXL) but in black", "XXL"),
    ):
        assert [m.value for m in options.find_mentions(text, space) if m.key == "size"] == [size], text
    # a dash joining words is no separator: 'in s-shape' names no size
    assert [m for m in options.find_mentions("bent in s-shape", space) if m.key == "size"] == []


def test_the_same_size_in_brackets_must_stay():
    shirt = _item("T-Shirt", "1", color="purple", size="XL", material="cotton")
    shirts = {
        "name": "T-Shirt",
        "variants": {
            "1": {
                "item_id": "1",
                "options": {"color": "purple", "size": "XL", "material": "cotton"},
                "available": True,
            },
            "2": {"item_id": "2", "options": {"color": "purple", "size": "S", "material": "wool"}, "available": True},
        },
    }
    # wool exists only in S: the size the customer keeps rules it out
    assert matching.select_variant("in wool, same size (XL)", shirt, shirts).problem == "no_such_variant"


def test_a_fleece_is_the_fleece_jacket():
    names = ["Fleece Jacket", "T-Shirt"]
    assert [m.name for m in matching.item_mentions("could my grey fleece come in M?", names)] == ["Fleece Jacket"]
    # 'fleece-lined' describes another thing
    assert matching.item_mentions("I bought fleece-lined gloves elsewhere", names) == []


def test_a_full_name_with_one_slip_of_the_keyboard():
    items = [_item("Bluetooth Speaker", "1", color="black"), _item("Bicycle", "2", color="black")]
    assert [i["item_id"] for i in matching.select_items("the black bluetooth speker i got", items).value] == ["1"]
    assert [i["item_id"] for i in matching.select_items("my bluetooth spaeker is too quiet", items).value] == ["1"]
    # a one-word name gets no such leeway: 'speakers' is no misspelt 'sneakers'
    shoes = [_item("Sneakers", "3"), _item("Tablet", "4")]
    assert [i["item_id"] for i in matching.select_items("the tablet's speakers are too quiet", shoes).value] == ["4"]


def test_it_swapped_for_the_same_product_is_that_product():
    items = [_item("Air Purifier", "1"), _item("Bluetooth Speaker", "2", color="red")]
    chosen = matching.select_items(
        "I'd like to exchange it for the very same speaker in green.", items, for_change=True
    )
    assert [i["item_id"] for i in chosen.value] == ["2"]
    # another product, or no 'same': which item is meant is still asked
    assert matching.select_items("Could you swap it for a green speaker?", items, for_change=True).problem == "missing"
