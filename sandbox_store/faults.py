"""Fault injection for the sandbox store (CONTRACTS §5, `SUPPORT_CREW_FAULTS`).

`error=0.2,timeout=0.05,latency_ms=20` makes that share of API calls answer with a server error or
hang past the client's timeout, and adds latency to every call. Like a real network, a fault may
strike *after* the handler committed its write (`after`, default half of the faults): the change
is made and its answer is lost, so only the idempotency key keeps the client's retry from applying
it twice. Optional keys: `hang_ms` (how long a hang lasts, default 3000), `after` (share of faults
injected after the handler, default 0.5), `seed` (for a repeatable sequence).
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_KEYS = ("error", "timeout", "latency_ms", "hang_ms", "after", "seed")


@dataclass(frozen=True)
class FaultPlan:
    error: float = 0.0
    timeout: float = 0.0
    latency_ms: float = 0.0
    hang_ms: float = 3000.0
    after: float = 0.5
    seed: int | None = None

    @property
    def active(self) -> bool:
        return self.error > 0 or self.timeout > 0 or self.latency_ms > 0

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """Parse 'error=0.2,timeout=0.05,latency_ms=20' (empty: no faults)."""
        values: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, sep, raw = part.partition("=")
            key = key.strip()
            if not sep or key not in _KEYS:
                raise ValueError(
                    f"SUPPORT_CREW_FAULTS: cannot read '{part}' in '{spec}'; write key=value pairs "
                    f"separated by commas, with keys among {', '.join(_KEYS)} "
                    "(e.g. 'error=0.2,timeout=0.05,latency_ms=20')."
                )
            try:
                values[key] = int(raw) if key == "seed" else float(raw)
            except ValueError as e:
                raise ValueError(f"SUPPORT_CREW_FAULTS: '{key}' must be a number, got '{raw}'.") from e
        plan = cls(**values)
        for name in ("error", "timeout", "after"):
            if not 0.0 <= getattr(plan, name) <= 1.0:
                raise ValueError(
                    f"SUPPORT_CREW_FAULTS: '{name}' is a share between 0 and 1, got {getattr(plan, name)}."
                )
        if plan.error + plan.timeout > 1.0:
            raise ValueError("SUPPORT_CREW_FAULTS: error + timeout must not exceed 1.")
        if plan.latency_ms < 0 or plan.hang_ms < 0:
            raise ValueError("SUPPORT_CREW_FAULTS: latency_ms and hang_ms cannot be negative.")
        return plan


class FaultStats:
    """Counts of the faults injected so far (tests and drills read them)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts = {"error_before": 0, "error_after": 0, "timeout_before": 0, "timeout_after": 0}

    def add(self, kind: str, after: bool) -> None:
        with self._lock:
            self.counts[f"{kind}_{'after' if after else 'before'}"] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class FaultInjector:
    """ASGI middleware applying a FaultPlan to every HTTP call except the exempt paths (health
    check and export, which belong to the operator, not to the agents)."""

    def __init__(
        self,
        app: ASGIApp,
        plan: FaultPlan,
        stats: FaultStats | None = None,
        exempt: tuple[str, ...] = ("/health", "/export", "/export/changes"),
    ) -> None:
        self.app = app
        self.plan = plan
        self.stats = stats or FaultStats()
        self.exempt = exempt
        self._rng = random.Random(plan.seed)
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.plan.active or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        if self.plan.latency_ms:
            await asyncio.sleep(self.plan.latency_ms / 1000)
        with self._lock:
            draw, after = self._rng.random(), self._rng.random() < self.plan.after
        if draw < self.plan.error:
            self.stats.add("error", after)
            if after:
                await self.app(scope, receive, _discard)
            await _send_error(send, 500 if after else 503)
        elif draw < self.plan.error + self.plan.timeout:
            self.stats.add("timeout", after)
            if after:
                await self.app(scope, receive, _discard)
                await asyncio.sleep(self.plan.hang_ms / 1000)
                await _send_error(send, 504)
            else:  # arrives late: the client has given up, the request still runs
                await asyncio.sleep(self.plan.hang_ms / 1000)
                await self.app(scope, receive, send)
        else:
            await self.app(scope, receive, send)


async def _discard(message: Message) -> None:
    """Swallow the handler's answer: the work is done, the answer is lost."""


async def _send_error(send: Send, status: int) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "injected_fault",
                "message": "Injected server fault (SUPPORT_CREW_FAULTS); retry with the same idempotency key.",
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
