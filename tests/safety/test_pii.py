"""PII corpus: no protected value survives redaction (in any spacing), and the store's own
numbers (order ids, item ids, tracking ids, prices, zips, dates) are never mangled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from safety.pii import Redactor, clean_reply, contains_value, leaked, redact, redact_for_log
from safety.policy import PiiPolicy

# (text, protected values, kinds expected). Card numbers are Luhn-valid test numbers; ids pass
# their national check digits.
CORPUS = [
    ("my card number is 4539 1488 0346 8726, thanks", ["4539148803468726"], {"CARD"}),
    ("charge 4716293055165490 exp 09/27 cvv 123", ["4716293055165490", "09/27", "123"], {"CARD", "CARD_EXPIRY", "CVV"}),
    ("Amex 3714-496353-98431 and MC 5555-5555-5555-4444", ["371449635398431", "5555555555554444"], {"CARD"}),
    ("card: 4111111111111111 12/2026", ["4111111111111111", "12/2026"], {"CARD", "CARD_EXPIRY"}),
    ("Visa 4012 8888 8888 1881, security code: 987", ["4012888888881881", "987"], {"CARD", "CVV"}),
    ("my SSN is 536-22-1234 if you need it", ["536-22-1234"], {"NATIONAL_ID"}),
    ("social security number 536221234", ["536221234"], {"NATIONAL_ID"}),
    ("DNI 12345678Z y NIE X1234567L", ["12345678Z", "X1234567L"], {"NATIONAL_ID"}),
    ("codice fiscale RSSMRA85T10A562S", ["RSSMRA85T10A562S"], {"NATIONAL_ID"}),
    ("NI number AB 12 34 56 C", ["AB 12 34 56 C"], {"NATIONAL_ID"}),
    ("passport number X12345678 expires soon", ["X12345678"], {"NATIONAL_ID"}),
    ("call me at (415) 555-2671 or 415.555.2671", ["4155552671"], {"PHONE"}),
    ("my mobile: +44 20 7946 0958", ["+44 20 7946 0958"], {"PHONE"}),
    ("phone 2125550199 after 5pm", ["2125550199"], {"PHONE"}),
    ("Mon portable : +33 6 12 34 56 78", ["+33 6 12 34 56 78"], {"PHONE"}),
    ("IBAN DE89 3704 0044 0532 0130 00 please", ["DE89370400440532013000"], {"IBAN"}),
    ("refund to GB82WEST12345698765432", ["GB82WEST12345698765432"], {"IBAN"}),
    ("my password is hunter2. my PIN is 4321", ["hunter2", "4321"], {"SECRET"}),
    ("api key: sk-live-abc123XYZ, one-time code = 845512", ["sk-live-abc123XYZ", "845512"], {"SECRET"}),
]

UNTOUCHED = [
    "Order #W3323013 (tracking 357962501027) has items 6469567736 and 8426249116.",
    "I paid $6,947.14 on 2024-05-01 and $1,234.56 on 05/01/2024; zip 75212, ZIP 19093.",
    "Product 8310926033, 1000ml, size 12, 80% layout, 20-hour battery, version 2.0.1.",
    "100 Elm Street, Suite 120, New York, NY 10171, USA",
    "Gift card gift_card_1725971 and credit_card_7815826 ending in 9212.",
    "the charging pin is bent and the app said error 404",
]


@pytest.mark.parametrize(("text", "values", "kinds"), CORPUS, ids=[c[0][:30] for c in CORPUS])
def test_no_protected_value_survives_redaction(text, values, kinds):
    redaction = redact(text)
    assert redaction.kinds == kinds
    for value in values:
        assert not contains_value(redaction.text, value), f"{value!r} survived: {redaction.text!r}"
    assert leaked(text, redaction)  # the originals are kept (for the reply scrubber), just not in the text


@pytest.mark.parametrize("text", UNTOUCHED)
def test_store_numbers_are_not_mangled(text):
    assert redact(text).text == text
    assert redact_for_log(text) == text


def test_same_value_same_placeholder_across_a_ticket():
    redactor = Redactor()
    body = redactor.redact("card 4539 1488 0346 8726, phone (415) 555-2671")
    thread = redactor.redact("again: 4539-1488-0346-8726 and 4716293055165490")
    assert body.text == "card [CARD_1], phone [PHONE_1]"
    assert thread.text == "again: [CARD_1] and [CARD_2]"


def test_pii_cases_of_the_evaluation_set(all_cases):
    """Every reply_excludes value of the pii cases is gone from what the model sees, and the reply
    scrubber removes it from a reply that repeats it in any spelling."""
    cases = [c for c in all_cases if "pii" in c.tags]
    assert cases
    for case in cases:
        redaction = Redactor().redact(case.body)
        for value in case.expected.reply_excludes:
            assert value not in redaction.text
            careless = f"Thanks! I see your card {value}; order status follows."
            assert value not in clean_reply(careless, redaction)


def test_no_pii_found_in_ordinary_tickets(all_cases):
    hits = {c.id: redact(f"{c.subject or ''}\n{c.body}").kinds for c in all_cases}
    assert {cid for cid, kinds in hits.items() if kinds} == {c.id for c in all_cases if "pii" in c.tags}


def test_emails_kept_for_tools_masked_in_logs():
    text = "I'm jane.doe@example.com, card 4539148803468726"
    assert "jane.doe@example.com" in redact(text).text
    hidden = redact(text, PiiPolicy(emails="placeholder"))
    assert hidden.text == "I'm [EMAIL_1], card [CARD_1]"
    assert hidden.restore("find_customer_by_email([EMAIL_1])") == "find_customer_by_email(jane.doe@example.com)"
    assert "4539148803468726" not in hidden.restore(hidden.text)  # only e-mails come back, for tools

    event = {
        "event": "tool_call",
        "arguments": {"email": "jane.doe@example.com"},
        "result": json.dumps({"email": "jane.doe@example.com", "card": "4539 1488 0346 8726"}),
        "usage": {"prompt_tokens": 120},
        "headers": [{"api_key": "sk-123"}],
        "note": None,
    }
    logged = redact_for_log(event)
    assert logged["arguments"]["email"] == "j***@example.com"
    assert "jane.doe" not in json.dumps(logged) and "4539" not in json.dumps(logged)
    assert logged["usage"] == {"prompt_tokens": 120} and logged["headers"] == [{"api_key": "[REDACTED]"}]
    assert logged["note"] is None


def test_tool_results_from_the_store_pass_unchanged():
    data = Path(__file__).resolve().parents[2] / "sandbox_store" / "data"
    orders = json.loads((data / "orders.json").read_text())
    sample = dict(list(orders.items())[:60])
    assert redact_for_log(sample) == sample
    assert redact_for_log(json.dumps(sample)) == json.dumps(sample)


def test_detectors_can_be_switched_off():
    policy = PiiPolicy(detectors={"phone": False})
    assert redact("call (415) 555-2671", policy).text == "call (415) 555-2671"
    assert redact("card 4539148803468726", policy).text == "card [CARD_1]"
    assert redact("card 4539148803468726", PiiPolicy(placeholder="<{kind}#{n}>")).text == "card <CARD#1>"
