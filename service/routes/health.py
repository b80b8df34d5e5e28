"""`GET /api/health` (no token: load balancers and probes call it) and `GET /api/status`."""

from __future__ import annotations

from fastapi import APIRouter

from service.api_models import Health, ServiceStatus, WorkersState
from service.auth import State, Submitter

router = APIRouter(tags=["service"])


@router.get("/api/health", response_model=Health)
def health() -> Health:
    """The service answers (no token needed)."""
    return Health()


@router.get("/api/status", response_model=ServiceStatus)
def service_status(_caller: Submitter, state: State) -> ServiceStatus:
    """Workers (ready, busy), runs by status, open escalations and the webhook's backlog."""
    pool = state.dispatcher.state
    return ServiceStatus(
        workers=WorkersState(size=pool.workers, ready=pool.ready, busy=pool.busy, error=pool.error),
        runs=state.queue.counts(),
        open_escalations=len(state.inbox.list(status="open")),
        webhook=state.outbox.counts() if state.outbox.enabled else None,
    )
