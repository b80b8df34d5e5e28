"""Writing reply sentences: templates filled with amounts, items and payment methods, in the
ticket's language where a template exists."""

from __future__ import annotations

import re
from typing import Any

from offline_model.replies.templates import EN, PAYMENT_WORDS, REASONS, STATUSES, TEMPLATES


def money(amount: float) -> str:
    """'$152.45', '$1204.50': written as the store writes amounts, without a thousands separator,
    so the figure reads the same as on the invoice and in the order's payment history."""
    return f"${amount:.2f}"


def say(key: str, lang: str = "en", **params: Any) -> str:
    """One sentence from the templates; English when the language lacks it."""
    templates = TEMPLATES.get(lang, EN)
    localised = key in templates
    template = templates[key] if localised else EN[key]
    if localised and lang != "en":
        params = _localise(params, lang)
    if "reason" in params and "reason_local" not in params:
        params["reason_local"] = REASONS.get(lang if localised else "en", REASONS["en"]).get(
            params["reason"], params["reason"]
        )
    return template.format(**params)


def _localise(params: dict[str, Any], lang: str) -> dict[str, Any]:
    out = dict(params)
    statuses = STATUSES.get(lang, {})
    if isinstance(out.get("status"), str) and out["status"] in statuses:
        out["status"] = f"{statuses[out['status']]} ({out['status']})"
    words = PAYMENT_WORDS.get(lang, {})
    for name in ("method", "old_method", "methods", "original", "first"):
        value = out.get(name)
        if isinstance(value, str):
            for english, local in words.items():
                value = value.replace(english, local)
            out[name] = value
    for name in ("item", "items"):
        # item_label writes 'the Yoga Mat': the English article does not belong in another language
        if isinstance(out.get(name), str):
            out[name] = _ENGLISH_ARTICLE.sub(r"\1", out[name])
    return out


_ENGLISH_ARTICLE = re.compile(r"(^|\s)the (?=\S)")


def join_words(parts: list[str], lang: str = "en") -> str:
    conjunction = {"en": "and", "es": "y", "fr": "et", "de": "und", "pt": "e", "it": "e"}.get(lang, "and")
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {conjunction} " + parts[-1]


def item_label(item: dict[str, Any], with_options: bool = False) -> str:
    name = f"the {item.get('name', 'item')}"
    if with_options and item.get("options"):
        return f"{name} ({', '.join(str(v) for v in item['options'].values())})"
    return name


def address_text(address: dict[str, str]) -> str:
    parts = [address.get("address1", ""), address.get("address2", ""), address.get("city", "")]
    region = " ".join(p for p in [address.get("state", ""), address.get("zip", "")] if p)
    return ", ".join(p for p in [*parts, region, address.get("country", "")] if p)


def letter(paragraphs: list[str], lang: str, name: str | None) -> str:
    """Greeting, the paragraphs, and the closing."""
    greeting = say("greeting", lang, name=name) if name else say("greeting_anonymous", lang)
    body = "\n\n".join(p.strip() for p in paragraphs if p and p.strip())
    return f"{greeting}\n\n{body}\n\n{say('closing', lang)}"
