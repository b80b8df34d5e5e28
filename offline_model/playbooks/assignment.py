"""The task a manager hands a specialist: numbered requests, each with its label, orders and the
customer's own words, plus who the customer is. Plain sentences a real LLM specialist reads as
well as the offline one parses; a free-form task from a real LLM manager is read as a message."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from offline_model.understanding import intents
from offline_model.understanding.requests import Request, split_requests

# The manager's note on a delegation marked final (config/tasks.yaml `delegated_task.description`,
# "goes to the customer as written"): the report's reply then goes to the customer as written, so it is a whole letter.
_FINAL_NOTE = re.compile(r"complete message to the customer|goes to the customer as (?:written|it is)", re.IGNORECASE)


@dataclass
class AssignedRequest:
    number: int
    intent: str
    order_ids: list[str]
    text: str


@dataclass
class Assignment:
    requests: list[AssignedRequest] = field(default_factory=list)
    customer_id: str | None = None
    language: str = "en"
    final: bool = False  # the reply goes to the customer as written


def render_assignment(requests: list[tuple[int, Request]], customer_id: str | None, language: str) -> str:
    lines = [
        "Handle the following request(s) of the customer's ticket (full ticket in the context) with your tools.",
    ]
    for number, request in requests:
        orders = f"; orders {', '.join(request.order_ids)}" if request.order_ids else ""
        lines.append(f"Request {number} [{request.label}{orders}]: {json.dumps(request.text, ensure_ascii=False)}")
    if customer_id:
        lines.append(f"Customer: authenticated as {customer_id}.")
    else:
        lines.append(
            "Customer: not yet authenticated. Identify them first from the ticket "
            "(find_customer_by_email, or find_customer_by_name_zip with full name and zip code)."
        )
    lines.append(f"Reply language: {language}.")
    return "\n".join(lines)


_REQUEST_LINE = re.compile(r"^Request (\d+) \[([^\];]+?)(?:; orders? ([^\]]*))?\]: (\".*\")\s*$", re.MULTILINE)
_CUSTOMER_LINE = re.compile(r"^Customer: authenticated as (\S+?)\.?\s*$", re.MULTILINE)
_LANGUAGE_LINE = re.compile(r"^Reply language: ([a-z]{2})\.?\s*$", re.MULTILINE)


def parse_assignment(task: str, fallback_subject: str | None = None) -> Assignment:
    """Read a task written by `render_assignment`, or understand a free-form one."""
    assignment = Assignment()
    for match in _REQUEST_LINE.finditer(task):
        try:
            text = json.loads(match.group(4))
        except ValueError:
            text = match.group(4).strip('"')
        intent = intents.INTENT_BY_LABEL.get(match.group(2).strip())
        orders = re.findall(r"#W\d+", match.group(3) or "")
        if intent is None:
            understood = split_requests(text, fallback_subject)
            intent = understood[0].intent if understood else None
        if intent is not None:
            assignment.requests.append(AssignedRequest(int(match.group(1)), intent, orders, text))
    customer = _CUSTOMER_LINE.search(task)
    assignment.customer_id = customer.group(1) if customer else None
    language = _LANGUAGE_LINE.search(task)
    if language:
        assignment.language = language.group(1)
    assignment.final = bool(_FINAL_NOTE.search(task))
    if not assignment.requests:
        for number, request in enumerate(split_requests(task, fallback_subject), start=1):
            assignment.requests.append(AssignedRequest(number, request.intent, request.order_ids, request.text))
    return assignment
