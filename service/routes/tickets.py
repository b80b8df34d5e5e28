"""Tickets: post one, read its status and result, send the customer's next message, read its trace.

A submitter sees only the tickets its token posted: another's ticket answers 404, exactly as an
unknown one, so ids of other helpdesks' tickets cannot be probed. Approvers and admins see all."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status
from starlette.concurrency import run_in_threadpool

from core.models import Outcome, Ticket
from runner.traces import load_trace, trace_path
from service.api_models import FollowUp, TicketAccepted
from service.auth import Approver, State, Submitter, reads_every_ticket
from service.state import ServiceState
from service.ticket_queue import RunStatus, TicketConflict, TicketNotFound, TicketSummary, TicketView
from service.tokens import TokenRecord

router = APIRouter(tags=["tickets"])

_NOT_FOUND = {"description": "no such ticket (or, for a submitter, one another token posted)"}


def _visible(state: ServiceState, ticket_id: str, caller: TokenRecord) -> None:
    try:
        owner = state.queue.owner(ticket_id)
    except TicketNotFound as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from e
    if owner != caller.name and not reads_every_ticket(caller):
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(TicketNotFound(ticket_id)))


@router.post(
    "/api/tickets",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TicketAccepted,
    responses={
        200: {"model": TicketAccepted, "description": "the same ticket again: its current status, no second run"},
        409: {"description": "the id is taken by another ticket"},
        422: {"description": "a malformed ticket; the answer names the field"},
    },
)
def post_ticket(
    ticket: Ticket,
    response: Response,
    caller: Submitter,
    state: State,
) -> TicketAccepted:
    """Queue a ticket (CONTRACTS §1) to run once; its result is read with GET (or comes by webhook)."""
    try:
        accepted = state.queue.submit(ticket, submitted_by=caller.name)
    except TicketConflict as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from e
    if not accepted.created:
        if accepted.submitted_by != caller.name and not reads_every_ticket(caller):
            raise HTTPException(status.HTTP_409_CONFLICT, f"ticket id {ticket.id!r} is taken; use another id")
        response.status_code = status.HTTP_200_OK
    else:
        state.accepted()
    return TicketAccepted(ticket_id=accepted.ticket_id, status=accepted.status)


@router.get("/api/tickets", response_model=list[TicketSummary])
def list_tickets(
    caller: Submitter,
    state: State,
    status_: Annotated[RunStatus | None, Query(alias="status")] = None,
    outcome: Outcome | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[TicketSummary]:
    """Tickets, newest first, with their latest run's status and outcome."""
    mine = None if reads_every_ticket(caller) else caller.name
    return state.queue.list(submitted_by=mine, status=status_, outcome=outcome, limit=limit)


@router.get("/api/tickets/{ticket_id}", response_model=TicketView, responses={404: _NOT_FOUND})
async def get_ticket(
    ticket_id: str,
    caller: Submitter,
    state: State,
    wait: Annotated[float, Query(ge=0, le=60, description="seconds to wait for the run to be done")] = 0,
) -> TicketView:
    """Status (queued, running, done), the latest run's result once done (CONTRACTS §3), the thread.
    With `?wait=S`, answers as soon as the ticket is done, or after S seconds with its status then."""
    await run_in_threadpool(_visible, state, ticket_id, caller)
    if wait <= 0:
        return await run_in_threadpool(state.queue.view, ticket_id)
    deadline = asyncio.get_running_loop().time() + wait
    with state.waiters.waiting(ticket_id) as finished:  # registered before reading: no finish is missed
        view = await run_in_threadpool(state.queue.view, ticket_id)
        while view.status != "done" and (left := deadline - asyncio.get_running_loop().time()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wait(), left)
            finished.clear()
            view = await run_in_threadpool(state.queue.view, ticket_id)
    return view


@router.post(
    "/api/tickets/{ticket_id}/messages",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TicketAccepted,
    responses={
        200: {"model": TicketAccepted, "description": "a message id sent before: not run again"},
        404: _NOT_FOUND,
        409: {"description": "a message id sent before with another body"},
    },
)
def post_message(
    ticket_id: str,
    message: FollowUp,
    response: Response,
    caller: Submitter,
    state: State,
) -> TicketAccepted:
    """The customer's next message: the ticket runs again with its thread."""
    _visible(state, ticket_id, caller)
    try:
        accepted = state.queue.follow_up(ticket_id, body=message.body, author=caller.name, client_id=message.id)
    except TicketConflict as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from e
    if accepted.created:
        state.accepted()
    else:
        response.status_code = status.HTTP_200_OK
    return TicketAccepted(ticket_id=accepted.ticket_id, status=accepted.status)


@router.get("/api/tickets/{ticket_id}/trace", responses={404: _NOT_FOUND})
def get_trace(ticket_id: str, caller: Approver, state: State) -> dict[str, Any]:
    """The ticket's trace events, every run (redacted as written; `support-crew trace` shows the tree)."""
    _visible(state, ticket_id, caller)
    path = trace_path(state.settings.resolved_data_dir, ticket_id)
    return {"ticket_id": ticket_id, "events": load_trace(path) if path.is_file() else []}
