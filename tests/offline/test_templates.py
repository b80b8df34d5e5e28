"""The reply templates: every language has exactly the keys of English, each with the same
placeholders, so a reply never switches to English mid-letter and no figure is dropped."""

from __future__ import annotations

import string

import pytest

from offline_model.replies import templates
from offline_model.replies.render import say
from offline_model.replies.templates import EN, TEMPLATES


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


OTHER_LANGUAGES = sorted(lang for lang in TEMPLATES if lang != "en")


def test_the_six_languages_are_there() -> None:
    assert set(TEMPLATES) == {"en", "es", "fr", "de", "pt", "it"}
    assert TEMPLATES["en"] is EN
    for name in ("ES", "FR", "DE", "PT", "IT", "PAYMENT_WORDS", "REASONS", "STATUSES"):
        assert hasattr(templates, name)


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_language_has_exactly_the_english_keys(lang: str) -> None:
    keys = set(TEMPLATES[lang])
    assert sorted(set(EN) - keys) == [], f"{lang} lacks these"
    assert sorted(keys - set(EN)) == [], f"{lang} has keys English does not"


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_template_keeps_the_english_placeholders(lang: str) -> None:
    different = {
        key: (sorted(_placeholders(text)), sorted(_placeholders(EN[key])))
        for key, text in TEMPLATES[lang].items()
        if key in EN and _placeholders(text) != _placeholders(EN[key])
    }
    assert different == {}


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_a_leading_space_is_kept(lang: str) -> None:
    """Sentences appended to another one ('... can't be returned.' + ' As it ...') start with a space."""
    for key, text in EN.items():
        assert text.startswith(" ") == TEMPLATES[lang][key].startswith(" "), (lang, key)


@pytest.mark.parametrize("lang", sorted(TEMPLATES))
def test_every_template_fills_with_its_placeholders(lang: str) -> None:
    for key, text in TEMPLATES[lang].items():
        params = {name: f"<{name}>" for name in _placeholders(text)}
        filled = say(key, lang, **params)
        for name in params:
            if name not in {"status", "method", "old_method", "methods", "original", "first", "reason_local"}:
                assert f"<{name}>" in filled, (lang, key, name)


def test_figures_and_localised_words_reach_the_sentence() -> None:
    line = say("return.done", "de", items="the Fleece Jacket", order="#W1", amount="$52.40", method="your gift card")
    assert "$52.40" in line and "#W1" in line and "Ihre Geschenkkarte" in line and "Rücksendung" in line
    assert "the Fleece" not in line and "von Fleece Jacket" in line
    line = say("cancel.done", "en", order="#W2", reason="ordered by mistake")
    assert line == "Your order #W2 has been cancelled (reason: ordered by mistake)."
    line = say("payment.which", "es", order="#W3", methods="Visa ending in 1234, PayPal account y gift card")
    assert "Visa terminada en 1234, cuenta de PayPal y tarjeta regalo" in line
