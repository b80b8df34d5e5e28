"""What every console page shares: the visit (the request, the service, the session and who is
signed in), rendering a template with the security headers, redirects that carry a notice, and
the checks a page or a form needs (signed in, the approver role, the CSRF token)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from safety.pii import redact_for_log
from service.auth import State
from service.console import session as sessions
from service.state import ServiceState
from service.tokens import TokenRecord, role_allows

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
# Customer data is shown as traces keep it: PII replaced, e-mails masked (safety/pii.py).
templates.env.filters["redact"] = redact_for_log
# No script or style from anywhere but this app, no framing: the console decides money.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class SignInNeeded(Exception):
    """Not signed in (or the token was revoked since): go to the sign-in page."""


class ConsoleRefusal(Exception):
    """A page or form this visitor may not use: an error page with this status and text."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _key(request: Request, state: ServiceState) -> bytes:
    key: bytes | None = getattr(request.app.state, "console_key", None)
    if key is None:
        key = request.app.state.console_key = sessions.session_key(state.settings.resolved_data_dir)
    return key


@dataclass
class Visit:
    request: Request
    state: ServiceState
    session: sessions.Session
    key: bytes
    user: TokenRecord | None

    @property
    def is_approver(self) -> bool:
        return self.user is not None and role_allows(self.user.role, "approver")

    def page(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        notice, error = self.session.take_notice()
        response = templates.TemplateResponse(
            self.request,
            template,
            {
                "user": self.user,
                "is_approver": self.is_approver,
                "csrf": self.session.csrf,
                "notice": notice,
                "notice_error": error,
                "now": datetime.now(UTC),
                **context,
            },
            status_code=status,
            headers=HEADERS,
        )
        sessions.write(response, self.session, self.key)
        return response

    def redirect(self, url: str, notice: str | None = None, *, error: bool = False) -> RedirectResponse:
        if notice is not None:
            self.session.say(notice, error=error)
        response = RedirectResponse(url, status_code=303)
        sessions.write(response, self.session, self.key)
        return response


def visit(request: Request, state: State) -> Visit:
    key = _key(request, state)
    session = sessions.read(request, key)
    user = None
    if session.name is not None:
        user = next((t for t in state.tokens.list() if t.name == session.name and not t.revoked), None)
    return Visit(request, state, session, key, user)


def signed_in(current: Annotated[Visit, Depends(visit)]) -> Visit:
    if current.user is None:
        raise SignInNeeded
    return current


def approver(current: Annotated[Visit, Depends(signed_in)]) -> Visit:
    if not current.is_approver:
        raise ConsoleRefusal(403, "This page is for approvers: sign in with an approver's token.")
    return current


async def form(request: Request, current: Annotated[Visit, Depends(visit)]) -> FormData:
    """The posted form, once its CSRF token matches the session's; else 403 and nothing done."""
    posted = await request.form()
    if not sessions.csrf_ok(current.session, posted.get("csrf")):
        raise ConsoleRefusal(403, "The form's security token is missing or stale: reload the page and try again.")
    return posted


Anyone = Annotated[Visit, Depends(visit)]
SignedIn = Annotated[Visit, Depends(signed_in)]
ApproverVisit = Annotated[Visit, Depends(approver)]
Form = Annotated[FormData, Depends(form)]
