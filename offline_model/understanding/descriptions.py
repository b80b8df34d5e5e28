"""Orders the customer describes instead of numbering, resolved against the tool results.

A description is read from the customer's words *against their orders*: the product names, cities
and streets it mentions are those of the orders the tools returned, so nothing depends on a list of
products or places. `OrderDescription` holds what the words say the order is (items it holds - all
of them, status, destination, rank in the customer's list, amount) and which orders they say to
leave alone ("NOT the one with the helmet", "the other order ... stays as it is"), which are never
a match. `resolve` gives every order that fits; two or more where one is meant is the playbook's
question back, never a guess.

The markers are closed-class words (negation, 'other', 'first/last', verbs of staying) in the six
languages the model reads."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from offline_model.understanding import intents, matching
from offline_model.understanding.acted_on import acted_on_text, describing_phrases
from offline_model.understanding.text import fold

Order = dict[str, Any]

# A clause about an order the customer wants left as it is.
_LEAVE_ALONE = re.compile(
    r"\bnot\s+(?:the|my|that)\s+(?:one|order)|\b(?:stays?|remains?|keep|keeping|leave|untouched|as\s+it\s+is|as\s+is|"
    r"is\s+fine|are\s+fine|nothing\s+to\s+change|don'?t\s+(?:touch|change|cancel)|do\s+not\s+(?:touch|change|cancel)|"
    r"still\s+want)\b|"
    r"\b(?:fica|ficam|mantem|manter|deixe|reste|restent|garde|laissez|bleibt|bleiben|behalte|lassen|"
    r"(?<!me\s)(?<!te\s)(?<!le\s)(?:queda|quedan)|mantener|dejen|deja|resta|restano|lasciate|rester|restar|restare|ficar)\b|"
    r"\bcomme\s+elle\s+est\b|\bcomo\s+esta\b|\btel(?:le)?\s+quel(?:le)?\b|\bwie\s+(?:sie|es)\s+ist\b|\bcosi\s+com|"
    r"\bnicht\s+die\b|\bno\s+(?:el|la)\s+(?:de|que)\b|\bpas\s+(?:celle|la\s+commande)\b|\bnon\s+quell[oa]\b"
)
# 'The other order, with the laptop, ...': an order set against the one meant (unless it asks something itself).
_OTHER_ORDER = re.compile(
    r"\b(?:other|autre|outra|outro|andere[nr]?|otro|otra|altro|altra)\s+(?:\w+\s+)?(?:order|one|encomenda|pedido|"
    r"commande|bestellung|ordine)\b"
)
_ASKS_ITSELF = re.compile(
    r"\?|\b(?:please|could\s+you|can\s+you|i'?d\s+like|bitte|pourriez|por\s+favor|per\s+favore)\b"
)


def _asks_itself(clause: str, folded: str) -> bool:
    """'For my other order, I'd rather pay with my Mastercard': the clause asks for something of its
    own (a question, a request form, words of an action), so the other order is the one meant."""
    return bool(_ASKS_ITSELF.search(folded) or _IN_THE_OTHER.search(folded)) or bool(
        intents.cue_hits(clause) & set(intents.ACTIONS)
    )


# 'in my other order that hasn't shipped there's a fleece jacket': the other order is the topic
_IN_THE_OTHER = re.compile(r"\b(?:in|for|on|from|about|regarding|as\s+for)\s+(?:my|the|our)\s+other\b")


# Words that make a clause about an order (not one item): 'the one with', 'my other order'.
_ORDER_WORD = re.compile(
    r"\b(?:order|orders|one|delivery|shipment|package|parcel|encomenda|pedido|commande|bestellung|ordine|"
    r"lieferung|envio|livraison|consegna)\b"
)
_CLAUSE_BREAK = re.compile(r"[;\n]|\s[-\u2013\u2014]\s|(?<=[.!?])\s+|,\s*(?=but\b|while\b|whereas\b)")
# Where several orders are named one after the other: 'the order with X and the one going to Y'.
_NEXT_ORDER = re.compile(
    r"\b(?:and|&|plus|as\s+well\s+as|also)\s+(?:also\s+)?(?:the|my)\s+(?:other\s+)?(?:order|one)\b|"
    r"\be\s+(?:a|o)\s+(?:encomenda|pedido)\b|\bet\s+(?:la|celle)\b|\bund\s+die\b|\by\s+(?:el|la)\s+(?:pedido|de)\b"
)

_NOT_SHIPPED = re.compile(
    r"\b(?:has\s*n[o']t|have\s*n[o']t|not|never|yet\s+to\s+be|still\s+not|nicht|pas|no|nao|non)\s+(?:\w+\s+){0,2}?"
    r"(?:ship|shipped|sent|gone\s+out|left|dispatched|processed|versandt|verschickt|expediee?s?|envia\w*|spedit\w*)\b|"
    r"\b(?:pending|open\s+orders?|still\s+open|pendiente|en\s+attente|offen\w*|pendente|in\s+attesa)\b"
)
_NOT_ARRIVED = re.compile(
    r"\b(?:has\s*n[o']t|have\s*n[o']t|not|never|yet\s+to|still\s+not)\s+(?:\w+\s+){0,2}?(?:arrived|received|delivered|"
    r"come|got)\b"
)
_DELIVERED = re.compile(
    r"\b(?:delivered|received|arrived|got|came|entregue|recebi|livree?s?|recu|reçu|zugestellt|geliefert|erhalten|"
    r"entregado|recibi\w*|consegnat\w*|ricevut\w*)\b(?!\s+(?:to|a|an|nach|en|em)\b)"
)
_SHIPPED = re.compile(r"\b(?:already\s+shipped|on\s+its\s+way|in\s+transit|has\s+shipped|was\s+shipped\b(?!\s+to))")
_LAST = re.compile(
    r"\b(?:last|latest|most\s+recent|newest|recent|derniere?|letzte[nrs]?|ultim[oa]|mais\s+recente)\s+(?:\w+\s+)?"
    r"(?:order|one|purchase|commande|bestellung|pedido|encomenda|ordine)"
)
_FIRST = re.compile(
    r"\b(?:first|oldest|earliest|premiere?|erste[nrs]?|primer[oa]?|primeir[oa]|prim[oa])\s+(?:\w+\s+)?"
    r"(?:order|one|purchase|commande|bestellung|pedido|encomenda|ordine)"
)
_AMOUNT = re.compile(
    r"\b(?:order|one|purchase)\s+(?:of|for|worth|totall?ing|that\s+(?:cost|came\s+to))\s+(?:about\s+)?\$\s?"
    r"(\d[\d,]*(?:\.\d{1,2})?)|\$\s?(\d[\d,]*(?:\.\d{1,2})?)\s+(?:order|one|purchase)\b"
)
# 'ship it to ... Denver': the new destination of a change, not where the order goes now.
_NEW_DESTINATION = re.compile(
    r"(?<!set\sto\s)(?<!going\sto\s)(?<!supposed\sto\s)(?<!due\sto\s)(?<!scheduled\sto\s)"
    r"\b(?:ship|send|deliver|redirect|reroute|move|change|switch|update|forward)\s+(?:it|them|this|that|the\s+order|"
    r"my\s+order|everything|the\s+package)?\s*(?:\w+\s+){0,7}$"
)
_STREET_KINDS = {
    "street": "st",
    "avenue": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "boulevard": "blvd",
    "court": "ct",
    "place": "pl",
    "way": "way",
    "trail": "trl",
    "parkway": "pkwy",
}


@dataclass(frozen=True)
class OrderDescription:
    """What the customer's words say about the order they mean."""

    items: tuple[str, ...] = ()  # product names (as the orders have them) the order holds, all of them
    plural_items: tuple[str, ...] = ()  # of those, the ones named in the plural or counted ('both tablets')
    statuses: frozenset[str] = frozenset()  # the statuses the words allow ('hasn't shipped' -> pending)
    places: tuple[str, ...] = ()  # order ids whose destination the words name
    rank: int | None = None  # 0: the first order of the customer's list, -1: the last
    amount: float | None = None
    excluded: tuple[str, ...] = ()  # orders the customer says to leave alone

    @property
    def evidence(self) -> bool:
        return bool(self.items or self.statuses or self.places or self.rank is not None or self.amount is not None)


