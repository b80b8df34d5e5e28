"""The approval queue (safety/approvals.py, the one `support-crew approvals` uses): list, approve
(executes the held operation exactly once, on the store the workers use), deny. The decision is
recorded under the caller's token name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from safety.approvals import ApprovalNotFound, ApprovalStateError
from service.api_models import FROM_API, TO_API, ApiApprovalStatus, Approval, Decision
from service.auth import Approver, State

router = APIRouter(tags=["approvals"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such approval request"}}
_DECIDED: dict[int | str, dict[str, Any]] = {409: {"description": "already decided or expired: nothing was done"}}


def _not_found(approval_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no approval request with id {approval_id!r}")


@router.get("/api/approvals", response_model=list[Approval])
def list_approvals(
    _caller: Approver,
    state: State,
    status_: Annotated[ApiApprovalStatus | None, Query(alias="status")] = None,
) -> list[Approval]:
    """Approval requests, oldest first (`?status=pending`: the ones waiting for a person)."""
    records = state.approvals.list(FROM_API[status_] if status_ else None)
    return [Approval.of(record) for record in records]


@router.get("/api/approvals/{approval_id}", response_model=Approval, responses=_NOT_FOUND)
def get_approval(
    approval_id: str,
    _caller: Approver,
    state: State,
) -> Approval:
    try:
        return Approval.of(state.approvals.get(approval_id))
    except ApprovalNotFound as e:
        raise _not_found(approval_id) from e


@router.post(
    "/api/approvals/{approval_id}/approve",
    response_model=Approval,
    responses={
        **_NOT_FOUND,
        **_DECIDED,
        502: {"description": "the store could not be reached; approve again to retry (it will not apply twice)"},
    },
)
def approve(
    approval_id: str,
    caller: Approver,
    state: State,
) -> Approval:
    """Execute the held operation, once: a second approver (or a second click) gets 409."""
    try:
        outcome = state.approvals.approve(approval_id, approver=caller.name, executor=state.execute_operation)
    except ApprovalNotFound as e:
        raise _not_found(approval_id) from e
    if outcome.status == "executed":
        return Approval.of(outcome.record)
    if outcome.status == "failed":
        approval = Approval.of(outcome.record)
        retryable = bool(approval.error and approval.error.get("retryable"))
        code = status.HTTP_502_BAD_GATEWAY if retryable else status.HTTP_409_CONFLICT
        raise HTTPException(code, f"approval {approval_id} was not executed: {outcome.message}")
    current = TO_API[outcome.record.status]
    raise HTTPException(
        status.HTTP_409_CONFLICT, f"approval {approval_id} is {current}: {outcome.message}; nothing was executed now"
    )


@router.post("/api/approvals/{approval_id}/deny", response_model=Approval, responses={**_NOT_FOUND, **_DECIDED})
def deny(
    approval_id: str,
    decision: Decision,
    caller: Approver,
    state: State,
) -> Approval:
    """Refuse it for good, with the reason (the ticket's record keeps who and why)."""
    try:
        return Approval.of(state.approvals.deny(approval_id, approver=caller.name, reason=decision.reason))
    except ApprovalNotFound as e:
        raise _not_found(approval_id) from e
    except ApprovalStateError as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from e
