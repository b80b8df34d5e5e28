"""Who is calling: `Authorization: Bearer TOKEN` checked against the token store, and the role a
route needs. A missing, unknown or revoked token is 401; a role too low, 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.state import ServiceState
from service.tokens import Role, TokenRecord, role_allows

bearer = HTTPBearer(auto_error=False, description="A token made by `support-crew tokens create NAME --role ROLE`.")


def service_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


def require(role: Role) -> Callable[..., TokenRecord]:
    """A dependency giving the caller's token record, when its role includes `role`."""

    def caller(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        state: Annotated[ServiceState, Depends(service_state)],
    ) -> TokenRecord:
        if credentials is None:
            raise _unauthorized("missing token: send the header 'Authorization: Bearer TOKEN'")
        record = state.tokens.authenticate(credentials.credentials)
        if record is None:
            raise _unauthorized("unknown or revoked token")
        if not role_allows(record.role, role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this needs the {role} role; token {record.name!r} is a {record.role}"
            )
        return record

    return caller


def reads_every_ticket(caller: TokenRecord) -> bool:
    """Approvers and admins read every ticket; a submitter only those its token posted."""
    return role_allows(caller.role, "approver")


# What a route declares: `caller: Approver, state: State`.
State = Annotated[ServiceState, Depends(service_state)]
Submitter = Annotated[TokenRecord, Depends(require("submitter"))]
Approver = Annotated[TokenRecord, Depends(require("approver"))]
Admin = Annotated[TokenRecord, Depends(require("admin"))]
