"""Tokens over the API (admins): create one (shown once), list them, revoke one."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from service.api_models import CreatedToken, NewToken
from service.auth import Admin, State
from service.tokens import TokenConflict, TokenNotFound, TokenRecord

router = APIRouter(tags=["tokens"])


@router.post(
    "/api/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=CreatedToken,
    responses={409: {"description": "the name is taken (names are never reused)"}},
)
def create_token(new: NewToken, _caller: Admin, state: State) -> CreatedToken:
    """A new token: the answer is the only time it is shown."""
    try:
        record, token = state.tokens.create(name=new.name, role=new.role)
    except TokenConflict as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from e
    return CreatedToken(**record.model_dump(), token=token)


@router.get("/api/tokens", response_model=list[TokenRecord])
def list_tokens(_caller: Admin, state: State) -> list[TokenRecord]:
    return state.tokens.list()


@router.delete(
    "/api/tokens/{name}",
    response_model=TokenRecord,
    responses={404: {"description": "no such token"}, 409: {"description": "revoked already"}},
)
def revoke_token(name: str, _caller: Admin, state: State) -> TokenRecord:
    """Revoke it: it gets 401 from now on (what it decided keeps its name)."""
    try:
        return state.tokens.revoke(name)
    except TokenNotFound as e:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(e)) from e
    except TokenConflict as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from e
