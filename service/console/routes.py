"""The console's pages. Decisions go through the API's own route functions (approve, deny, reply),
so a click and an API call take the same code path: an approval executes once whichever is used."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from backlog.report import OUTCOMES, summarize, tier_costs_from_traces, tool_stats_from_traces
from runner.traces import trace_path
from service.api_models import Approval, Decision, Reply
from service.console import chart
from service.console import session as sessions
from service.console.trace_tree import trace_nodes
from service.console.web import Anyone, ApproverVisit, ConsoleRefusal, Form, SignedIn, Visit
from service.routes import approvals as approval_routes
from service.routes import escalations as escalation_routes
from service.ticket_queue import TicketNotFound

router = APIRouter(include_in_schema=False)


# --- signing in and out -------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_page(current: Anyone) -> Response:
    if current.user is not None:
        return current.redirect("/")
    return current.page("login.html")


@router.post("/login")
def login(current: Anyone, posted: Form) -> Response:
    token = str(posted.get("token") or "").strip()
    record = current.state.tokens.authenticate(token) if token else None
    if record is None:
        return current.redirect("/login", "Unknown or revoked token.", error=True)
    # a new session (new CSRF token) on sign-in: a token planted before it is worth nothing
    current.session = sessions.Session(name=record.name)
    return current.redirect("/", f"Signed in as {record.name} ({record.role}).")


@router.post("/logout")
def logout(current: Anyone, _posted: Form) -> Response:
    current.session = sessions.Session()
    return current.redirect("/login", "Signed out.")


# --- dashboard ----------------------------------------------------------------------------------
def _mine(current: Visit) -> str | None:
    """Whose tickets the visitor sees: every ticket (None) for approvers, else its own."""
    return None if current.is_approver or current.user is None else current.user.name


@router.get("/", response_class=HTMLResponse)
def dashboard(current: SignedIn) -> Response:
    runs = current.state.queue.finished(submitted_by=_mine(current))
    data_dir = current.state.settings.resolved_data_dir
    ids = [run.result.ticket_id for run in runs]
    report = summarize(
        [run.result for run in runs],
        {run.result.ticket_id: run.tags for run in runs},
        tool_stats_from_traces(data_dir, ids),
        tags_from="the tickets' tags",
        tier_costs=tier_costs_from_traces(data_dir, ids),
    )
    return current.page("dashboard.html", report=report, chart=chart.svg(runs), outcomes=OUTCOMES)


# --- tickets ------------------------------------------------------------------------------------
@router.get("/tickets", response_class=HTMLResponse)
def tickets(current: SignedIn, outcome: str = "", tag: str = "", day: str = "") -> Response:
    chosen = outcome if outcome in OUTCOMES else None
    try:
        on_day = datetime.strptime(day, "%Y-%m-%d").date().isoformat() if day else None
    except ValueError:
        on_day = None
    found = current.state.queue.list(
        submitted_by=_mine(current), outcome=chosen, tag=tag.strip() or None, day=on_day, limit=500
    )
    filters = {"outcome": chosen or "", "tag": tag.strip(), "day": on_day or ""}
    return current.page("tickets.html", tickets=found, filters=filters, outcomes=OUTCOMES)


@router.get("/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket(ticket_id: str, current: SignedIn) -> Response:
    state = current.state
    try:
        owner = state.queue.owner(ticket_id)
    except TicketNotFound:
        owner = None
    if owner is None or (owner != _mine(current) and _mine(current) is not None):
        raise ConsoleRefusal(404, f"No ticket {ticket_id!r}.")
    view = state.queue.view(ticket_id)
    held = [Approval.of(a) for a in state.approvals.list() if a.ticket_id == ticket_id]
    trace = trace_nodes(trace_path(state.settings.resolved_data_dir, ticket_id)) if current.is_approver else None
    return current.page(
        "ticket.html",
        ticket=view,
        approvals=held,
        escalations=state.inbox.list(ticket_id=ticket_id),
        trace=trace,
    )


# --- approvals ----------------------------------------------------------------------------------
def _age(since: datetime) -> str:
    seconds = max(0, int((datetime.now(UTC) - since).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min" if seconds < 86_400 else f"{seconds // 86_400} d"


@router.get("/approvals", response_class=HTMLResponse)
def approvals(current: ApproverVisit) -> Response:
    state = current.state
    pending = [Approval.of(a) for a in state.approvals.list("pending")]
    decided = [Approval.of(a) for a in state.approvals.list() if a.status != "pending"][-10:][::-1]
    threads = {a.ticket_id: _thread(current, a.ticket_id) for a in pending}
    ages = {a.id: _age(a.created_at) for a in pending}
    return current.page("approvals.html", pending=pending, decided=decided, threads=threads, ages=ages)


def _thread(current: Visit, ticket_id: str) -> list[Any]:
    try:
        return current.state.queue.view(ticket_id).thread
    except TicketNotFound:  # held by a CLI run, not a ticket of this service
        return []


async def _decide(current: Visit, call: Any, *args: Any, done: str, back: str) -> Response:
    """Run the API's route function; its refusal (409, 404, 502) becomes the page's notice."""
    try:
        await run_in_threadpool(call, *args)
    except HTTPException as e:
        return current.redirect(back, str(e.detail), error=True)
    return current.redirect(back, done)


@router.post("/approvals/{approval_id}/approve")
async def approve(approval_id: str, current: ApproverVisit, _posted: Form) -> Response:
    assert current.user is not None
    return await _decide(
        current,
        approval_routes.approve,
        approval_id,
        current.user,
        current.state,
        done=f"Approved {approval_id}: executed.",
        back="/approvals",
    )


@router.post("/approvals/{approval_id}/deny")
async def deny(approval_id: str, current: ApproverVisit, posted: Form) -> Response:
    assert current.user is not None
    reason = str(posted.get("reason") or "").strip()
    if not reason:
        return current.redirect("/approvals", "A denial needs a reason.", error=True)
    decision = Decision(reason=reason[:2000])
    return await _decide(
        current,
        approval_routes.deny,
        approval_id,
        decision,
        current.user,
        current.state,
        done=f"Denied {approval_id}.",
        back="/approvals",
    )


# --- escalations --------------------------------------------------------------------------------
@router.get("/escalations", response_class=HTMLResponse)
def escalations(current: ApproverVisit) -> Response:
    rank = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
    waiting = sorted(current.state.inbox.list(status="open"), key=lambda e: (rank[e.priority], e.created_at))
    threads = {e.ticket_id: _thread(current, e.ticket_id) for e in waiting}
    return current.page("escalations.html", escalations=waiting, threads=threads)


@router.post("/escalations/{escalation_id}/reply")
async def reply(escalation_id: str, current: ApproverVisit, posted: Form) -> Response:
    assert current.user is not None
    body = str(posted.get("body") or "").strip()
    if not body or len(body) > 20_000:
        return current.redirect("/escalations", "The answer must be 1 to 20,000 characters.", error=True)
    return await _decide(
        current,
        escalation_routes.reply,
        escalation_id,
        Reply(body=body),
        current.user,
        current.state,
        done=f"Answered {escalation_id}: the answer is in the ticket's thread and the escalation is closed.",
        back="/escalations",
    )