@dataclass
class Resolution:
    """The orders a request means: one or several that fit, or the candidates when it is unclear."""

    order_ids: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)  # several fit and one is meant
    description: OrderDescription = field(default_factory=OrderDescription)

    @property
    def ok(self) -> bool:
        return bool(self.order_ids)


# --- reading ------------------------------------------------------------------------------------


def clauses(text: str) -> list[str]:
    return [c for c in (piece.strip() for piece in _CLAUSE_BREAK.split(text)) if c]


def split_negative(text: str) -> tuple[str, list[str]]:
    """The words that describe the wanted order(s), and the clauses about orders to leave alone."""
    positive: list[str] = []
    negative: list[str] = []
    for clause in clauses(text):
        folded = fold(clause)
        match = _LEAVE_ALONE.search(folded)
        if match is None and _OTHER_ORDER.search(folded) and not _asks_itself(clause, folded):
            match = _OTHER_ORDER.search(folded)
        if match and _ORDER_WORD.search(folded):
            # 'cancel the kettle one, not the one with the helmet': the words before the marker still count
            head = clause[: match.start()] if folded[match.start() :].startswith("not ") else ""
            if head.strip():
                positive.append(head)
            negative.append(clause[len(head) :])
        else:
            positive.append(clause)
    return "\n".join(positive), negative


