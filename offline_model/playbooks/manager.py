"""The manager's next step: delegate the next group of requests, or give the final answer.

The plan (which requests go to which coworker, in which order) follows from the ticket and the
roster alone; the reports that came back adjust it: the customer id a coworker found is passed to
the next one, a request a coworker lacked the tool for is re-delegated, a failed identification
stops the work that needs one, and work that failed goes to a human. Replaying that over the
conversation gives the same next step every time."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.json_text import first_json_model
from core.models import Escalation
from offline_model.playbooks.assignment import render_assignment
from offline_model.playbooks.roster import Coworker, can_handle, choose, holder_of, parse_roster
from offline_model.protocol import ASK_TOOL, DELEGATE_TOOL, Conversation, ToolCall
from offline_model.replies.render import letter, say
from offline_model.schema import RequestResult, RequestStatus, SpecialistReport, TicketResolution
from offline_model.understanding import embedder, extract, intents, safety, thread_answers
from offline_model.understanding.reading import CORRECTION, Part, Reading, read
from offline_model.understanding.requests import QUESTION_WORDS, Request
from offline_model.understanding.text import fold
from offline_model.understanding.ticket import TicketView, identity_attempts, parse_ticket

_IDENTITY_FREE = {intents.TROUBLE, intents.POLICY, *intents.ESCALATIONS}
_UNCLEAR_WORDS = 40  # a message this long that asks for nothing recognisable goes to a human


@dataclass
class Delegation:
    coworker: str
    numbers: list[int]


@dataclass
class Plan:
    ticket: TicketView
    requests: list[Request]
    team: list[Coworker]
    queue: list[Delegation] = field(default_factory=list)
    results: dict[int, list[RequestResult]] = field(default_factory=dict)
    customer_id: str | None = None
    customer_name: str | None = None
    summaries: list[str] = field(default_factory=list)
    tried: dict[int, set[str]] = field(default_factory=dict)
    identity_failed: RequestResult | None = None
    escalation_sent: bool = False


def needs_identity(request: Request) -> bool:
    if request.intent in _IDENTITY_FREE:
        return False
    if request.intent == intents.PRODUCT:
        return bool(request.order_ids)
    return True


def ticket_reading(ticket: TicketView) -> Reading:
    """The reading of the latest message; when it only answers an earlier question (a reason, an
    address), the earlier customer message and the answer are read together."""
    reading = read(ticket.body, ticket.subject)
    earlier = [text for role, text in ticket.thread if role == "customer"]
    if reading.requests or not earlier or thread_answers.declines(ticket.body):
        # 'we're going to keep that order after all', 'please ignore the message above': nothing to do
        return reading
    reading = read(earlier[-1] + "\n\n" + ticket.body, ticket.subject)
    correction = thread_answers.corrects(ticket.body, earlier[-1])
    if correction is not None:
        # 'the house number is 48, not 84': a change to the earlier request's own words, which no
        # playbook reads; written as first asked it would be wrong
        reading.parts.append(Part(CORRECTION, correction, None, None))
    return reading


_TEAM_FIT = 0.35  # cosine between a question and a coworker's role and goal, to send it there


def _team_can_answer(text: str, team: list[Coworker]) -> bool:
    """A question of no built-in kind goes to the team when a coworker who can read something has a
    role and goal close to it (a specialist added in YAML for just such questions)."""
    if "?" not in text and not QUESTION_WORDS.search(fold(text)):
        return False
    readers = [c for c in team if c.goal and can_handle(c, intents.TEAM_QUESTION)]
    if not readers or safety.is_gibberish(text):
        return False
    profiles = embedder.encode_fixed(tuple(c.profile for c in readers))
    return float((profiles @ embedder.encode_cached([" ".join(text.split())[:500]])[0]).max()) >= _TEAM_FIT


HELD = "held:"  # the detail of a change held back until the customer answers another request's question


def _lacks_information(request: Request, ticket: TicketView) -> bool:
    """A change the words cannot make yet: no new address, no reason to cancel, no payment method."""
    text = request.text
    if request.intent == intents.ORDER_ADDRESS:
        given = set(extract.addresses(ticket.customer_text))
        return not (
            extract.addresses(text)
            or extract.names_account_address(text)
            or (extract.names_new_address(text) and len(given) == 1)
        )
    if request.intent == intents.CANCEL:
        return not (extract.cancel_reason(text) or extract.cancel_reason(ticket.customer_text, any_cause=False))
    if request.intent == intents.PAYMENT:
        return not [r for r in extract.payment_refs(text) if not r.negated]
    return False


def _waiting_for_answer(plan: Plan) -> set[int]:
    """Changes held back because another change of the same ticket cannot be made before the
    customer answers: nothing is written on a partial reading, across specialists too."""
    changes = [n for n, r in enumerate(plan.requests, start=1) if r.intent in intents.ACTIONS]
    lacking = {n for n in changes if _lacks_information(plan.requests[n - 1], plan.ticket)}
    return set(changes) - lacking if lacking and len(changes) > 1 else set()


def _person_takes_all(requests: list[Request]) -> list[Request]:
    """A ticket that goes to a person (asked for, abusive, threatening) changes nothing before they
    read it: its other requests travel in the escalation, for the person to act on."""
    escalation = next((r for r in requests if r.intent in intents.ESCALATIONS), None)
    if escalation is None or len(requests) == 1:
        return requests
    orders = list(dict.fromkeys(o for r in requests for o in r.order_ids))
    return [Request(escalation.intent, orders, [s for r in requests for s in r.sentences], escalation.block)]


def hand_over(reading: Reading, language: str) -> TicketResolution:
    """Nothing is changed on a partial reading: the ticket goes to the next model tier, or to a
    person, with the words the model could not read."""
    unread = reading.unread_summary()
    asks = "; ".join(f"{n}. {r.label}" for n, r in enumerate(reading.requests, start=1)) or "nothing recognisable"
    summary = (
        f"The customer asks: {asks}. Nothing was changed: the offline model could not read all of the ticket "
        f"({unread}). A person (or a stronger model) should read the ticket and act on all of it."
    )
    return TicketResolution(
        outcome="escalated",
        reply=letter([say("escalated.other", language)], language, None),
        escalation=Escalation(reason=f"not understood: {unread}"[:300], priority="normal", summary=summary),
        internal_summary="handed over: " + unread[:200],
        handover=unread,
    )


def decide(conv: Conversation, *, final_now: bool = False) -> list[ToolCall] | TicketResolution:
    """The next delegation, or the final answer. With `final_now` (CrewAI's iteration limit) the
    answer is given from the reports so far; what was not done yet goes to a human."""
    ticket = parse_ticket(conv.task)
    language = ticket.language
    # what the customer wrote in this thread, quoted lines included: a pasted note is still theirs
    if safety.is_injection(ticket.customer_text):
        return TicketResolution(
            outcome="refused",
            reply=letter([say("refused.injection", language)], language, None),
            internal_summary="refused: the ticket carries instructions aimed at the agents ("
            + "; ".join(safety.injection_signals(ticket.customer_text))[:200]
            + ")",
        )
    reading = ticket_reading(ticket)
    if not reading.understood and not any(r.intent in intents.ESCALATIONS for r in reading.requests):
        return hand_over(reading, language)
    requests = _person_takes_all(reading.requests)
    team = parse_roster(conv.system, conv.tool_descriptions.get(DELEGATE_TOOL, ""))
    if not requests and _team_can_answer(ticket.body, team):
        requests = [Request(intents.TEAM_QUESTION, extract.order_ids(ticket.body), [ticket.body])]
    if not requests:
        words = len(ticket.body.split())
        if safety.is_gibberish(ticket.body) or words < _UNCLEAR_WORDS:
            return TicketResolution(
                outcome="needs_info",
                reply=letter([say("not_understood", language)], language, None),
                internal_summary="no request could be understood; asked the customer",
            )
        requests = [Request(intents.REVIEW, [], [ticket.body])]
    plan = Plan(ticket, requests, team, customer_id=ticket.customer_id)
    plan.customer_name = ticket.customer_name.split()[0] if ticket.customer_name else None
    _initial_queue(plan)
    delegations = [e for e in conv.exchanges if e.name in (DELEGATE_TOOL, ASK_TOOL)]
    index = 0
    while True:
        delegation = _next(plan)
        if delegation is None:
            return _final(plan, language)
        if index < len(delegations):
            _absorb(plan, delegation, delegations[index].result or "")
            index += 1
            continue
        if final_now:
            for number in delegation.numbers:
                plan.results.setdefault(
                    number,
                    [
                        RequestResult(
                            request=number,
                            intent=plan.requests[number - 1].intent,
                            status="failed",
                            reply=say("failed", language),
                            detail="not handled before the iteration limit",
                        )
                    ],
                )
            plan.queue.clear()
            return _final(plan, language)
        if index == 0 and conv.native and len(plan.queue) > 1 and _independent(plan):
            # one answer, several delegations: CrewAI runs them side by side and the reports come
            # back together, a manager turn per extra delegation saved
            return [_delegate_call(plan, d, language, final=False) for d in plan.queue]
        # the only delegation, with nothing else to say: its report can be the ticket's answer
        alone = index == 0 and len(plan.queue) == 1 and not plan.results
        offered = "final" in conv.tool_parameters.get(DELEGATE_TOOL, frozenset())
        return [_delegate_call(plan, delegation, language, final=alone and offered)]


# What refunds money (a gift card may be credited) and what may pay with it: a delegation of the
# one must finish before one of the other starts.
_REFUNDING = {intents.CANCEL, intents.RETURN}
_PAYING = {intents.CHANGE_ITEMS, intents.PAYMENT}


def _independent(plan: Plan) -> bool:
    """Whether the queued delegations can run side by side: no order in two of them, and no
    refund in one while another may pay (the gift card it credits)."""
    seen: set[str] = set()
    kinds: list[set[str]] = []
    for delegation in plan.queue:
        requests = [plan.requests[n - 1] for n in delegation.numbers]
        orders = {o for r in requests for o in r.order_ids}
        if orders & seen:
            return False
        seen |= orders
        kinds.append({r.intent for r in requests})
    refunds = sum(1 for k in kinds if k & _REFUNDING)
    pays = sum(1 for k in kinds if k & _PAYING)
    # one change at a time: a later one is not made when an earlier one needs the customer's answer
    changes = sum(1 for k in kinds if k & set(intents.ACTIONS))
    return not (refunds and pays) and changes <= 1


def _settle(plan: Plan, number: int, status: RequestStatus, reply_key: str, detail: str) -> None:
    """End a request without delegating it: its one result, in the customer's language."""
    plan.results[number] = [
        RequestResult(
            request=number,
            intent=plan.requests[number - 1].intent,
            status=status,
            reply=say(reply_key, plan.ticket.language),
            detail=detail,
        )
    ]


def _initial_queue(plan: Plan) -> None:
    anonymous = plan.customer_id is None and not identity_attempts(plan.ticket)
    assigned: dict[int, Coworker] = {}
    waiting = _waiting_for_answer(plan)
    for number, request in enumerate(plan.requests, start=1):
        if number in waiting:
            _settle(
                plan,
                number,
                "needs_info",
                "write.waiting",
                f"{HELD} another change of the ticket needs an answer",
            )
            continue
        if anonymous and needs_identity(request):
            _settle(
                plan,
                number,
                "needs_info",
                "identity.needed",
                "no e-mail or name with zip code to identify the customer",
            )
            continue
        coworker = choose(request, plan.team)
        if coworker is None:
            _settle(plan, number, "failed", "failed", "no coworker can handle it")
            continue
        assigned[number] = coworker
    _co_locate(plan, assigned)
    order: list[str] = []
    groups: dict[str, list[int]] = {}
    for number in sorted(assigned):
        role = assigned[number].role
        if role not in groups:
            order.append(role)
            groups[role] = []
        groups[role].append(number)
    plan.queue = [Delegation(role, groups[role]) for role in _effects_first(order, groups, plan)]
    for delegation in plan.queue:
        for number in delegation.numbers:
            plan.tried.setdefault(number, set()).add(delegation.coworker)


# Changes that must reach an order before its items change: the store takes one item change per
# pending order and nothing after it.
_BEFORE_ITEMS = {intents.ORDER_ADDRESS, intents.PAYMENT}


def _goes_first(role: str, groups: dict[str, list[int]], plan: Plan, refunding: bool) -> bool:
    kinds = {plan.requests[n - 1].intent for n in groups[role]}
    return intents.RETURN in kinds or (intents.CHANGE_ITEMS in kinds and not refunding)


def _effects_first(order: list[str], groups: dict[str, list[int]], plan: Plan) -> list[str]:
    """Coworkers in request order, except that one changing an order's address or payment goes
    before another changing the same order's items (when no single coworker could do both)."""

    def orders_of(role: str, wanted: set[str]) -> set[str]:
        return {
            o for n in groups[role] if plan.requests[n - 1].intent in wanted for o in plan.requests[n - 1].order_ids
        }

    # returns and item changes first: they are the changes that most often need a question back, and
    # no change is made after one does (see _next); an item change that may pay with a gift card
    # still waits for a refund that may credit it
    refunding = any(plan.requests[n - 1].intent in _REFUNDING for role in order for n in groups[role])
    ranked = sorted(order, key=lambda role: 0 if _goes_first(role, groups, plan, refunding) else 1)
    for role in list(ranked):
        first = orders_of(role, _BEFORE_ITEMS)
        for other in ranked[: ranked.index(role)]:
            if first & orders_of(other, {intents.CHANGE_ITEMS}):
                ranked.remove(role)
                ranked.insert(ranked.index(other), role)
                break
    return ranked


def _waits_for_answer(plan: Plan, delegation: Delegation) -> bool:
    """After a request ended with a question back, the changes still queued wait for the answer:
    nothing more is written on a partial reading. Returns whether the whole delegation waits."""
    if not any(r.status == "needs_info" and not r.detail.startswith(HELD) for rs in plan.results.values() for r in rs):
        return False  # a change held itself asks nothing: the one that asks still goes out
    held = [n for n in delegation.numbers if plan.requests[n - 1].intent in intents.ACTIONS]
    for number in held:
        _settle(
            plan,
            number,
            "needs_info",
            "write.waiting",
            f"{HELD} an earlier request of the ticket needs an answer",
        )
    delegation.numbers = [n for n in delegation.numbers if n not in held]
    return not delegation.numbers


def _co_locate(plan: Plan, assigned: dict[int, Coworker]) -> None:
    """Requests about the same order go to one coworker when one can do them all, so that the
    order of their effects (payment or address change before an item change) is kept."""
    by_order: dict[str, list[int]] = {}
    for number in assigned:
        for order_id in plan.requests[number - 1].order_ids:
            by_order.setdefault(order_id, []).append(number)
    for numbers in by_order.values():
        roles = {assigned[n].role for n in numbers}
        if len(roles) < 2:
            continue
        for coworker in [assigned[n] for n in numbers]:
            if all(can_handle(coworker, plan.requests[n - 1].intent) for n in numbers):
                for n in numbers:
                    assigned[n] = coworker
                break


def _next(plan: Plan) -> Delegation | None:
    while plan.queue:
        delegation = plan.queue[0]
        if _waits_for_answer(plan, delegation):
            plan.queue.pop(0)
            continue
        if plan.identity_failed is not None:
            pending = [n for n in delegation.numbers if needs_identity(plan.requests[n - 1])]
            for number in pending:
                plan.results[number] = [
                    plan.identity_failed.model_copy(
                        update={"request": number, "intent": plan.requests[number - 1].intent}
                    )
                ]
            delegation.numbers = [n for n in delegation.numbers if n not in pending]
            if not delegation.numbers:
                plan.queue.pop(0)
                continue
        return delegation
    failed = [r for rs in plan.results.values() for r in rs if r.status == "failed"]
    escalated = any(r.status == "escalated" for rs in plan.results.values() for r in rs)
    if failed and not escalated and not plan.escalation_sent:
        holder = holder_of("escalate_to_human", plan.team, set())
        if holder is not None:
            plan.escalation_sent = True
            text = "Could not complete: " + "; ".join(f"{r.intent} {r.order_id or ''} ({r.detail})" for r in failed)
            plan.requests.append(Request(intents.REVIEW, [], [text]))
            number = len(plan.requests)
            delegation = Delegation(holder.role, [number])
            plan.queue.append(delegation)
            return delegation
    return None


def _absorb(plan: Plan, delegation: Delegation, result: str) -> None:
    """Take a coworker's report into the plan."""
    plan.queue.pop(0)
    report = parse_report(result)
    if report is None:
        for number in delegation.numbers:
            plan.results[number] = [
                RequestResult(
                    request=number,
                    intent=plan.requests[number - 1].intent,
                    status="failed",
                    reply=say("failed", plan.ticket.language),
                    detail=f"{delegation.coworker} gave no report: {result[:200]}",
                )
            ]
        return
    plan.customer_id = plan.customer_id or report.customer_id
    plan.customer_name = plan.customer_name or report.customer_name
    plan.summaries.append(f"{delegation.coworker}: {report.summary}")
    by_number: dict[int, list[RequestResult]] = {}
    for result_item in report.results:
        if result_item.intent == "identity":
            plan.identity_failed = result_item
            continue
        by_number.setdefault(result_item.request, []).append(result_item)
    rerouted: dict[str, list[int]] = {}
    for number in delegation.numbers:
        got = by_number.get(number)
        if not got:
            if plan.identity_failed is not None and needs_identity(plan.requests[number - 1]):
                got = [
                    plan.identity_failed.model_copy(
                        update={"request": number, "intent": plan.requests[number - 1].intent}
                    )
                ]
            else:
                got = [
                    RequestResult(
                        request=number,
                        intent=plan.requests[number - 1].intent,
                        status=report.status,
                        reply=report.reply,
                        detail=report.summary,
                    )
                ]
        holder = _rerouted_to(plan, number, got)
        if holder is not None:
            rerouted.setdefault(holder, []).append(number)
            continue
        plan.results[number] = got
    for role, numbers in rerouted.items():
        # requests a coworker could not do go together to the one who can (with the requests
        # already waiting for that coworker, if any)
        waiting = next((d for d in plan.queue if d.coworker == role), None)
        if waiting is not None:
            waiting.numbers = sorted(set(waiting.numbers) | set(numbers))
        else:
            plan.queue.append(Delegation(role, numbers))


def _rerouted_to(plan: Plan, number: int, got: list[RequestResult]) -> str | None:
    """The coworker who takes a request its first one lacked a tool for, if any (marked tried)."""
    extras = [r.model_extra for r in got if r.model_extra]
    reroute = next((e.get("reroute") for e in extras if e.get("reroute")), None)
    if not reroute:
        return None
    holder = holder_of(reroute, plan.team, plan.tried.get(number, set()))
    if holder is None:
        return None
    plan.tried.setdefault(number, set()).add(holder.role)
    # 'if not in medium, just take it back': the change became a return of the same request
    as_intent = next((e.get("as_intent") for e in extras if e.get("as_intent")), None)
    if as_intent in intents.ACTIONS:
        plan.requests[number - 1].intent = str(as_intent)
    return holder.role


def parse_report(text: str) -> SpecialistReport | None:
    """A coworker's JSON report (tolerating text around it), or None."""
    return first_json_model(text or "", SpecialistReport)


def render_ticket(view: TicketView, customer_id: str | None, customer_name: str | None = None) -> str:
    """The ticket in the task's layout, for the coworker's context: the sections that say something
    (the context is sent with every model call the coworker makes)."""
    lines = [f"Resolve support ticket {view.ticket_id}.", "<ticket>", f"Channel: {view.channel}"]
    if view.from_email:
        lines.append(f"From: {view.from_email}")
    if view.subject:
        lines.append(f"Subject: {view.subject}")
    lines += ["Message:", view.body]
    if view.thread:
        lines += [
            "Earlier messages in this thread (oldest first):",
            *(f"[{role}] {text}" for role, text in view.thread),
        ]
    lines.append("</ticket>")
    who = f"{customer_id} ({customer_name})" if customer_id and customer_name else customer_id
    lines.append(f"Authenticated customer: {who or 'not yet authenticated'}")
    if view.recalled:
        lines += ["Recalled about this customer and similar tickets:", view.recalled]
    return "\n".join(lines)


def _delegate_call(plan: Plan, delegation: Delegation, language: str, *, final: bool) -> ToolCall:
    numbered = [(n, plan.requests[n - 1]) for n in delegation.numbers]
    task = render_assignment(numbered, plan.customer_id, language)
    arguments: dict[str, object] = {
        "task": task,
        "context": render_ticket(
            plan.ticket,
            plan.customer_id,
            plan.ticket.customer_name if plan.customer_id == plan.ticket.customer_id else None,
        ),
        "coworker": delegation.coworker,
    }
    if final:
        arguments["final"] = True
    return ToolCall(DELEGATE_TOOL, arguments)


def _final(plan: Plan, language: str) -> TicketResolution:
    results = [r for number in sorted(plan.results) for r in plan.results[number]]
    statuses = {r.status for r in results}
    if "escalated" in statuses or "failed" in statuses:
        outcome = "escalated"
    elif "needs_info" in statuses:
        outcome = "needs_info"
    elif statuses & {"done", "pending_approval", "answered"}:
        outcome = "resolved"
    elif "refused" in statuses:
        outcome = "refused"
    else:
        outcome = "needs_info"
    paragraphs: list[str] = []
    for r in results:
        if r.reply and r.reply not in paragraphs:
            paragraphs.append(r.reply)
    escalation = None
    for r in results:
        data = (r.model_extra or {}).get("escalation")
        if data:
            escalation = Escalation.model_validate(data)
            break
    if outcome == "escalated" and escalation is None:
        escalation = Escalation(
            reason="could not be handled automatically",
            priority="normal",
            summary="; ".join(f"{r.intent} {r.order_id or ''}: {r.status} ({r.detail})" for r in results)[:1000],
        )
    summary = "; ".join(plan.summaries) or "; ".join(f"{r.intent}: {r.status} ({r.detail})" for r in results)
    return TicketResolution(
        outcome=outcome,
        reply=letter(paragraphs, language, plan.customer_name),
        escalation=escalation,
        internal_summary=f"{outcome}: {summary}"[:1000],
    )
