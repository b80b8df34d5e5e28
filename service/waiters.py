"""Requests waiting for a ticket's run to finish (`GET /api/tickets/{id}?wait=S`): a helpdesk gets
the result the moment it is recorded instead of polling. Waiters live on the server's event loop;
the dispatcher's thread wakes them when it records a result."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class FinishWaiters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, list[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    @contextmanager
    def waiting(self, ticket_id: str) -> Iterator[asyncio.Event]:
        """An event set at each finished run of the ticket while the block runs (call on the loop)."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiting.setdefault(ticket_id, []).append(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                entries = self._waiting.get(ticket_id, [])
                entries.remove(entry)
                if not entries:
                    self._waiting.pop(ticket_id, None)

    def finished(self, ticket_id: str) -> None:
        """A run of the ticket finished (from any thread)."""
        with self._lock:
            entries = list(self._waiting.get(ticket_id, []))
        for loop, event in entries:
            loop.call_soon_threadsafe(event.set)
