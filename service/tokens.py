"""API tokens and their roles. A token is shown once, when it is made; the database keeps only
its SHA-256 hash (a token is 256 random bits, so a plain hash is as good as a slow one: there is
nothing to guess). Names are never reused, even after a revoke, so a decision recorded under a
name always points at one token."""

from __future__ import annotations

import builtins
import hashlib
import re
import secrets
from typing import Literal, get_args

from pydantic import BaseModel

from service.database import ServiceDatabase, utc_now
from storage.database import INTEGRITY_ERRORS

Role = Literal["submitter", "approver", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
NAME_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
TOKEN_PREFIX = "sc_"


def role_allows(role: str, needed: Role) -> bool:
    """Each role includes the ones before it: submitter < approver < admin."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenError(Exception):
    """A token request that cannot be carried out; the message says why."""


class TokenConflict(TokenError):
    """The name is taken, or the token was revoked already."""


class TokenNotFound(TokenError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no token named {name!r} (see `support-crew tokens list`)")


class TokenRecord(BaseModel):
    name: str
    role: Role
    created_at: str
    revoked_at: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class TokenStore:
    def __init__(self, db: ServiceDatabase) -> None:
        self.db = db

    def create(self, *, name: str, role: Role) -> tuple[TokenRecord, str]:
        """A new token for `name`: its record and the token itself (shown once, never stored)."""
        if not re.fullmatch(NAME_PATTERN, name):
            raise TokenError(f"token name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise TokenError(f"role {role!r}: use one of {', '.join(ROLES)}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = TokenRecord(name=name, role=role, created_at=utc_now())
        try:
            with self.db.transaction() as db:
                db.execute(
                    "INSERT INTO tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
                    (name, role, token_hash(token), record.created_at),
                )
        except INTEGRITY_ERRORS as e:
            raise TokenConflict(f"a token named {name!r} exists already (names are never reused)") from e
        return record, token

    def list(self) -> builtins.list[TokenRecord]:
        with self.db.reading() as db:
            rows = db.execute("SELECT name, role, created_at, revoked_at FROM tokens ORDER BY created_at, name")
            return [TokenRecord.model_validate(dict(row)) for row in rows]

    def get(self, name: str) -> TokenRecord:
        with self.db.reading() as db:
            row = db.execute("SELECT name, role, created_at, revoked_at FROM tokens WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise TokenNotFound(name)
        return TokenRecord.model_validate(dict(row))

    def revoke(self, name: str) -> TokenRecord:
        with self.db.transaction() as db:
            row = db.execute("SELECT revoked_at FROM tokens WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise TokenNotFound(name)
            if row["revoked_at"] is not None:
                raise TokenConflict(f"token {name!r} was revoked already, at {row['revoked_at']}")
            db.execute("UPDATE tokens SET revoked_at = ? WHERE name = ?", (utc_now(), name))
        return self.get(name)

    def authenticate(self, token: str) -> TokenRecord | None:
        """The live token's record; None for an unknown or revoked token."""
        with self.db.reading() as db:
            row = db.execute(
                "SELECT name, role, created_at, revoked_at FROM tokens WHERE token_hash = ?", (token_hash(token),)
            ).fetchone()
        if row is None or row["revoked_at"] is not None:
            return None
        return TokenRecord.model_validate(dict(row))
