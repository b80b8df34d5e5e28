"""The durable queue without workers: a ticket's runs go one at a time and in order, each with the
thread as it stands when it starts; a run left running by a stopped service is queued again; the
schema is versioned."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models import Escalation, Result, Ticket
from service.database import ServiceDatabase
from service.escalations import EscalationClosed, EscalationInbox
from service.outbox import Outbox
from service.schema import MIGRATIONS
from service.ticket_queue import TicketConflict, TicketQueue
from tests.backends import Backend


@pytest.fixture
def queue(tmp_path: Path, backend: Backend) -> TicketQueue:
    db = ServiceDatabase(backend.database("service"))
    return TicketQueue(db, outbox=Outbox(db, enabled=True))


def _result(ticket_id: str, reply: str, **extra: object) -> Result:
    return Result.model_validate({"ticket_id": ticket_id, "outcome": "resolved", "reply": reply, **extra})


def test_the_schema_is_migrated_once_and_recorded(tmp_path: Path, backend: Backend) -> None:
    db = ServiceDatabase(backend.database("service"))
    ServiceDatabase(backend.database("service"))  # opening again applies nothing twice
    assert db.schema_version() == MIGRATIONS[-1][0]
    with db.reading() as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)


def test_same_ticket_is_one_request_and_another_body_a_conflict(queue: TicketQueue) -> None:
    ticket = Ticket(id="Q-1", body="hello", tags=["a"])
    assert queue.submit(ticket, submitted_by="desk").created
    assert not queue.submit(Ticket.model_validate(ticket.model_dump()), submitted_by="desk").created
    with pytest.raises(TicketConflict):
        queue.submit(Ticket(id="Q-1", body="hello again"), submitted_by="desk")
    assert queue.counts() == {"queued": 1, "running": 0, "done": 0}


def test_runs_of_a_ticket_go_in_order_each_with_the_thread_so_far(queue: TicketQueue) -> None:
    earlier = [{"role": "customer", "body": "first words"}, {"role": "agent", "body": "a reply"}]
    queue.submit(Ticket.model_validate({"id": "Q-2", "body": "now this", "thread": earlier}), submitted_by="desk")
    queue.follow_up("Q-2", body="and also that", author="desk")
    queue.submit(Ticket(id="Q-3", body="other ticket"), submitted_by="desk")

    first = queue.claim(worker_pid=1)
    assert first is not None and (first.ticket.id, first.seq, first.attempt) == ("Q-2", 1, 1)
    assert [m.body for m in first.ticket.thread] == ["first words", "a reply"]
    second = queue.claim(worker_pid=2)  # Q-2's follow-up waits for its first run
    assert second is not None and second.ticket.id == "Q-3"
    assert queue.claim(worker_pid=3) is None

    assert queue.finish(_result("Q-2", "done that"))
    follow = queue.claim(worker_pid=1)
    assert follow is not None and (follow.ticket.id, follow.seq, follow.ticket.body) == ("Q-2", 2, "and also that")
    assert [(m.role, m.body) for m in follow.ticket.thread] == [
        ("customer", "first words"),
        ("agent", "a reply"),
        ("customer", "now this"),
        ("agent", "done that"),
    ]


def test_a_run_left_running_is_queued_again_and_finishes_once(queue: TicketQueue) -> None:
    queue.submit(Ticket(id="Q-4", body="hello"), submitted_by="desk")
    assert queue.claim(worker_pid=1) is not None
    # the service is killed here; at its next start:
    assert queue.requeue_interrupted() == ["Q-4"]
    again = queue.claim(worker_pid=2)
    assert again is not None and again.attempt == 2
    assert queue.finish(_result("Q-4", "hi"))
    assert not queue.finish(_result("Q-4", "a late second result"))  # nothing running: not recorded
    view = queue.view("Q-4")
    assert view.status == "done" and view.result is not None and view.result.reply == "hi"
    assert queue.counts() == {"queued": 0, "running": 0, "done": 1}


def test_an_escalated_result_opens_an_escalation_answered_once(queue: TicketQueue) -> None:
    inbox = EscalationInbox(queue.db, outbox=queue.outbox)
    queue.submit(Ticket(id="Q-5", body="a person please"), submitted_by="desk")
    queue.claim(worker_pid=1)
    escalation = Escalation(reason="asked for a person", priority="high", summary="wants a human about an order")
    queue.finish(_result("Q-5", "A colleague will write to you.", outcome="escalated", escalation=escalation))
    [opened] = inbox.list(status="open")
    assert (opened.ticket_id, opened.priority, opened.reason) == ("Q-5", "high", "asked for a person")

    closed = inbox.reply(opened.id, body="Hi, I'm Sam.", by="sam")
    assert (closed.status, closed.closed_by, closed.answer) == ("closed", "sam", "Hi, I'm Sam.")
    with pytest.raises(EscalationClosed):
        inbox.reply(opened.id, body="again", by="kim")
    assert [(m.role, m.author) for m in queue.view("Q-5").thread] == [
        ("customer", "desk"),
        ("agent", "crew"),
        ("agent", "sam"),
    ]
    assert queue.outbox.counts()["pending"] == 2  # the result, then the person's answer


def test_tickets_are_listed_by_tag_status_and_day(queue: TicketQueue) -> None:
    queue.submit(Ticket(id="L-1", body="one", tags=["vip", "refund"]), submitted_by="desk")
    queue.submit(Ticket(id="L-2", body="two", tags=["refund"]), submitted_by="desk")
    queue.submit(Ticket(id="L-3", body="three"), submitted_by="other")
    assert sorted(t.ticket_id for t in queue.list(tag="refund")) == ["L-1", "L-2"]
    assert [t.ticket_id for t in queue.list(tag="vip")] == ["L-1"]
    assert queue.list(tag="nope") == []
    assert [t.ticket_id for t in queue.list(submitted_by="other", status="queued")] == ["L-3"]
    today = queue.list()[0].created_at[:10]
    assert len(queue.list(day=today)) == 3 and queue.list(day="1999-01-01") == []
