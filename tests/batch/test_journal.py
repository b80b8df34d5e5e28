"""The journal's bookkeeping: states, attempts, locking, and putting OUT right after a kill."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from backlog.journal import BatchLocked, Claim, Journal, JournalError, ResultsFile, reconcile
from core.models import Result, Ticket
from tests.backends import Backend


def ticket(tid: str, body: str = "please help", tags: list[str] | None = None) -> Ticket:
    return Ticket(id=tid, body=body, tags=tags or [])


def result(tid: str, outcome: str = "resolved") -> Result:
    return Result(ticket_id=tid, outcome=outcome, reply=f"reply to {tid}")


def test_states_attempts_and_results(tmp_path: Path, backend: Backend) -> None:
    with Journal(tmp_path / "data", database_url=backend.url) as journal:
        batch = journal.batch(tmp_path / "out.jsonl", tmp_path / "in.jsonl")
        report = batch.enqueue([ticket("A", tags=["cancel"]), ticket("B")])
        assert report.new == ["A", "B"]
        assert batch.states() == {"A": "queued", "B": "queued"}
        assert batch.start("A", pid=111) == 1
        assert batch.start("A", pid=222) == 2  # run again after an interruption
        line = batch.finish(result("A"))
        assert Result.model_validate_json(line).ticket_id == "A"
        assert batch.states() == {"A": "done", "B": "queued"}
        assert batch.tags() == {"A": ["cancel"], "B": []}
        with pytest.raises(JournalError, match="not queued"):
            batch.start("A", pid=333)  # a finished ticket never runs again
        # enqueueing again adds nothing and notices a finished ticket whose input changed
        again = batch.enqueue([ticket("A", body="changed text"), ticket("B"), ticket("C")])
        assert again.new == ["C"] and again.changed_done == ["A"]
        assert batch.in_path == (tmp_path / "in.jsonl").resolve()


def test_the_journal_survives_reopening_and_batches_are_keyed_by_out(tmp_path: Path, backend: Backend) -> None:
    with Journal(tmp_path, database_url=backend.url) as journal:
        first = journal.batch(tmp_path / "out.jsonl")
        first.enqueue([ticket("A")])
        first.start("A", pid=1)
    with Journal(tmp_path, database_url=backend.url) as journal:
        assert journal.batch(tmp_path / "sub" / ".." / "out.jsonl").states() == {"A": "running"}
        assert journal.batch(tmp_path / "other.jsonl").states() == {}
        assert journal.find_batch(tmp_path / "never.jsonl") is None


def test_one_batch_per_out_at_a_time(tmp_path: Path, backend: Backend) -> None:
    with Journal(tmp_path, database_url=backend.url) as journal, journal.lock(tmp_path / "out.jsonl"):
        with pytest.raises(BatchLocked, match="already writing"), journal.lock(tmp_path / "out.jsonl"):
            pass
        with journal.lock(tmp_path / "another.jsonl"):  # a different OUT is a different batch
            pass
    with Journal(tmp_path, database_url=backend.url) as journal, journal.lock(tmp_path / "out.jsonl"):
        pass  # released with the first holder


def test_reconcile_cuts_a_partial_line_and_restores_results_the_file_lacks(tmp_path: Path, backend: Backend) -> None:
    out = tmp_path / "out.jsonl"
    with Journal(tmp_path, database_url=backend.url) as journal:
        batch = journal.batch(out)
        batch.enqueue([ticket("A"), ticket("B"), ticket("C")])
        line_a = batch.finish(result("A"))
        batch.finish(result("B"))  # committed, then killed before its line reached OUT
        partial = result("C").model_dump_json()[:25]  # killed in the middle of writing C's line
        out.write_text(line_a + "\n" + partial)

        results_file = ResultsFile(out)
        report = reconcile(batch, results_file)
        results_file.close()

        assert report.dropped_partial_line
        assert report.restored == ["B"]
        lines = out.read_text().splitlines()
        assert [Result.model_validate_json(x).ticket_id for x in lines] == ["A", "B"]
        assert batch.states()["C"] == "queued"  # C runs (again)


def test_reconcile_keeps_a_complete_last_line_missing_its_newline(tmp_path: Path, backend: Backend) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(result("A").model_dump_json())
    with Journal(tmp_path, database_url=backend.url) as journal:
        batch = journal.batch(out)
        report = reconcile(batch, ResultsFile(out))
        assert not report.dropped_partial_line
        # a result found in OUT but unknown to the journal (journal deleted) counts as done
        assert batch.states() == {"A": "done"}
        assert out.read_text().endswith("\n")


def test_reconcile_refuses_to_guess_about_a_damaged_file(tmp_path: Path, backend: Backend) -> None:
    out = tmp_path / "out.jsonl"
    with Journal(tmp_path, database_url=backend.url) as journal:
        batch = journal.batch(out)
        out.write_text(result("A").model_dump_json() + "\nnot json\n" + result("B").model_dump_json() + "\n")
        with pytest.raises(JournalError, match=r"out.jsonl:2: not a result line"):
            reconcile(batch, ResultsFile(out))
        out.write_text(result("A").model_dump_json() + "\n" + result("A").model_dump_json() + "\n")
        with pytest.raises(JournalError, match=r"out.jsonl:2: a second result for ticket A"):
            reconcile(batch, ResultsFile(out))


# --- the fleet's side: leases, first result wins, racing claims -----------------------------------
def test_a_fleet_claim_waits_for_a_live_worker_and_takes_over_a_quiet_one(tmp_path: Path, backend: Backend) -> None:
    with Journal(tmp_path, database_url=backend.url) as journal:
        batch = journal.batch(tmp_path / "out.jsonl")
        batch.enqueue([ticket("T-1")])

        assert batch.claim_lease("T-1", worker="host-a:1", pid=1, lease_s=30) == Claim("claimed", 1)
        assert batch.heartbeat("T-1", worker="host-a:1")
        # host-a heartbeats: another worker handed the same task finds it busy
        assert batch.claim_lease("T-1", worker="host-b:2", pid=2, lease_s=30).status == "busy"
        assert batch.stale_running(30) == []
        time.sleep(0.01)
        # host-a went quiet longer than the lease (0 s here): taken over, and host-a learns it
        assert batch.stale_running(0) == ["T-1"]
        assert batch.claim_lease("T-1", worker="host-b:2", pid=2, lease_s=0) == Claim("claimed", 2)
        assert not batch.heartbeat("T-1", worker="host-a:1") and batch.heartbeat("T-1", worker="host-b:2")

        batch.finish(result("T-1", "resolved"), keep_first=True)
        # host-a comes back with a result of its own: the first recorded one stays
        line = batch.finish(result("T-1", "escalated"), keep_first=True)
        assert Result.model_validate_json(line).outcome == "resolved"
        assert batch.claim_lease("T-1", worker="host-c:3", pid=3, lease_s=30).status == "done"
        assert batch.claim_lease("T-9", worker="host-c:3", pid=3, lease_s=30).status == "done"  # unknown


def test_one_batch_per_out_across_machines(tmp_path: Path, postgres_url: str) -> None:
    """Two batches writing the same OUT path from two data directories (two machines: their
    file locks know nothing of each other) share one journal in PostgreSQL: the second is refused."""
    out = tmp_path / "out.jsonl"
    first, second = (
        Journal(tmp_path / "a", database_url=postgres_url),
        Journal(tmp_path / "b", database_url=postgres_url),
    )
    with first.lock(out), pytest.raises(BatchLocked, match="on another machine"), second.lock(out):
        pass
    with second.lock(out):  # released with the first batch
        pass


def test_racing_fleet_claims_give_the_ticket_to_one_worker(tmp_path: Path, backend: Backend) -> None:
    with Journal(tmp_path, database_url=backend.url) as journal:
        batch = journal.batch(tmp_path / "out.jsonl")
        batch.enqueue([ticket("T-1")])
    start = threading.Barrier(6)
    claims: list[str] = []

    def claimer(n: int) -> None:
        own = Journal(tmp_path, database_url=backend.url).batch(tmp_path / "out.jsonl")  # its own connections
        start.wait()
        claims.append(own.claim_lease("T-1", worker=f"host-{n}:{n}", pid=n, lease_s=30).status)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claims) == ["busy"] * 5 + ["claimed"]


def test_a_file_of_an_earlier_release_is_migrated_in_place(tmp_path: Path) -> None:
    """journal.db files numbered their one migration in PRAGMA user_version: it is adopted, and
    the fleet's columns are added without losing a row."""
    import sqlite3

    from backlog.journal import _MIGRATIONS

    path = tmp_path / "journal.db"
    with sqlite3.connect(path) as db:
        db.executescript(_MIGRATIONS[0][1])
        db.execute("INSERT INTO batches VALUES ('k', NULL, 't', 't')")
        db.execute("INSERT INTO tickets(batch_key, ticket_id, state) VALUES ('k', 'T-1', 'queued')")
        db.execute("PRAGMA user_version = 1")
    with Journal(tmp_path) as journal:
        assert journal.named_batch("k").states() == {"T-1": "queued"}
        assert journal.db.schema_version() == 2
