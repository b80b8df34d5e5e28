"""The signed webhook: a background thread POSTs the outbox's deliveries to SUPPORT_CREW_WEBHOOK_URL.

Each request carries the exact JSON the outbox holds, and
`X-Support-Crew-Signature: sha256=<hex HMAC-SHA256 of the raw body with SUPPORT_CREW_WEBHOOK_SECRET>`,
`X-Support-Crew-Event` (`ticket.finished`: the body is the result, CONTRACTS §3;
`escalation.replied`: a person's answer) and `X-Support-Crew-Delivery` (the same on every retry of
one delivery: deliveries are at least once). A 2xx answer delivers it; anything else is retried
after 1, 2, 4 ... seconds, at most 5 minutes apart, for as long as the service runs, and after a
restart.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from service.outbox import Delivery, Outbox

log = logging.getLogger("support_crew.service")

SIGNATURE_HEADER = "X-Support-Crew-Signature"
EVENT_HEADER = "X-Support-Crew-Event"
DELIVERY_HEADER = "X-Support-Crew-Delivery"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does with the header (compare in constant time)."""
    return hmac.compare_digest(sign(secret, body), signature)


def retry_delay_s(attempts: int, *, base_s: float = 1.0, max_s: float = 300.0) -> float:
    """Wait before the next try, after `attempts` failed ones: base, 2 base, 4 base ... capped."""
    return float(min(max_s, base_s * 2 ** max(0, attempts - 1)))


class WebhookSender:
    def __init__(
        self,
        outbox: Outbox,
        *,
        url: str,
        secret: str,
        timeout_s: float = 10.0,
        base_s: float = 1.0,
        max_s: float = 300.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.outbox = outbox
        self.url = url
        self._secret = secret
        self._base_s, self._max_s = base_s, max_s
        self._now = now
        self._client = httpx.Client(timeout=timeout_s, headers={"Content-Type": "application/json"})
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="support-crew-webhook", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=15)
        self._client.close()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.deliver_due()
                wait_s = self._seconds_to_next()
            except Exception:  # a database hiccup must not end deliveries for the service's life
                log.exception("webhook delivery round failed")
                wait_s = 5.0
            self._wake.wait(timeout=wait_s)
            self._wake.clear()

    def deliver_due(self) -> int:
        """Try every delivery that is due; how many were accepted."""
        accepted = 0
        for delivery in self.outbox.due(now=self._stamp()):
            if self._stopping.is_set():
                break
            accepted += self._send(delivery)
        return accepted

    def _send(self, delivery: Delivery) -> bool:
        body = delivery.body.encode()
        headers = {
            SIGNATURE_HEADER: sign(self._secret, body),
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: delivery.id,
        }
        try:
            answer = self._client.post(self.url, content=body, headers=headers)
            error = None if answer.is_success else f"HTTP {answer.status_code}"
        except httpx.HTTPError as e:
            error = f"{type(e).__name__}: {e}"
        if error is None:
            self.outbox.delivered(delivery.id, at=self._stamp())
            return True
        delay = retry_delay_s(delivery.attempts + 1, base_s=self._base_s, max_s=self._max_s)
        self.outbox.failed(delivery.id, error=error, retry_at=self._stamp(timedelta(seconds=delay)))
        log.warning("webhook delivery %s failed (%s); next try in %.0f s", delivery.id, error, delay)
        return False

    def _stamp(self, later: timedelta = timedelta(0)) -> str:
        return (self._now() + later).isoformat(timespec="milliseconds")

    def _seconds_to_next(self) -> float:
        due = self.outbox.next_attempt_at()
        if due is None:
            return 60.0
        wait = (datetime.fromisoformat(due) - self._now()).total_seconds()
        return min(60.0, max(0.05, wait))
