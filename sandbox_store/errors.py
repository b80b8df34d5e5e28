"""The store's own error: a stable code, a message that says what to do, and the HTTP status the
API answers with. Tools map these onto typed tool errors on the client side."""

from __future__ import annotations


class StoreError(Exception):
    """A refused request. 404: a record does not exist; 409: an idempotency key reused for another
    request; 422: a precondition of CONTRACTS §2 or an argument failed."""

    def __init__(self, code: str, message: str, *, status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def to_body(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class NotFound(StoreError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, status=404)
