"""The dispatcher on the fake runner (tests/batch/fake_runner.py: seconds, not the crew): the
queue's runs are fed to a pool that stays up, a ticket's follow-up runs after it, and a pool whose
workers cannot start is reported (the tickets stay queued) instead of ending the service."""

from __future__ import annotations

import time
from pathlib import Path

from core.models import Ticket
from core.settings import Settings
from service.database import ServiceDatabase
from service.dispatcher import Dispatcher
from service.outbox import Outbox
from service.ticket_queue import TicketQueue
from tests.batch.fake_runner import open_environment, runs_per_ticket

FAKE = "tests.batch.fake_runner"


def _queue(tmp_path: Path) -> TicketQueue:
    db = ServiceDatabase(tmp_path / "service.db")
    return TicketQueue(db, outbox=Outbox(db, enabled=False))


def _until(condition, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_queued_runs_are_fed_to_warm_workers_one_run_of_a_ticket_at_a_time(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    queue = _queue(tmp_path)
    finished: list[str] = []
    with open_environment(settings.model_copy(update={"data_dir": tmp_path})):
        pass  # creates the fake runner's store, tmp_path/fake_store.db
    dispatcher = Dispatcher(
        queue,
        settings=settings,
        workers=2,
        api_url=f"sqlite:{tmp_path / 'fake_store.db'}",
        runner=FAKE,
        on_finished=lambda result: finished.append(result.ticket_id),
    )
    dispatcher.start()
    try:
        for i in range(3):
            queue.submit(Ticket(id=f"D-{i}", body=f"credit {i}"), submitted_by="desk")
        queue.follow_up("D-0", body="and again", author="desk")
        dispatcher.notify()
        _until(lambda: queue.counts()["done"] == 4)
        assert dispatcher.state.ready >= 1 and dispatcher.state.error is None  # the other may still be starting
    finally:
        dispatcher.stop()
    assert sorted(finished) == ["D-0", "D-0", "D-1", "D-2"]
    assert runs_per_ticket(tmp_path) == {"D-0": 2, "D-1": 1, "D-2": 1}


def test_a_pool_that_cannot_start_is_reported_and_its_tickets_stay_queued(tmp_path: Path) -> None:
    queue = _queue(tmp_path)
    queue.submit(Ticket(id="D-9", body="hello"), submitted_by="desk")
    dispatcher = Dispatcher(
        queue,
        settings=Settings(data_dir=tmp_path / "data"),
        workers=1,
        api_url="http://127.0.0.1:9",
        runner="tests.service.no_such_runner",
    )
    dispatcher.start()
    try:
        _until(lambda: dispatcher.state.error is not None)
        assert "no_such_runner" in (dispatcher.state.error or "")
        assert queue.counts() == {"queued": 1, "running": 0, "done": 0}
    finally:
        dispatcher.stop()
