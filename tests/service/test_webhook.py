"""The signed webhook: each finished ticket's result is POSTed with an HMAC-SHA256 signature of
the raw body; a refused delivery is retried with exponential backoff from the durable outbox
(its redelivery after a restart is in test_restart.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from service.database import ServiceDatabase, utc_now
from service.outbox import Outbox
from service.webhook import WebhookSender, retry_delay_s, sign, verify
from tests.backends import Backend
from tests.service.conftest import WEBHOOK_SECRET, Service
from tests.service.receiver import Receiver


def test_a_finished_ticket_is_posted_signed_with_its_result(service: Service) -> None:
    ticket = {
        "id": "API-HOOK-1",
        "from_email": "yara.ito7353@example.com",
        "body": "Is the Bluetooth Speaker in stock?",
    }
    assert service.post_ticket(ticket).status_code == 202
    result = service.wait_done("API-HOOK-1")["result"]

    [delivery] = service.receiver.wait_for(lambda r: b'"ticket_id":"API-HOOK-1"' in r.body)
    signature = delivery.headers["X-Support-Crew-Signature"]
    assert signature.startswith("sha256=") and verify(WEBHOOK_SECRET, delivery.body, signature)
    assert not verify("another secret", delivery.body, signature)
    assert delivery.headers["X-Support-Crew-Event"] == "ticket.finished"
    assert delivery.headers["X-Support-Crew-Delivery"].startswith("dlv-")
    assert json.loads(delivery.body) == result


def test_signature_is_hmac_sha256_of_the_raw_body() -> None:
    import hashlib
    import hmac

    body = b'{"ticket_id": "T-1"}'
    assert sign("k", body) == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()


def test_backoff_doubles_up_to_its_cap() -> None:
    assert [retry_delay_s(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert retry_delay_s(30) == 300.0


def test_a_refused_delivery_is_retried_until_accepted(tmp_path: Path, backend: Backend) -> None:
    receiver = Receiver()
    receiver.status = 503
    db = ServiceDatabase(backend.database("service"))
    outbox = Outbox(db, enabled=True)
    with db.transaction() as conn:
        outbox.add(conn, event="ticket.finished", ticket_id="T-9", body='{"ticket_id": "T-9"}', at=utc_now())
    sender = WebhookSender(outbox, url=receiver.url, secret="s", base_s=0.1)
    sender.start()
    try:
        receiver.wait_for(lambda r: r.answered == 503)
        assert outbox.counts() == {"pending": 1, "delivered": 0}
        receiver.status = 200
        [accepted] = receiver.wait_for(lambda r: r.answered == 200, timeout_s=10)
        deadline = time.monotonic() + 5
        while outbox.counts()["delivered"] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert outbox.counts() == {"pending": 0, "delivered": 1}
        ids = {r.headers["X-Support-Crew-Delivery"] for r in receiver.received}
        assert len(ids) == 1  # every try of one delivery carries the same id
        assert verify("s", accepted.body, accepted.headers["X-Support-Crew-Signature"])
    finally:
        sender.stop()
        receiver.close()


def test_without_a_webhook_nothing_waits_in_the_outbox(tmp_path: Path, backend: Backend) -> None:
    db = ServiceDatabase(backend.database("service"))
    outbox = Outbox(db, enabled=False)
    with db.transaction() as conn:
        assert outbox.add(conn, event="ticket.finished", ticket_id="T", body="{}", at=utc_now()) is None
    assert outbox.counts() == {"pending": 0, "delivered": 0}
