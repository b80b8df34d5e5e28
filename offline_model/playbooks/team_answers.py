"""Questions no built-in playbook knows, answered from what the specialist's own tools read.

A specialist added in YAML ("Loyalty Specialist ... get_payment_methods") gets the questions its
role and goal fit. It reads what its granted tools can read about the customer (and about an order
the question names), then answers with the figures the question asks for: the fields of the tool
results whose names the question uses ("balance", "price", "status"), taken from the records whose
other words the question uses ("gift card"). Nothing fits: a question back, never a guess."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from offline_model.playbooks.facts import WRITE_TOOLS
from offline_model.playbooks.steps import Context, Step, Unit, result
from offline_model.protocol import ToolCall
from offline_model.replies.render import say
from offline_model.understanding import extract
from offline_model.understanding.text import fold, words

# Reads a specialist may be granted, by what they take.
CUSTOMER_READS = ("get_payment_methods", "get_customer_details", "list_customer_orders")
ORDER_READS = ("get_order_details", "get_order_payments", "get_invoice")
_MONEY_KEYS = re.compile(r"balance|price|amount|total|paid|refunded|net|subtotal")
_STOPWORDS = frozenset(
    words(
        "the a an my your our of on in for to is are was what whats what's how much many left do does did i me "
        "please can could you tell there any have has with and or it this that"
    )
)


@dataclass(frozen=True)
class Figure:
    """One field of one record of a tool result, with the words that describe the record."""

    key: str
    value: Any
    record_words: frozenset[str]
    label: str


def answer_from_tools(unit: Unit, ctx: Context) -> Step:
    reads = _reads(unit, ctx)
    missing = [call for call in reads if not ctx.facts.calls(call.name, **call.arguments)]
    if missing:
        return Step(reads=missing)
    results = [ctx.facts.last(call.name, **call.arguments) for call in reads]
    data = [exchange.data for exchange in results if exchange is not None and _ok(exchange.data)]
    figures = best_figures(unit.text, data)
    if not figures:
        return Step(result=result(unit, "needs_info", say("team.not_found", ctx.language), "no figure fits"))
    lines = [f"{figure.label}: {figure.key.replace('_', ' ')} {_show(figure.key, figure.value)}" for figure in figures]
    return Step(result=result(unit, "answered", say("team.answer", ctx.language, lines="; ".join(lines)), "answered"))


def _reads(unit: Unit, ctx: Context) -> list[ToolCall]:
    calls = [
        ToolCall(tool, {"customer_id": ctx.facts.customer_id})
        for tool in CUSTOMER_READS
        if ctx.has(tool) and ctx.facts.customer_id
    ]
    for order_id in extract.order_ids(unit.text):
        calls += [ToolCall(tool, {"order_id": order_id}) for tool in ORDER_READS if ctx.has(tool)]
    return calls


def readable(tools: list[str]) -> bool:
    """Whether a coworker can read anything to answer from (writes and hand-overs are not reads)."""
    return any(t in CUSTOMER_READS or t in ORDER_READS for t in tools if t not in WRITE_TOOLS)


def _ok(data: Any) -> bool:
    return isinstance(data, dict) and "error" not in data


def best_figures(question: str, results: list[Any]) -> list[Figure]:
    """The fields the question names, from the records that best fit the question's other words."""
    asked = {w for w in (fold(w) for w in words(question)) if w not in _STOPWORDS}
    figures = [f for data in results for f in _figures(data, ())]
    named = [f for f in figures if _key_words(f.key) & asked]
    if not named:
        return []
    score = {id(f): len(f.record_words & asked) for f in named}
    top = max(score.values())
    return [f for f in named if score[id(f)] == top]


def _figures(data: Any, path: tuple[str, ...]) -> list[Figure]:
    """Every scalar field of every record (JSON object) in a tool result."""
    if isinstance(data, list):
        return [f for item in data for f in _figures(item, path)]
    if not isinstance(data, dict):
        return []
    scalars = {k: v for k, v in data.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    record_words = frozenset(
        w for k, v in scalars.items() for w in (*_key_words(k), *_key_words(str(v))) if w not in _STOPWORDS
    ) | frozenset(w for p in path for w in _key_words(p))
    label = _label(scalars, path)
    out = [Figure(k, v, record_words, label) for k, v in scalars.items()]
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            out += _figures(value, (*path, key))
    return out


def _key_words(text: str) -> set[str]:
    """'gift_card' -> {'gift', 'card'}; 'balance' -> {'balance'}; plural keys count singular too."""
    out = {fold(w) for w in re.split(r"[\W_]+", text) if w and not w.isdigit()}
    return out | {w[:-1] for w in out if w.endswith("s") and len(w) > 3}


def _label(scalars: dict[str, Any], path: tuple[str, ...]) -> str:
    for key in ("name", "brand", "source", "order_id", "id"):
        if key in scalars:
            text = str(scalars[key]).replace("_", " ")
            if key == "brand" and "last_four" in scalars:
                text += f" ending in {scalars['last_four']}"
            return f"Your {text}" if key in ("source", "brand") else text
    return path[-1].replace("_", " ") if path else "Your account"


def _show(key: str, value: Any) -> str:
    if isinstance(value, (int, float)) and _MONEY_KEYS.search(key):
        return f"${value:,.2f}"
    return str(value)
