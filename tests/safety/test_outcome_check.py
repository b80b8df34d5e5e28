"""The outcome check: a reply's claims must be backed by what the run really did."""

from __future__ import annotations

import pytest

from core.models import ActionRecord, ApprovalRecord, Escalation
from runner.outcome_check import check_reply, claims

CANCEL = {"order_id": "#W6348442", "reason": "no longer needed"}
DONE_CANCEL = ActionRecord(name="cancel_pending_order", arguments=CANCEL, status="done")
HELD_CANCEL = ActionRecord(
    name="cancel_pending_order", arguments=CANCEL, status="pending_approval", approval_id="apr-1"
)
APPROVAL = ApprovalRecord(
    id="apr-1", operation="cancel_pending_order", arguments=CANCEL, amount=536.65, reason="over $100"
)
RETURN = ActionRecord(
    name="return_delivered_order_items",
    status="done",
    arguments={"order_id": "#W3323013", "item_ids": ["1"], "payment_method_id": "paypal_1"},
)


@pytest.mark.parametrize(
    ("reply", "actions"),
    [
        ("I've cancelled order #W6348442. You'll receive a refund of $536.65. Best regards", [DONE_CANCEL]),
        ("Hola Aarav, su pedido #W6348442 ha sido cancelado. Recibirá el reembolso pronto.", [DONE_CANCEL]),
        ("Bonjour, j'ai annulé la commande #W6348442.", [DONE_CANCEL]),
        ("I have requested the return; here is your return label and RMA.", [RETURN]),
        ("Your order #W3323013 has been delivered.", []),
        ("The status of order #W7454537 is cancelled; the $46.00 refund went back to your gift card.", []),
        ("Your order #W7454537 has already been cancelled.", []),
        ("I can cancel it if you tell me the reason. Would you like me to cancel it?", []),
        ("I have not cancelled anything yet: which order do you mean?", []),
        ("The Fleece Jacket costs $152.45 and is available.", []),
    ],
)
def test_truthful_replies_pass(reply, actions):
    result = check_reply(reply, actions, [], None, moved_amounts=[536.65])
    assert result.ok, result.problems


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("I've cancelled order #W6348442 for you.", "cancel"),
        ("Your refund of $20.00 has been issued.", "refund"),
        ("We have processed your exchange.", "exchange"),
        ("Here is your return label: RMA-42.", "return label"),
        ("Your shipping address has been updated.", "address"),
        ("Su pedido #W6348442 ha sido cancelado.", "cancel"),
        ("La commande #W6023202 a été annulée.", "cancel"),
    ],
)
def test_claims_without_actions_are_caught(reply, kind):
    result = check_reply(reply, [], [], None)
    assert not result.ok and any(f"claims a {kind}" in p for p in result.problems)
    assert result.needs_escalation  # nothing true to say instead: a person must look


def test_claim_about_another_order_is_not_backed():
    result = check_reply("I've cancelled order #W9999999.", [DONE_CANCEL], [], None)
    assert not result.ok and "did not happen" in result.problems[0]


def test_wrong_amount_in_a_backed_claim():
    result = check_reply(
        "I've cancelled order #W6348442 and refunded $600.00.", [DONE_CANCEL], [], None, moved_amounts=[536.65]
    )
    assert not result.ok and "$600.00" in result.problems[0]


def test_held_operation_must_be_described_as_awaiting_approval():
    bad = check_reply("I've cancelled order #W6348442.", [HELD_CANCEL], [APPROVAL], None)
    assert not bad.ok
    assert any("only awaiting approval" in p for p in bad.problems)
    assert any("does not say so" in p for p in bad.problems)
    fixed = bad.corrected_reply
    assert fixed and "I've cancelled" not in fixed and "awaiting approval" in fixed and "$536.65" in fixed
    assert check_reply(fixed, [HELD_CANCEL], [APPROVAL], None).ok

    good = "Your cancellation of order #W6348442 ($536.65) is awaiting approval by our team."
    assert check_reply(good, [HELD_CANCEL], [APPROVAL], None).ok


def test_escalated_reply_must_say_a_person_follows_up():
    escalation = Escalation(reason="asks for a human", summary="call the customer about the grill")
    bad = check_reply("Thanks for your message.", [], [], escalation)
    assert not bad.ok and bad.corrected_reply and "member of our support team" in bad.corrected_reply
    assert check_reply("I've passed your message to a colleague who will contact you.", [], [], escalation).ok


def test_claims_are_split_by_sentence():
    found = claims("I've cancelled order #W6348442. Would you like a refund to your gift card?")
    assert [(c.kind, c.order_ids) for c in found] == [("cancel", ("#W6348442",))]
