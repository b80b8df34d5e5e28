"""The console's session: a signed cookie (HMAC-SHA256 with a key kept in the data directory)
holding who signed in, the session's CSRF token and a one-shot notice. The API token itself is
never put in the cookie: signing in checks it once and keeps the token's name, and every request
looks the name up again, so a revoked token's sessions end at once.

The cookie is HttpOnly (no script reads it) and SameSite=Strict (no other site's page sends it);
every form also carries the session's CSRF token, checked on every POST, the sign-in form too
(a signed-out visitor gets a session with a token before the form is shown)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request, Response

COOKIE = "sc_console"
MAX_AGE_S = 12 * 3600  # a working day; signing in again is cheap
KEY_FILE = "console.key"


def session_key(data_dir: Path) -> bytes:
    """The signing key, made once per data directory (0600), so sessions survive a restart."""
    path = Path(data_dir) / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


@dataclass
class Session:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    name: str | None = None  # the signed-in token's name
    issued: float = field(default_factory=time.time)
    notice: str | None = None  # shown once on the next page (after a redirect)
    error: bool = False
    changed: bool = True  # written back in the answer

    def say(self, notice: str, *, error: bool = False) -> None:
        self.notice, self.error, self.changed = notice, error, True

    def take_notice(self) -> tuple[str | None, bool]:
        notice, error = self.notice, self.error
        if notice is not None:
            self.notice, self.error, self.changed = None, False, True
        return notice, error


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def encode(session: Session, key: bytes) -> str:
    data = {"c": session.csrf, "n": session.name, "i": session.issued, "m": session.notice, "e": session.error}
    payload = _b64(json.dumps(data, separators=(",", ":")).encode())
    return f"{payload}.{_sign(key, payload)}"


def decode(value: str, key: bytes, *, now: float | None = None) -> Session | None:
    """The session in a cookie, or None when it is forged, damaged or too old."""
    payload, _, signature = value.partition(".")
    if not hmac.compare_digest(_sign(key, payload), signature):
        return None
    try:
        data: dict[str, Any] = json.loads(_unb64(payload))
        session = Session(
            csrf=str(data["c"]),
            name=data["n"],
            issued=float(data["i"]),
            notice=data["m"],
            error=bool(data["e"]),
            changed=False,
        )
    except (ValueError, KeyError, TypeError):
        return None
    return session if (now or time.time()) - session.issued < MAX_AGE_S else None


def read(request: Request, key: bytes) -> Session:
    value = request.cookies.get(COOKIE)
    return (decode(value, key) if value else None) or Session()


def write(response: Response, session: Session, key: bytes) -> None:
    if session.changed:
        response.set_cookie(COOKIE, encode(session, key), max_age=MAX_AGE_S, httponly=True, samesite="strict", path="/")


def csrf_ok(session: Session, sent: object) -> bool:
    return isinstance(sent, str) and hmac.compare_digest(session.csrf.encode(), sent.encode())
