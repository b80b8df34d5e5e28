"""Playbooks that answer rather than change: product questions from the catalog, troubleshooting
and policy questions from the knowledge base, and hand-overs to a human."""

from __future__ import annotations

import re
from typing import Any

from offline_model.playbooks.facts import MAX_ATTEMPTS
from offline_model.playbooks.steps import (
    Context,
    Step,
    Unit,
    customer_orders,
    need_order,
    result,
    which_order,
    write_step,
)
from offline_model.protocol import ToolCall
from offline_model.replies.render import item_label, join_words, money, say
from offline_model.schema import RequestResult
from offline_model.understanding import descriptions, extract, intents, matching
from offline_model.understanding.options import describe
from offline_model.understanding.text import fold


def product_question(unit: Unit, ctx: Context) -> Step:
    found = _products_in_order(unit, ctx)
    if isinstance(found, Step):
        return found
    product_ids, base = found
    if not product_ids and ctx.has("search_products"):
        searched = _products_from_search(unit, ctx)
        if isinstance(searched, Step):
            return searched
        product_ids = searched
    if not product_ids:
        listed = _products_from_catalog(unit, ctx)
        if isinstance(listed, Step):
            return listed
        product_ids = listed
    if not product_ids:
        return Step(
            result=result(
                unit,
                "needs_info",
                say("product.unknown", ctx.language, what="the product you mean"),
                "product not recognised",
            )
        )
    missing = [
        ToolCall("get_product_details", {"product_id": pid})
        for pid in product_ids
        if pid not in ctx.facts.products and pid not in ctx.facts.product_errors
    ]
    if missing:
        return Step(reads=missing)
    lines: list[str] = []
    for pid in product_ids:
        product = ctx.facts.products.get(pid)
        if product is not None:
            lines.extend(_product_lines(unit, ctx, product, base))
    if not lines:
        return Step(result=result(unit, "failed", say("failed", ctx.language), "product details unavailable"))
    return Step(result=result(unit, "answered", " ".join(lines), "product question answered"))


def _products_in_order(unit: Unit, ctx: Context) -> Step | tuple[list[str], dict[str, str] | None]:
    """The products of the unit's order that the text names, with the options of the first such
    item (the version the customer owns); the read of the order while it is not known yet."""
    base: dict[str, str] | None = None
    product_ids: list[str] = []
    if not (unit.order_id and ctx.facts.customer_id):
        return product_ids, base
    order = need_order(unit, ctx)
    if isinstance(order, Step):
        if order.result is None:
            return order
        return product_ids, base
    items = order.get("items") or []
    mentioned = matching.item_mentions(unit.text, [i.get("name", "") for i in items])
    for mention in mentioned:
        item = next(i for i in items if i.get("name") == mention.name)
        if item.get("product_id") not in product_ids:
            product_ids.append(item["product_id"])
            base = base or dict(item.get("options") or {})
    return product_ids, base


def _products_from_search(unit: Unit, ctx: Context) -> Step | list[str]:
    """The products a catalog search for the text finds, or the search to make."""
    search = ctx.facts.settled("search_products", query=unit.text)
    if search is None:
        return Step(reads=[ToolCall("search_products", {"query": unit.text})])
    hits = [p for p in (search.data or {}).get("products") or [] if isinstance(p, dict)] if search.ok else []
    named = [m.name for m in matching.item_mentions(unit.text, [p.get("name", "") for p in hits])]
    # the names the words match best; else every product the search found in them
    return [p["product_id"] for p in hits if p.get("name") in named] or [p["product_id"] for p in hits]


