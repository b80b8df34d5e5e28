"""The ticket as the task description renders it (config/tasks.yaml), and what it says about the
customer: who they are, what was recalled about them, which language they write in.

The layout is fixed by the lead's task template:

    Resolve support ticket {ticket_id}.
    <ticket>
    Channel: ... / From: ... / Subject: ... / Message: <body>
    Earlier messages in this thread (oldest first): <thread>
    </ticket>
    Authenticated customer: {customer}
    Recalled about this customer and similar tickets: <recalled>

Text that does not follow the layout (a real LLM manager's free-form delegation) is read as the
message itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from offline_model.understanding import extract, language, preferences

_NOT_AUTHENTICATED = {"", "not yet authenticated", "none", "null", "(none)", "unknown", "not authenticated"}


@dataclass
class TicketView:
    ticket_id: str = ""
    channel: str = "email"
    from_email: str | None = None
    subject: str | None = None
    body: str = ""
    thread: list[tuple[str, str]] = field(default_factory=list)  # (role, text), oldest first
    customer_id: str | None = None
    customer_name: str | None = None  # "Authenticated customer: <id> (<full name>)"
    recalled: str = ""
    structured: bool = False  # parsed from the task layout

    @property
    def customer_text(self) -> str:
        """Everything the customer wrote: earlier messages first, the latest last."""
        parts = [text for role, text in self.thread if role in ("customer", "quoted")]
        parts.append(self.body)
        return "\n\n".join(p for p in parts if p.strip())

    @property
    def language(self) -> str:
        """The reply language: the one a standing preference asks for (stated in this ticket, else
        recalled), else the one the ticket is written in."""
        preferred = preferences.reply_language(self.customer_text, self.recalled)
        return preferred or language.detect(" ".join(filter(None, [self.subject or "", self.body])))


def _field(text: str, label: str) -> str | None:
    match = re.search(rf"^{re.escape(label)}:[ \t]*(.*)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def parse_ticket(text: str) -> TicketView:
    """Read the ticket layout out of a task description or a delegation's context."""
    start = text.find("<ticket>")
    end = text.rfind("</ticket>")
    if start < 0 or end < start:
        return TicketView(body=text.strip(), customer_id=_authenticated(text), customer_name=_authenticated_name(text))
    inner = text[start + len("<ticket>") : end]
    after = text[end + len("</ticket>") :]
    view = TicketView(structured=True)
    match = re.search(r"Resolve support ticket (\S+?)\.?\s*$", text[:start], re.MULTILINE)
    view.ticket_id = match.group(1) if match else ""
    view.channel = (_field(inner, "Channel") or "email").lower()
    sender = _field(inner, "From") or ""
    view.from_email = sender if "@" in sender else None
    subject = _field(inner, "Subject") or ""
    view.subject = None if subject in {"", "(none)"} else subject
    thread_mark = "\nEarlier messages in this thread (oldest first):"
    message_start = inner.find("Message:\n")
    thread_start = inner.rfind(thread_mark)
    if message_start >= 0:
        body_end = thread_start if thread_start > message_start else len(inner)
        view.body = inner[message_start + len("Message:\n") : body_end].strip("\n")
    if thread_start >= 0:
        view.thread = _parse_thread(inner[thread_start + len(thread_mark) :])
    view.body, quoted = split_quoted(view.body)
    if quoted:
        # whose words they are is not known (the customer's earlier message, or ours): never a request
        view.thread.append(("quoted", quoted))
    view.customer_id = _authenticated(after)
    view.customer_name = _authenticated_name(after)
    recalled = re.search(r"Recalled about this customer and similar tickets:\n(.*?)(?:\n\s*\n|\Z)", after, re.DOTALL)
    view.recalled = "" if not recalled or recalled.group(1).strip() == "(nothing)" else recalled.group(1).strip()
    return view


def split_quoted(body: str) -> tuple[str, str]:
    """The message less the lines it quotes ('> Please cancel my Seattle order'), and those lines:
    an earlier message the customer answers, read as such, not as what they ask now."""
    lines = body.splitlines()
    quoted = [line for line in lines if line.lstrip().startswith(">")]
    if not quoted or len(quoted) == len([line for line in lines if line.strip()]):
        return body, ""
    own = "\n".join(line for line in lines if not line.lstrip().startswith(">")).strip("\n")
    return own, "\n".join(line.lstrip().lstrip(">").strip() for line in quoted)


def _authenticated_name(text: str) -> str | None:
    value = _field(text, "Authenticated customer") or ""
    match = re.match(r"\S+\s+\(([^()]+)\)\s*$", value.strip())
    return match.group(1).strip() if match else None


def _authenticated(text: str) -> str | None:
    value = _field(text, "Authenticated customer")
    if value is None or value.strip().lower() in _NOT_AUTHENTICATED:
        return None
    return value.strip().split()[0]


def _parse_thread(text: str) -> list[tuple[str, str]]:
    messages: list[tuple[str, str]] = []
    for line in text.strip("\n").splitlines():
        match = re.match(r"^\[(customer|agent)\]\s?(.*)$", line)
        if match:
            messages.append((match.group(1), match.group(2)))
        elif messages and line.strip() and line.strip() != "(none)":
            role, previous = messages[-1]
            messages[-1] = (role, previous + "\n" + line)
    return messages


# --- identity ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityAttempt:
    tool: str  # find_customer_by_email | find_customer_by_name_zip
    arguments: dict[str, str]


def identity_attempts(view: TicketView, extra_text: str = "") -> list[IdentityAttempt]:
    """Ways to look the customer up, most trustworthy first: the verified sender, then an e-mail
    written in the ticket, then a full name with a zip code."""
    attempts: list[IdentityAttempt] = []
    texts = "\n\n".join(filter(None, [view.customer_text, extra_text]))
    addresses = ([view.from_email.lower()] if view.from_email else []) + extract.emails(texts)
    for address in dict.fromkeys(addresses):
        attempts.append(IdentityAttempt("find_customer_by_email", {"email": address}))
    for candidate in extract.name_zip_candidates(texts):
        attempts.append(
            IdentityAttempt(
                "find_customer_by_name_zip",
                {
                    "first_name": candidate.first_name,
                    "last_name": candidate.last_name,
                    "zip": candidate.zip,
                },
            )
        )
    unique: list[IdentityAttempt] = []
    for attempt in attempts:
        if attempt not in unique:
            unique.append(attempt)
    return unique


def remembered_payment(view: TicketView, flow: str) -> list[extract.PaymentRef]:
    """The payment method a standing preference gives money of this flow (preferences.REFUND: to
    the customer; preferences.CHARGE: from them): one stated in this ticket, else one recalled from
    the customer's memory. Empty when no preference speaks of this flow."""
    found = preferences.payment_for(flow, view.customer_text, view.recalled)
    return [found.payment] if found is not None and found.payment is not None else []