def describe(text: str, orders: list[Order], *, status_words: bool = True) -> OrderDescription:
    """The description of the wanted order in `text`, read against the customer's orders. Without
    `status_words` the words of status are not part of it (in a status question they are the question)."""
    positive, negative = split_negative(text)
    excluded: list[str] = []
    for clause in negative:
        about = _plain_description(clause, orders)
        if about.items or about.places:
            excluded.extend(o["order_id"] for o in _fitting(about, orders) if o["order_id"] not in excluded)
    plain = _plain_description(positive, orders)
    return OrderDescription(
        items=plain.items,
        plural_items=plain.plural_items,
        statuses=plain.statuses if status_words else frozenset(),
        places=plain.places,
        rank=plain.rank,
        amount=plain.amount,
        excluded=tuple(excluded),
    )


def _plain_description(text: str, orders: list[Order]) -> OrderDescription:
    folded = fold(text)
    names = sorted({str(i.get("name", "")) for o in orders for i in o.get("items") or [] if i.get("name")})
    mentions = matching.item_mentions(text, names)
    items = tuple(dict.fromkeys(m.name for m in mentions))
    plural = tuple(dict.fromkeys(m.name for m in mentions if m.plural or m.quantifier))
    return OrderDescription(
        items=items,
        plural_items=plural,
        statuses=statuses_in(folded),
        places=_destinations_named(folded, orders),
        rank=rank_in(folded),
        amount=amount_in(folded),
    )


def statuses_in(folded: str) -> frozenset[str]:
    """The statuses the words allow: 'hasn't shipped' -> pending, 'the one I received' -> delivered."""
    if _NOT_SHIPPED.search(folded):
        return frozenset({"pending"})
    if _NOT_ARRIVED.search(folded):
        return frozenset({"pending", "processed"})
    if _DELIVERED.search(folded):
        return frozenset({"delivered"})
    if _SHIPPED.search(folded):
        return frozenset({"processed"})
    return frozenset()


def rank_in(folded: str) -> int | None:
    if _LAST.search(folded):
        return -1
    if _FIRST.search(folded):
        return 0
    return None


def amount_in(folded: str) -> float | None:
    match = _AMOUNT.search(folded)
    if not match:
        return None
    return float((match.group(1) or match.group(2)).replace(",", ""))


