"""The HTTP API's request and answer bodies beyond the contract models (CONTRACTS §6)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from safety.approvals import ApprovalStatus, HeldOperation
from service.ticket_queue import RunStatus
from service.tokens import NAME_PATTERN, Role, TokenRecord

# The approval queue's states as the API names them: an executed request is "approved" (§6), one
# claimed by an approver whose execution has not finished is "executing".
ApiApprovalStatus = Literal["pending", "executing", "approved", "denied", "expired", "failed"]
TO_API: dict[ApprovalStatus, ApiApprovalStatus] = {
    "pending": "pending",
    "approved": "executing",
    "executed": "approved",
    "denied": "denied",
    "expired": "expired",
    "failed": "failed",
}
FROM_API: dict[ApiApprovalStatus, ApprovalStatus] = {api: queue for queue, api in TO_API.items()}

MESSAGE_BODY = Field(min_length=1, max_length=20_000, description="the text, 1 to 20,000 characters")


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class TicketAccepted(BaseModel):
    ticket_id: str
    status: RunStatus


class FollowUp(BaseModel):
    body: str = MESSAGE_BODY
    id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9._-]{1,64}$",
        description="the helpdesk's id of this message: sent again, it is not run again",
    )


class Decision(BaseModel):
    reason: str = Field(min_length=1, max_length=2_000, description="why, for the ticket's record")


class Reply(BaseModel):
    body: str = MESSAGE_BODY


class Approval(BaseModel):
    id: str
    ticket_id: str
    operation: str
    arguments: dict[str, Any]
    amount: float
    reason: str
    status: ApiApprovalStatus
    created_at: datetime
    expires_at: datetime
    customer_id: str | None = None
    decided_by: str | None = None  # the token name that approved or denied it
    decided_at: datetime | None = None
    decision_reason: str | None = None
    error: dict[str, Any] | None = None  # the store's refusal, for a failed execution

    @classmethod
    def of(cls, record: HeldOperation) -> Approval:
        return cls(
            **record.model_dump(include=set(cls.model_fields) - {"status", "error"}),
            status=TO_API[record.status],
            error=_store_error(record.error),
        )


def _store_error(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        error = json.loads(text)
    except json.JSONDecodeError:
        return {"message": text}
    return error if isinstance(error, dict) else {"message": str(error)}


class NewToken(BaseModel):
    name: str = Field(pattern=NAME_PATTERN)
    role: Role


class CreatedToken(TokenRecord):
    token: str = Field(description="shown once: only its hash is kept")


class WorkersState(BaseModel):
    size: int
    ready: int
    busy: int
    error: str | None


class ServiceStatus(BaseModel):
    workers: WorkersState
    runs: dict[str, int]  # by status: queued, running, done
    open_escalations: int
    webhook: dict[str, int] | None  # pending and delivered; None without a webhook
