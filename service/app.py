"""The service's FastAPI app (`support-crew serve`, CONTRACTS §6), built by `create_app` so the
console can be mounted on the same app and tests can drive it.

Starting the app (its lifespan) opens the service (service/state.py): the queue, the store, the
warm workers, the webhook sender; `app.state.service` holds them for the routes. Bad input is a
4xx that says what is wrong: 422 names the field, and never echoes the input back.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from core.settings import Settings
from service import console
from service.body_limit import BodyLimit
from service.routes import approvals, escalations, health, tickets, tokens
from service.state import open_service
from storage.database import UNAVAILABLE_ERRORS

log = logging.getLogger("support_crew.service")

DESCRIPTION = """Support Crew as a service: helpdesks post tickets and follow-ups and read results (or
receive them on a signed webhook); reviewers decide approvals and answer escalations.

Every path but `/api/health` needs `Authorization: Bearer TOKEN` (`support-crew tokens create NAME
--role submitter|approver|admin`). Roles include the ones before: submitter (tickets), approver
(approvals, escalations, every ticket), admin (tokens)."""


def create_app(settings: Settings, *, workers: int = 1) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as stack:
            with _uvicorn_logging_kept():
                app.state.service = stack.enter_context(open_service(settings, workers=workers))
            yield

    app = FastAPI(title="Support Crew", version="1", description=DESCRIPTION, lifespan=lifespan)
    for router in (health.router, tickets.router, approvals.router, escalations.router, tokens.router):
        app.include_router(router)
    console.mount(app)  # the reviewers' console at / (service/console/)
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    for busy in UNAVAILABLE_ERRORS:
        app.add_exception_handler(busy, _database_busy)
    app.add_middleware(BodyLimit)
    return app


@contextmanager
def _uvicorn_logging_kept() -> Iterator[None]:
    """The bundled sandbox store is a uvicorn server of its own, quiet by design, and uvicorn sets
    its log levels and access-log handlers process-wide: keep this server's as they were."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {name: (lg.level, list(lg.handlers), lg.propagate) for name in names for lg in [logging.getLogger(name)]}
    try:
        yield
    finally:
        for name, (level, handlers, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate


async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 with each problem's place (`body.id`, `query.status`) and message; the input is not
    echoed (it may be a customer's message)."""
    problems = [
        {"loc": [str(part) for part in problem["loc"]], "msg": problem["msg"], "type": problem["type"]}
        for problem in error.errors()
    ]
    message = "; ".join(f"{'.'.join(p['loc'])}: {p['msg']}" for p in problems)
    if "json" not in request.headers.get("content-type", "") and any(p["loc"] == ["body"] for p in problems):
        # the body was not read as JSON at all (kept strict: a browser cannot send JSON cross-site)
        message += "; send the body as JSON with the header 'Content-Type: application/json'"
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": problems, "message": message}
    )


async def _database_busy(request: Request, error: Exception) -> JSONResponse:
    """The service database stayed locked past its timeout, or PostgreSQL is out of reach for now:
    nothing was changed, try again. Any other SQLite error is a fault (500)."""
    transient = not isinstance(error, sqlite3.OperationalError) or "locked" in str(error) or "busy" in str(error)
    if not transient:
        log.error("service database error on %s %s", request.method, request.url.path, exc_info=error)
        return JSONResponse(status_code=500, content={"detail": "the service's database failed; see the service log"})
    log.warning("service database busy on %s %s: %s", request.method, request.url.path, error)
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": "the service's database is busy; nothing was changed, retry shortly"},
        headers={"Retry-After": "1"},
    )
