"""The reviewers' console, served by the service's app at `/`: approvals, escalations, tickets
with their traces, and a dashboard. Server-rendered (Jinja2), a stylesheet and no script, so
there is no build step and nothing is fetched from elsewhere at run time."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from service.console.routes import router
from service.console.web import HERE, ConsoleRefusal, SignInNeeded, visit


def mount(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_exception_handler(SignInNeeded, _sign_in)  # type: ignore[arg-type]
    app.add_exception_handler(ConsoleRefusal, _refused)  # type: ignore[arg-type]


async def _sign_in(request: Request, _error: SignInNeeded) -> Response:
    return RedirectResponse("/login", status_code=303)


async def _refused(request: Request, error: ConsoleRefusal) -> Response:
    current = visit(request, request.app.state.service)
    response: HTMLResponse = current.page("error.html", status=error.status, message=str(error))
    return response