def _products_from_catalog(unit: Unit, ctx: Context) -> Step | list[str]:
    """The product types the text names, or the step that lists them (or ends the unit when the
    list can't be had)."""
    if ctx.facts.product_types is None:
        if not ctx.has("list_product_types"):
            return Step(result=result(unit, "failed", say("failed", ctx.language), "list_product_types not granted"))
        if len(ctx.facts.calls("list_product_types")) >= MAX_ATTEMPTS:
            return Step(result=result(unit, "failed", say("failed", ctx.language), "catalog lookup keeps failing"))
        return Step(reads=[ToolCall("list_product_types", {})])
    product_ids: list[str] = []
    names = [p.get("name", "") for p in ctx.facts.product_types]
    for mention in matching.item_mentions(unit.text, names):
        product = next(p for p in ctx.facts.product_types if p.get("name") == mention.name)
        if product.get("product_id") not in product_ids:
            product_ids.append(product["product_id"])
    return product_ids


def _product_lines(unit: Unit, ctx: Context, product: dict[str, Any], base: dict[str, str] | None) -> list[str]:
    """The answer about one product: each version the text describes with its price and stock,
    or, past four versions, their count and price range."""
    found = matching.matching_variants(unit.text, product, base)
    name = product.get("name", "product")
    if not found.ok:
        return [say("product.unknown", ctx.language, what=f"the {name} with {found.detail}")]
    variants = sorted(found.value, key=lambda v: (not v.get("available"), float(v.get("price", 0))))
    if len(variants) <= 4:
        return [_variant_line(ctx, name, variant) for variant in variants]
    in_stock = [v for v in variants if v.get("available")]
    if in_stock and len(in_stock) <= _LISTED_IN_STOCK and _ASKS_WHAT_IS_IN_STOCK.search(fold(unit.text)):
        # 'which ones do you have in stock, and what do they cost?': each of them, with its price
        return [_variant_line(ctx, name, variant) for variant in in_stock]
    prices = [float(v.get("price", 0)) for v in variants]
    keys = join_words(sorted({k for v in variants for k in (v.get("options") or {})}))
    return [
        say(
            "product.many",
            ctx.language,
            product=name,
            count=len(variants),
            # 'how many do you have in stock' is the question behind most such answers
            in_stock=sum(1 for v in variants if v.get("available")),
            low=money(min(prices)),
            high=money(max(prices)),
            keys=keys,
        )
    ]


_LISTED_IN_STOCK = 8
_ASKS_WHAT_IS_IN_STOCK = re.compile(
    r"\b(?:which|what)\s+(?:ones|versions|options|models|colou?rs|sizes|kinds|types)\b[^.?!]{0,60}"
    r"\b(?:in\s+stock|available|have|carry|sell)\b|\b(?:which|what)\b[^.?!]{0,40}\b(?:in\s+stock|available)\b|"
    r"\b(?:quais|cuales|lesquel\w+|welche|quali)\b[^.?!]{0,60}\b(?:estoque|stock|disponib\w+|lager|verfugbar)"
)


def _variant_line(ctx: Context, name: str, variant: dict[str, Any]) -> str:
    return say(
        "product.variant",
        ctx.language,
        product=name,
        options=describe(variant.get("options") or {}),
        price=money(float(variant.get("price", 0))),
        availability=say("product.available" if variant.get("available") else "product.unavailable", ctx.language),
    )


def paid_question(unit: Unit, ctx: Context) -> Step | None:
    """What the customer paid for the items they name - or what returning them would refund, the
    same figure -, from their orders as the tools give them: the order they describe (its items,
    destination, status, rank), or the one order holding the items. None when the question names no
    item of the order meant: the order's own payments answer it then."""
    found = _orders_asked_about(unit, ctx)
    if isinstance(found, Step):
        return found
    orders, candidates, described = found
    priced = [(order, picked) for order in orders if (picked := _items_named(unit.text, order))[0]]
    if not priced:
        if unit.order_id or not described:
            return None  # the order's payments answer it
        if len(orders) == 1:
            unit.order_id = orders[0]["order_id"]
            return None
        return Step(result=which_order(unit, ctx, candidates or [o["order_id"] for o in orders], orders))
    plural = any(m.plural or m.quantifier for _, items in priced for m in items[1])
    if len(priced) > 1 and not plural:
        return Step(result=which_order(unit, ctx, [o["order_id"] for o, _ in priced], orders))
    lines = [_paid_line(ctx, order["order_id"], item) for order, (items, _) in priced for item in items]
    total = round(sum(float(item.get("price", 0)) for _, (items, _) in priced for item in items), 2)
    if len(lines) > 1:
        lines.append(say("billing.items_total", ctx.language, total=money(total)))
    detail = f"paid {money(total)} for items of {', '.join(o['order_id'] for o, _ in priced)}"
    return Step(result=result(unit, "answered", " ".join(lines), detail))


