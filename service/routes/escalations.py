"""The escalation inbox: escalated results waiting for a person, and the person's answer, which
goes into the ticket's thread as the agent's message and closes the escalation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from service.api_models import Reply
from service.auth import Approver, State
from service.escalations import EscalationClosed, EscalationNotFound, EscalationRecord, EscalationStatus

router = APIRouter(tags=["escalations"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such escalation"}}


@router.get("/api/escalations", response_model=list[EscalationRecord])
def list_escalations(
    _caller: Approver,
    state: State,
    status_: Annotated[EscalationStatus | None, Query(alias="status")] = None,
    ticket_id: str | None = None,
) -> list[EscalationRecord]:
    """Escalations, oldest first (`?status=open`: the inbox)."""
    return state.inbox.list(status=status_, ticket_id=ticket_id)


@router.get("/api/escalations/{escalation_id}", response_model=EscalationRecord, responses=_NOT_FOUND)
def get_escalation(
    escalation_id: str,
    _caller: Approver,
    state: State,
) -> EscalationRecord:
    try:
        return state.inbox.get(escalation_id)
    except EscalationNotFound as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from e


@router.post(
    "/api/escalations/{escalation_id}/reply",
    response_model=EscalationRecord,
    responses={**_NOT_FOUND, 409: {"description": "closed already: the answer was not added"}},
)
def reply(
    escalation_id: str,
    answer: Reply,
    caller: Approver,
    state: State,
) -> EscalationRecord:
    """Answer the customer as a person: the answer joins the ticket's thread (role `agent`) and the
    escalation is closed under the caller's token name."""
    try:
        closed = state.inbox.reply(escalation_id, body=answer.body, by=caller.name)
    except EscalationNotFound as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from e
    except EscalationClosed as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from e
    state.outbox_written()
    return closed