def destination(order: Order) -> dict[str, str]:
    """Where the order goes: the list's `ship_to`, else the order's address."""
    found = order.get("ship_to") or order.get("address") or {}
    return {k: str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _destinations_named(folded: str, orders: list[Order]) -> tuple[str, ...]:
    """The orders whose destination the words name best ('Main Street in Dallas' over 'Dallas')."""
    counts = {o["order_id"]: _place_words_named(folded, o) for o in orders}
    best = max(counts.values(), default=0)
    return tuple(oid for oid, count in counts.items() if count == best and best > 0)


def _place_words_named(folded: str, order: Order) -> int:
    """How many of the order's city and street the words name (not as a new destination)."""
    named = 0
    for phrase in _place_phrases(destination(order)):
        for match in re.finditer(rf"(?<![\w-]){phrase}(?![\w-])", folded):
            if not _NEW_DESTINATION.search(folded[max(0, match.start() - 60) : match.start()]):
                named += 1
                break
    return named


def _place_phrases(place: dict[str, str]) -> list[str]:
    phrases = []
    city = fold(place.get("city", "")).strip()
    if city:
        phrases.append(re.escape(city))
    street = re.sub(r"^\d+\s+", "", fold(place.get("address1", "")).strip())
    words = street.split()
    if len(words) >= 2:
        kind = words[-1]
        short = _STREET_KINDS.get(kind)
        name = r"\s+".join(re.escape(w) for w in words[:-1])
        kinds = "|".join(re.escape(k) for k in (kind, short) if k)
        phrases.append(rf"{name}\s+(?:{kinds})\.?")
    return phrases


# --- matching -----------------------------------------------------------------------------------


def _holds_all(order: Order, names: tuple[str, ...]) -> bool:
    held = {str(i.get("name", "")) for i in order.get("items") or []}
    return all(name in held for name in names)


def _fitting(description: OrderDescription, orders: list[Order]) -> list[Order]:
    """Orders that hold every item named and go where the words say."""
    out = [o for o in orders if _holds_all(o, description.items)]
    if description.places:
        out = [o for o in out if o["order_id"] in description.places]
    return out


def _coverage(description: OrderDescription, orders: list[Order]) -> list[Order]:
    """When no order holds every item named: the orders holding the most of them."""
    counts = [(sum(1 for n in description.items if _holds_all(o, (n,))), o) for o in orders]
    best = max((c for c, _ in counts), default=0)
    return [o for c, o in counts if c == best and best > 0]


def _narrow(orders: list[Order], statuses: frozenset[str] | tuple[str, ...]) -> list[Order]:
    """Orders of these statuses, when there are any (a status is a hint: a wrong one is refused later)."""
    kept = [o for o in orders if o.get("status") in statuses] if statuses else []
    return kept or orders


def _amount_fits(order: Order, amount: float) -> bool:
    total = order.get("total")
    if total is None:
        total = sum(float(i.get("price", 0)) for i in order.get("items") or [])
    return abs(float(total) - amount) <= 1.0


def _candidates(description: OrderDescription, orders: list[Order], statuses: tuple[str, ...]) -> list[Order]:
    """The orders that fit one description, best evidence first; status words and the operation's
    statuses narrow only among orders that fit otherwise."""
    if not description.evidence:
        return [o for o in orders if not statuses or o.get("status") in statuses]
    fits = _fitting(description, orders) or (_coverage(description, orders) if not description.places else [])
    if description.amount is not None:
        fits = [o for o in fits if _amount_fits(o, description.amount)]
    fits = _narrow(fits, description.statuses)
    if description.rank is not None and fits:
        return [fits[description.rank]]
    return _narrow(fits, statuses)


def _spread(description: OrderDescription, orders: list[Order], statuses: tuple[str, ...]) -> list[Order]:
    """Items named across several orders ('return the umbrella and the watch', 'both tablets,
    which came separately'): the orders, when each item is in exactly one of them (an item named in
    the plural may be in several, one each)."""
    chosen: list[Order] = []
    for name in description.items:
        holding = _narrow(_narrow([o for o in orders if _holds_all(o, (name,))], description.statuses), statuses)
        several_in_one = any(_units_of(o, name) > 1 for o in holding)
        if len(holding) != 1 and not (name in description.plural_items and len(holding) > 1 and not several_in_one):
            return []
        chosen.extend(o for o in holding if o not in chosen)
    return chosen if len(chosen) > 1 else []


def _holds_counted(order: Order, description: OrderDescription) -> bool:
    """The order holds every item named, and several of each named in the plural ('both tablets')."""
    return _holds_all(order, description.items) and all(_units_of(order, n) > 1 for n in description.plural_items)


def _units_of(order: Order, name: str) -> int:
    return sum(1 for i in order.get("items") or [] if i.get("name") == name)


def _segments(text: str) -> list[str]:
    """The request's words cut where another order is named: 'the order with X and the one to Y'."""
    cuts = [m.start() for m in _NEXT_ORDER.finditer(fold(text))]
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if text[a:b].strip()]


def _several(text: str, orders: list[Order], statuses: tuple[str, ...]) -> list[Order]:
    """Each order-naming segment fits exactly one order, and they differ: all of them."""
    segments = _segments(text)
    if len(segments) < 2:
        return []
    chosen: list[Order] = []
    for segment in segments:
        description = _plain_description(segment, orders)
        if not (description.items or description.places or description.amount is not None):
            return []
        found = _candidates(description, orders, statuses)
        if len(found) != 1 or found[0] in chosen:
            return []
        chosen.append(found[0])
    return chosen


def resolve(
    text: str, orders: list[Order], statuses: tuple[str, ...] = (), *, many: bool = False, status_words: bool = True
) -> Resolution:
    """The orders `text` describes among the customer's `orders` (the list tool's order). With
    `many`, a request may mean several orders ('cancel the kettle order and the blender one')."""
    description = describe(text, orders, status_words=status_words)
    pool = [o for o in orders if o["order_id"] not in description.excluded]
    if many:
        positive, _ = split_negative(text)
        several = _several(positive, pool, statuses)
        if not several and description.items and not description.places and not _fitting(description, pool):
            several = _spread(description, pool, statuses)
        if several:
            return Resolution(order_ids=[o["order_id"] for o in several], description=description)
    found = _candidates(description, pool, statuses)
    if len(found) > 1 and many and description.plural_items and not description.places:
        spread = _spread(description, pool, statuses)
        if spread:
            return Resolution(order_ids=[o["order_id"] for o in spread], description=description)
    if len(found) == 1:
        return Resolution(order_ids=[found[0]["order_id"]], description=description)
    return Resolution(candidates=[o["order_id"] for o in found], description=description)