def _paid_line(ctx: Context, order_id: str, item: dict[str, Any]) -> str:
    price = money(float(item.get("price", 0)))
    return say("billing.item", ctx.language, price=price, item=item_label(item), order=order_id)


def _orders_asked_about(unit: Unit, ctx: Context) -> Step | tuple[list[dict[str, Any]], list[str], bool]:
    """The orders a figure question may be about: its order, the one(s) it describes, or those that
    fit equally (to look for the items named), with the candidates when several fit and whether
    the words describe an order at all."""
    if unit.order_id:
        order = need_order(unit, ctx)
        if isinstance(order, Step):
            return order
        return [order], [], True
    listed = customer_orders(unit, ctx)
    if isinstance(listed, Step):
        return listed
    found = descriptions.resolve(unit.text, listed, (), many=True)
    ids = found.order_ids or found.candidates
    if not ids:
        # no order told apart by the words: the items named are looked for in every order
        return list(listed), [], found.description.evidence
    return [o for o in listed if o["order_id"] in ids], found.candidates, found.description.evidence


def _items_named(text: str, order: dict[str, Any]) -> tuple[list[dict[str, Any]], list[matching.ItemMention]]:
    """The order's items the text names (by name, then told apart by their options), with the mentions."""
    items = list(order.get("items") or [])
    mentions = matching.item_mentions(text, [str(i.get("name", "")) for i in items])
    if not mentions:
        return ([], [])
    picked = matching.select_items(text, items)
    return (list(picked.value), mentions) if picked.ok else ([], [])


def troubleshooting(unit: Unit, ctx: Context) -> Step:
    return _from_knowledge(unit, ctx, "trouble.answer", "trouble.none")


def policy_question(unit: Unit, ctx: Context) -> Step:
    return _from_knowledge(unit, ctx, "policy.answer", "policy.none")


def _from_knowledge(unit: Unit, ctx: Context, answer_key: str, none_key: str) -> Step:
    """Answer from the knowledge base, citing the document; without a passage, a human takes it."""
    if not ctx.has("search_knowledge_base"):
        return Step(
            result=result(
                unit,
                "failed",
                say("failed", ctx.language),
                "search_knowledge_base not granted",
                reroute="search_knowledge_base",
            )
        )
    query = knowledge_query(unit.text)
    done = ctx.facts.settled("search_knowledge_base", query=query)
    if done is None:
        return Step(reads=[ToolCall("search_knowledge_base", {"query": query, "top_k": 3})])
    data = done.data if isinstance(done.data, dict) else {}
    passages = [p for p in data.get("passages") or [] if isinstance(p, dict) and p.get("text")]
    if not passages:
        return escalate(
            Unit(unit.number, intents.REVIEW, unit.order_id, unit.text),
            ctx,
            reason=f"no knowledge-base answer for a {intents.LABELS[unit.intent]}",
            reply_key=none_key,
        )
    best = passages[0]
    steps = _passage_steps(str(best.get("text", "")))
    reply = say(answer_key, ctx.language, title=best.get("title") or best.get("document", "our guide"), steps=steps)
    reply += " " + say("trouble.source", ctx.language, document=best.get("document") or best.get("title", ""))
    return Step(
        result=result(unit, "answered", reply, f"answered from {best.get('document')}", source=best.get("document"))
    )


