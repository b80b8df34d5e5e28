"""Playbooks that answer rather than change: product questions from the catalog, troubleshooting
and policy questions from the knowledge base, and hand-overs to a human."""

from __future__ import annotations

import re
from typing import Any

from offline_model.playbooks.facts import MAX_ATTEMPTS
from offline_model.playbooks.steps import Context, Step, Unit, need_order, result, write_step
from offline_model.protocol import ToolCall
from offline_model.replies.render import join_words, money, say
from offline_model.schema import RequestResult
from offline_model.understanding import extract
from offline_model.understanding import intents as I
from offline_model.understanding import matching
from offline_model.understanding.options import describe


def product_question(unit: Unit, ctx: Context) -> Step:
    base: dict[str, str] | None = None
    product_ids: list[str] = []
    if unit.order_id and ctx.facts.customer_id:
        order = need_order(unit, ctx)
        if isinstance(order, Step):
            if order.result is None:
                return order
        else:
            items = order.get("items") or []
            mentioned = matching.item_mentions(unit.text, [i.get("name", "") for i in items])
            for mention in mentioned:
                item = next(i for i in items if i.get("name") == mention.name)
                if item.get("product_id") not in product_ids:
                    product_ids.append(item["product_id"])
                    base = base or dict(item.get("options") or {})
    if not product_ids and ctx.has("search_products"):
        search = ctx.facts.settled("search_products", query=unit.text)
        if search is None:
            return Step(reads=[ToolCall("search_products", {"query": unit.text})])
        hits = [p for p in (search.data or {}).get("products") or [] if isinstance(p, dict)] if search.ok else []
        named = [m.name for m in matching.item_mentions(unit.text, [p.get("name", "") for p in hits])]
        # the names the words match best; else every product the search found in them
        product_ids = [p["product_id"] for p in hits if p.get("name") in named] or [p["product_id"] for p in hits]
    if not product_ids:
        if ctx.facts.product_types is None:
            if not ctx.has("list_product_types"):
                return Step(result=result(unit, "failed", say("failed", ctx.language), "list_product_types not granted"))
            if len(ctx.facts.calls("list_product_types")) >= MAX_ATTEMPTS:
                return Step(result=result(unit, "failed", say("failed", ctx.language), "catalog lookup keeps failing"))
            return Step(reads=[ToolCall("list_product_types", {})])
        names = [p.get("name", "") for p in ctx.facts.product_types]
        for mention in matching.item_mentions(unit.text, names):
            product = next(p for p in ctx.facts.product_types if p.get("name") == mention.name)
            if product.get("product_id") not in product_ids:
                product_ids.append(product["product_id"])
    if not product_ids:
        return Step(result=result(unit, "needs_info", say("product.unknown", ctx.language, what="the product you mean"), "product not recognised"))
    missing = [ToolCall("get_product_details", {"product_id": pid}) for pid in product_ids
               if pid not in ctx.facts.products and pid not in ctx.facts.product_errors]
    if missing:
        return Step(reads=missing)
    lines: list[str] = []
    for pid in product_ids:
        product = ctx.facts.products.get(pid)
        if product is None:
            continue
        found = matching.matching_variants(unit.text, product, base)
        name = product.get("name", "product")
        if not found.ok:
            lines.append(say("product.unknown", ctx.language, what=f"the {name} with {found.detail}"))
            continue
        variants = sorted(found.value, key=lambda v: (not v.get("available"), float(v.get("price", 0))))
        if len(variants) <= 4:
            for variant in variants:
                lines.append(say("product.variant", ctx.language, product=name, options=describe(variant.get("options") or {}),
                                 price=money(float(variant.get("price", 0))),
                                 availability=say("product.available" if variant.get("available") else "product.unavailable", ctx.language)))
        else:
            prices = [float(v.get("price", 0)) for v in variants]
            keys = join_words(sorted({k for v in variants for k in (v.get("options") or {})}))
            lines.append(say("product.many", ctx.language, product=name, count=len(variants), low=money(min(prices)),
                             high=money(max(prices)), keys=keys))
    if not lines:
        return Step(result=result(unit, "failed", say("failed", ctx.language), "product details unavailable"))
    return Step(result=result(unit, "answered", " ".join(lines), "product question answered"))