def resolve_spread(text: str, orders: list[Order], statuses: tuple[str, ...]) -> Resolution:
    """The orders of items to act on named across several orders ('return the umbrella and the
    watch', which came separately; 'both tablets, from two deliveries'): each item in exactly one
    order of a fitting status (one named in the plural may be in several, one each), and no one
    order holding them all. Else no order: the request is resolved as one."""
    description = describe(text, orders)
    pool = [o for o in orders if o["order_id"] not in description.excluded]
    if (
        not description.items
        or description.places
        or any(_holds_counted(o, description) for o in _fitting(description, pool))
    ):
        return Resolution(description=description)
    spread = _spread(description, pool, statuses)
    return Resolution(order_ids=[o["order_id"] for o in spread], description=description)


# 'the order that had the laptop and the lamp', 'from my order with the espresso machine': items that
# say which order, not which items to act on.
def resolve_by_any_item(text: str, orders: list[Order], statuses: tuple[str, ...]) -> Resolution:
    """The narrower reading kept for requests that act on items: the one order of a fitting status
    holding an item the words name (never one they say to leave alone), or, when they name none,
    the only order of a fitting status. Until items that only describe an order, exceptions and
    kept items are told apart from the items to act on, a described order must not open the way
    to a write on the wrong items."""
    description = describe(text, orders)
    pool = _as_described(text, description, [o for o in orders if o["order_id"] not in description.excluded])
    in_status = [o for o in pool if not statuses or o.get("status") in statuses]
    fitting = [o for o in in_status if any(_holds_all(o, (name,)) for name in description.items)]
    if not fitting and description.items:
        # the one order holding the item, whatever its status: the playbook then says why it can't
        # act on it ('your yoga mat's order hasn't been delivered yet') instead of asking which order
        fitting = [o for o in pool if any(_holds_all(o, (name,)) for name in description.items)]
    if not fitting and not description.items and len(in_status) == 1:
        fitting = in_status
    if len(fitting) == 1:
        return Resolution(order_ids=[fitting[0]["order_id"]], description=description)
    return Resolution(candidates=[o["order_id"] for o in fitting], description=description)


def _as_described(text: str, description: OrderDescription, orders: list[Order]) -> list[Order]:
    """The orders that fit what the words say of the order itself (every item of one of its
    describing phrases, 'from my order with the laptop and the lamp'; the destination named, 'the
    one that went to Denver') and hold every item the request acts on. Where the words say nothing
    of the order itself, the orders as they were: the items to act on decide."""
    names = sorted({str(i.get("name", "")) for o in orders for i in o.get("items") or [] if i.get("name")})
    phrases = [tuple(dict.fromkeys(m.name for m in matching.item_mentions(p, names))) for p in describing_phrases(text)]
    phrases = [items for items in phrases if items]
    if not (phrases or description.places):
        return orders
    fits = [o for o in orders if not phrases or any(_holds_all(o, items) for items in phrases)]
    if description.places:
        fits = [o for o in fits if o["order_id"] in description.places]
    # 'the blue earbuds from the order with the bookshelf' when that order holds no earbuds: no order
    # fits, and the customer is asked, rather than another blue item of that order being picked
    acted = tuple(dict.fromkeys(m.name for m in matching.item_mentions(acted_on_text(text), names)))
    return [o for o in fits if _holds_all(o, acted)]


# 'everything else', 'the rest', 'all the other things': what is left once the kept items are out
THE_REST = re.compile(
    r"\b(?:everything|all|anything)\s+else\b|\bthe\s+rest\b|\ball\s+(?:of\s+)?the\s+other(?:s|\s+(?:items|things))\b|"
    r"\btout\s+le\s+reste\b|\balles\s+andere\b|\bden\s+rest\b|\btodo\s+lo\s+dem[aá]s\b|\bel\s+resto\b|"
    r"\btutto\s+il\s+resto\b|\bil\s+resto\b|\btodo\s+o\s+resto\b|\bo\s+resto\b",
    re.IGNORECASE,
)
# 'from both deliveries', 'from all my orders': every delivered order (both: exactly two of them)
SEVERAL_DELIVERIES = re.compile(
    r"\b(?P<q>both|all|each|every|the\s+two)\s+(?:of\s+)?(?:my\s+|the\s+|your\s+)?"
    r"(?:orders|deliveries|shipments|packages|parcels|boxes|order|delivery)\b|\bfrom\s+(?P<q2>both)\b",
    re.IGNORECASE,
)