def _passage_steps(text: str, count: int = 4) -> str:
    """The first steps of a guide's passage: its bullet or numbered lines kept as a list, else its
    first sentences."""
    lines = [re.sub(r"^#+\s*", "", line).strip() for line in text.strip().splitlines()]
    steps = [re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", line) for line in lines if re.match(r"^(?:[-*•]|\d+[.)])\s+", line)]
    if steps:
        return "\n" + "\n".join(f"- {step}" for step in steps[:count])
    cleaned = " ".join(" ".join(lines).split())
    return " ".join(re.split(r"(?<=[.!?])\s+", cleaned)[:count])


def knowledge_query(text: str) -> str:
    """The customer's words without ids, addresses and pleasantries: what the search should match."""
    kept = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        cleaned = _EMAIL_OR_ID.sub(" ", sentence).strip(" -,")
        if len(cleaned.split()) >= 3 and not _PLEASANTRY.match(cleaned):
            kept.append(cleaned)
    query = " ".join(" ".join(kept).split()) or " ".join(text.split())
    return query[:400]


_EMAIL_OR_ID = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|#?\bW\d{7}\b|\border\b", re.IGNORECASE)
_PLEASANTRY = re.compile(
    r"^(?:hi|hello|hey|dear|thanks|thank\s+you|regards|best|cheers|kind\s+regards|sincerely)\b", re.IGNORECASE
)


_ESCALATION = {
    intents.HUMAN: ("customer asked for a human agent", "normal", "escalated.human"),
    intents.ABUSE: ("abusive message", "high", "escalated.abuse"),
    intents.LEGAL: ("legal threat", "high", "escalated.legal"),
    intents.SAFETY: ("product safety issue (overheating, smoke, fire, shock or injury)", "urgent", "escalated.safety"),
    intents.REVIEW: ("could not be handled automatically", "normal", "escalated.other"),
}


def escalate(unit: Unit, ctx: Context, reason: str | None = None, reply_key: str | None = None) -> Step:
    default_reason, priority, default_key = _ESCALATION.get(unit.intent, ("needs a human", "normal", "escalated.other"))
    reason = reason or default_reason
    key = reply_key or default_key
    if not ctx.has("escalate_to_human"):
        return Step(
            result=result(
                unit,
                "escalated",
                say(key, ctx.language),
                f"{reason} (escalate_to_human not granted)",
                escalation={"reason": reason, "priority": priority, "summary": _summary(unit, ctx, reason)},
            )
        )
    summary = _summary(unit, ctx, reason)
    call = ToolCall("escalate_to_human", {"reason": reason, "priority": priority, "summary": summary})

    def done(data: dict[str, Any]) -> RequestResult:
        return result(
            unit,
            "escalated",
            say(key, ctx.language),
            reason,
            escalation={"reason": reason, "priority": data.get("priority", priority), "summary": summary},
        )

    def error(err: dict[str, Any]) -> RequestResult:
        return result(
            unit,
            "escalated",
            say(key, ctx.language),
            f"{reason}; escalation tool failed: {err.get('message', '')}",
            escalation={"reason": reason, "priority": priority, "summary": summary},
        )

    return write_step(unit, ctx, call, None, done, error)


def _summary(unit: Unit, ctx: Context, reason: str) -> str:
    who = ctx.facts.customer_id or ctx.ticket.from_email or "unidentified customer"
    orders = ", ".join(extract.order_ids(ctx.ticket.customer_text)) or "none"
    subject = f" Subject: {ctx.ticket.subject}." if ctx.ticket.subject else ""
    excerpt = " ".join(unit.text.split())[:300]
    return f'{reason.capitalize()}. Customer: {who}. Orders mentioned: {orders}.{subject} Customer wrote: "{excerpt}"'