def troubleshooting(unit: Unit, ctx: Context) -> Step:
    return _from_knowledge(unit, ctx, "trouble.answer", "trouble.none")


def policy_question(unit: Unit, ctx: Context) -> Step:
    return _from_knowledge(unit, ctx, "policy.answer", "policy.none")


def _from_knowledge(unit: Unit, ctx: Context, answer_key: str, none_key: str) -> Step:
    """Answer from the knowledge base, citing the document; without a passage, a human takes it."""
    if not ctx.has("search_knowledge_base"):
        return Step(result=result(unit, "failed", say("failed", ctx.language), "search_knowledge_base not granted",
                                   reroute="search_knowledge_base"))
    query = knowledge_query(unit.text)
    done = ctx.facts.settled("search_knowledge_base", query=query)
    if done is None:
        return Step(reads=[ToolCall("search_knowledge_base", {"query": query, "top_k": 3})])
    data = done.data if isinstance(done.data, dict) else {}
    passages = [p for p in data.get("passages") or [] if isinstance(p, dict) and p.get("text")]
    if not passages:
        return escalate(Unit(unit.number, I.REVIEW, unit.order_id, unit.text), ctx,
                        reason=f"no knowledge-base answer for a {I.LABELS[unit.intent]}", reply_key=none_key)
    best = passages[0]
    steps = _passage_steps(str(best.get("text", "")))
    reply = say(answer_key, ctx.language, title=best.get("title") or best.get("document", "our guide"), steps=steps)
    reply += " " + say("trouble.source", ctx.language, document=best.get("document") or best.get("title", ""))
    return Step(result=result(unit, "answered", reply, f"answered from {best.get('document')}", source=best.get("document")))


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
_PLEASANTRY = re.compile(r"^(?:hi|hello|hey|dear|thanks|thank\s+you|regards|best|cheers|kind\s+regards|sincerely)\b", re.IGNORECASE)


_ESCALATION = {
    I.HUMAN: ("customer asked for a human agent", "normal", "escalated.human"),
    I.ABUSE: ("abusive message", "high", "escalated.abuse"),
    I.LEGAL: ("legal threat", "high", "escalated.legal"),
    I.REVIEW: ("could not be handled automatically", "normal", "escalated.other"),
}


def escalate(unit: Unit, ctx: Context, reason: str | None = None, reply_key: str | None = None) -> Step:
    default_reason, priority, default_key = _ESCALATION.get(unit.intent, ("needs a human", "normal", "escalated.other"))
    reason = reason or default_reason
    key = reply_key or default_key
    if not ctx.has("escalate_to_human"):
        return Step(result=result(unit, "escalated", say(key, ctx.language), f"{reason} (escalate_to_human not granted)",
                                   escalation={"reason": reason, "priority": priority, "summary": _summary(unit, ctx, reason)}))
    summary = _summary(unit, ctx, reason)
    call = ToolCall("escalate_to_human", {"reason": reason, "priority": priority, "summary": summary})

    def done(data: dict[str, Any]) -> RequestResult:
        return result(unit, "escalated", say(key, ctx.language), reason,
                       escalation={"reason": reason, "priority": data.get("priority", priority), "summary": summary})

    def error(err: dict[str, Any]) -> RequestResult:
        return result(unit, "escalated", say(key, ctx.language), f"{reason}; escalation tool failed: {err.get('message', '')}",
                       escalation={"reason": reason, "priority": priority, "summary": summary})

    return write_step(unit, ctx, call, None, done, error)


def _summary(unit: Unit, ctx: Context, reason: str) -> str:
    who = ctx.facts.customer_id or ctx.ticket.from_email or "unidentified customer"
    orders = ", ".join(extract.order_ids(ctx.ticket.customer_text)) or "none"
    subject = f" Subject: {ctx.ticket.subject}." if ctx.ticket.subject else ""
    excerpt = " ".join(unit.text.split())[:300]
    return f"{reason.capitalize()}. Customer: {who}. Orders mentioned: {orders}.{subject} Customer wrote: \"{excerpt}\""
