"""Checks a reply's claims against what the run really did, before the reply goes out.

A sentence claims an action when it says, in the first person or as done ("has been", "is now",
"ha sido", "a été"), that an order was cancelled, refunded, returned, exchanged, changed, or that
a return label / RMA exists. Each such claim needs a `done` action of that kind (for the order it
names); a held operation must be described as awaiting approval; an escalated ticket's reply must
say a person will follow up. Questions, negations, conditions and status reports ("already",
"status") are not claims. A failing reply gets a corrected version built from the actions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.models import ActionRecord, ApprovalRecord, Escalation

_REFUNDING = {
    "cancel_pending_order",
    "return_delivered_order_items",
    "modify_pending_order_payment",
    "modify_pending_order_items",
    "exchange_delivered_order_items",
}


def _changed_near(noun: str) -> str:
    """`noun` with a verb of change within a few words, before or after it."""
    verb = r"(?:updated|changed|modified|corrected|switched|actualizad[oa]|cambiad[oa]|modifi[ée]e?)"
    return rf"\b(?:{noun})\b[^.!?]{{0,40}}\b{verb}\b|\b{verb}\b[^.!?]{{0,40}}\b(?:{noun})\b"


# kind -> (keyword pattern, operations that back it)
CLAIM_KINDS: dict[str, tuple[re.Pattern[str], set[str]]] = {
    "cancel": (
        re.compile(r"\bcancel+(?:ed|ation)?\b|\bcancelad[oa]s?\b|\bannul[ée]e?s?\b", re.I),
        {"cancel_pending_order"},
    ),
    "refund": (re.compile(r"\brefund(?:ed)?\b|\breembols\w*|\brembours\w*", re.I), _REFUNDING),
    "return_label": (
        re.compile(
            r"\breturn\s+label\b|\bRMA\b|\bshipping\s+label\b|\bétiquette\s+de\s+retour\b|"
            r"\betiqueta\s+de\s+devoluci[oó]n\b",
            re.I,
        ),
        {"return_delivered_order_items", "exchange_delivered_order_items"},
    ),
    "return": (
        re.compile(r"\breturn\b|\bdevoluci[oó]n\b|\bretour\b", re.I),
        {"return_delivered_order_items", "exchange_delivered_order_items"},
    ),
    "exchange": (re.compile(r"\bexchang\w*|\bcambio\b|\béchange\w*", re.I), {"exchange_delivered_order_items"}),
    "items": (
        re.compile(
            r"\b(?:swapped|switched|replaced|changed|modified|updated)\b[^.!?]{0,40}\b(?:items?|variant|"
            r"size|colou?r|version|model)\b|\b(?:items?|variant)\b[^.!?]{0,40}\b(?:swapped|switched|"
            r"replaced|changed|modified|updated)\b",
            re.I,
        ),
        {"modify_pending_order_items"},
    ),
    "address": (
        re.compile(_changed_near(r"address|direcci[oó]n|adresse"), re.I),
        {"modify_pending_order_address", "modify_user_address"},
    ),
    "payment": (
        re.compile(_changed_near(r"payment\s+method|m[ée]todo\s+de\s+pago|moyen\s+de\s+paiement"), re.I),
        {"modify_pending_order_payment"},
    ),
}

_DONE_VERBS = (
    r"cancel+ed|refunded|issued|processed|initiated|submitted|set\s+up|created|arranged|started|updated|"
    r"changed|modified|swapped|switched|replaced|placed|requested|exchanged|sent|generated|credited|"
    r"returned|completed"
)
_FIRST_PERSON = re.compile(
    r"\b(?:i|we)(?:'ve|\s+have|\s+just|\s+have\s+now|\s+went\s+ahead\s+and|\s+successfully)*"
    r"\s+(?:" + _DONE_VERBS + r")\b"
    r"|\b(?:he|hemos)\s+\w+(?:ado|ido)\b|\b(?:j'ai|nous\s+avons)\s+\w+[ée]e?s?\b",
    re.I,
)
_DONE_MARKER = re.compile(
    r"\b(?:has|have)\s+(?:now\s+|just\s+|successfully\s+|also\s+)*been\b|\bis\s+now\b|\bsuccessfully\b"
    r"|\byou(?:'ll|\s+will)\s+(?:receive|get|see)\s+(?:a|your|the)\s+(?:full\s+)?refund\b"
    r"|\b(?:here\s+is|here's|attached\s+is)\b|\byour\s+(?:return\s+label|RMA)\b"
    r"|\bha\s+sido\b|\bhan\s+sido\b|\bqued[oó]\b|\ba\s+été\b|\bont\s+été\b|\best\s+maintenant\b",
    re.I,
)
# Words that make a sentence something other than a statement of what was done.
_HEDGE = re.compile(
    r"\b(?:not|never|cannot|unable|if|once|until|pending|awaiting|await|approval|would|could|will\s+be|"
    r"as\s+soon\s+as|no\s+(?:he|hemos|ha|han|se|puedo|podemos)|pas|ne|si|cuando|una\s+vez|d[eè]s\s+que|"
    r"lorsque|quand|aprobaci[oó]n|approbation)\b|n't\b",
    re.I,
)
_STATUS_TALK = re.compile(r"\b(?:already|status|previously|earlier|shows?|listed|according|estado|statut)\b", re.I)
_ORDER_ID = re.compile(r"#W\d{7}\b")
_AMOUNT = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)")
_APPROVAL_WORDS = re.compile(r"approv|review|aprobaci|autoriz|approbation|validation|valider", re.I)
_PERSON_WORDS = re.compile(
    r"\b(?:human|person|colleague|team|specialist|agent|someone|supervisor|manager|staff|"
    r"representative|equipo|persona|agente|[ée]quipe|conseill\w*|coll[èe]gue)\b",
    re.I,
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")

_DONE_TEXT = {
    "cancel_pending_order": "cancelled order {order}",
    "modify_pending_order_address": "updated the shipping address of order {order}",
    "modify_pending_order_payment": "changed the payment method of order {order}",
    "modify_pending_order_items": "changed the items of order {order}",
    "return_delivered_order_items": "requested the return of items from order {order}",
    "exchange_delivered_order_items": "requested the exchange of items from order {order}",
    "modify_user_address": "updated the default address on your account",
}
_REQUEST_TEXT = {
    "cancel_pending_order": "cancel order {order}",
    "modify_pending_order_address": "change the shipping address of order {order}",
    "modify_pending_order_payment": "change the payment method of order {order}",
    "modify_pending_order_items": "change the items of order {order}",
    "return_delivered_order_items": "return items from order {order}",
    "exchange_delivered_order_items": "exchange items from order {order}",
    "modify_user_address": "update the default address on your account",
}


@dataclass(frozen=True)
class Claim:
    kind: str
    sentence: str
    order_ids: tuple[str, ...]
    amounts: tuple[float, ...]


@dataclass
class CheckResult:
    ok: bool
    problems: list[str] = field(default_factory=list)
    corrected_reply: str | None = None  # None when ok, or when no truthful reply can be built

    @property
    def needs_escalation(self) -> bool:
        return not self.ok and self.corrected_reply is None


def _amounts(sentence: str) -> tuple[float, ...]:
    return tuple(float(m.group(1).replace(",", "")) for m in _AMOUNT.finditer(sentence))


def claims(reply: str) -> list[Claim]:
    """The action claims of a reply, one per sentence and kind."""
    found = []
    for sentence in filter(None, (s.strip() for s in _SENTENCES.split(reply))):
        if sentence.endswith("?"):
            continue
        first_person = bool(_FIRST_PERSON.search(sentence))
        done = first_person or (_DONE_MARKER.search(sentence) and not _STATUS_TALK.search(sentence))
        if not done or _HEDGE.search(sentence):
            continue
        kinds = [kind for kind, (pattern, _) in CLAIM_KINDS.items() if pattern.search(sentence)]
        if "return_label" in kinds and "return" in kinds:
            kinds.remove("return")
        for kind in kinds:
            found.append(Claim(kind, sentence, tuple(_ORDER_ID.findall(sentence)), _amounts(sentence)))
    return found


def _backs(action: ActionRecord, claim: Claim, status: str) -> bool:
    if action.status != status or action.name not in CLAIM_KINDS[claim.kind][1]:
        return False
    order = action.arguments.get("order_id")
    return not claim.order_ids or order is None or order in claim.order_ids


def _describe(action: ActionRecord) -> str:
    return _DONE_TEXT.get(action.name, action.name).format(order=action.arguments.get("order_id", ""))


def check_reply(
    reply: str,
    actions: Sequence[ActionRecord],
    approvals: Sequence[ApprovalRecord] = (),
    escalation: Escalation | None = None,
    *,
    moved_amounts: Sequence[float] | None = None,
) -> CheckResult:
    """Check `reply` against the run's `actions`, `approvals` and `escalation`. `moved_amounts`
    (money moved by the done actions, from the write results) enables checking "$X" in claims."""
    problems: list[str] = []
    false_sentences: set[str] = set()
    known_amounts = [*(moved_amounts or ()), *(r.amount for r in approvals)]
    for claim in claims(reply):
        if any(_backs(a, claim, "done") for a in actions):
            wrong = [
                x
                for x in claim.amounts
                if moved_amounts is not None and not any(abs(x - k) < 0.01 for k in known_amounts)
            ]
            if wrong:
                problems.append(
                    f'the reply states ${wrong[0]:.2f} but no operation moved that amount: "{claim.sentence}"'
                )
                false_sentences.add(claim.sentence)
            continue
        held = any(_backs(a, claim, "pending_approval") for a in actions)
        problems.append(
            f"the reply claims a {claim.kind.replace('_', ' ')} that "
            f'{"is only awaiting approval" if held else "did not happen"}: "{claim.sentence}"'
        )
        false_sentences.add(claim.sentence)
    pending = [a for a in actions if a.status == "pending_approval"]
    if (pending or approvals) and not _APPROVAL_WORDS.search(reply):
        problems.append("an operation awaits a person's approval but the reply does not say so")
    if escalation is not None and not _PERSON_WORDS.search(reply):
        problems.append("the ticket was escalated but the reply does not say a person will follow up")
    if not problems:
        return CheckResult(ok=True)
    return CheckResult(False, problems, _corrected(reply, false_sentences, actions, approvals, escalation))


def _corrected(
    reply: str,
    false_sentences: set[str],
    actions: Sequence[ActionRecord],
    approvals: Sequence[ApprovalRecord],
    escalation: Escalation | None,
) -> str | None:
    """The reply without its false sentences, plus what really happened, from the records."""
    kept = [s for s in (p.strip() for p in _SENTENCES.split(reply)) if s and s not in false_sentences]
    facts = []
    done = [_describe(a) for a in actions if a.status == "done"]
    if done:
        facts.append("I have " + "; ".join(done) + ".")
    for record in approvals:
        order = record.arguments.get("order_id", "")
        request = _REQUEST_TEXT.get(record.operation, record.operation).format(order=order)
        facts.append(
            f"Your request to {request} (${record.amount:.2f}) is awaiting approval by our team; "
            "we will let you know once it is approved."
        )
    if false_sentences and not done and not approvals and escalation is None:
        return None  # the reply promised what was not done and nothing true replaces it: a person must look
    if escalation is not None or false_sentences:
        facts.append("A member of our support team will follow up with you personally.")
    greeting_and_body, sign_off = kept, []
    if kept and len(kept[-1]) < 40 and re.match(r"(?i)(best|kind|thanks|thank you|regards|cheers|sincerely)", kept[-1]):
        greeting_and_body, sign_off = kept[:-1], kept[-1:]
    return " ".join([*greeting_and_body, *facts, *sign_off]).strip() or None
