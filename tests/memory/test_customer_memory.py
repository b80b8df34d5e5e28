"""The memory API the runner calls: two tickets of one customer, isolation between customers,
persistence across a restart, forgetting, and degradation when ChromaDB fails."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.models import ActionRecord, Result, Ticket
from memory.customer_memory import CustomerMemory, MemoryUnavailable

ALICE, BOB = "alice_smith_1001", "bob_jones_2002"

FIRST = Ticket(
    id="T-1",
    body=(
        "Hi, please return the Water Bottle from order #W1111111. From now on I'd like all my refunds "
        "to go to my gift card, please. Alice Smith, zip 10001"
    ),
)
FIRST_RESULT = Result(
    ticket_id="T-1",
    outcome="resolved",
    reply="Done.",
    customer_id=ALICE,
    agents=["Returns"],
    actions=[
        ActionRecord(
            name="return_delivered_order_items",
            status="done",
            arguments={"order_id": "#W1111111", "item_ids": ["123"], "payment_method_id": "gift_card_555"},
        )
    ],
)
SECOND_TEXT = "Hello, I'd like to return the Yoga Mat from order #W2222222. Alice Smith, zip 10001"
OTHER_TEXT = "Hello, I'd like to return the Yoga Mat from order #W3333333. Bob Jones, zip 20002"


@pytest.fixture
def memory(tmp_path) -> CustomerMemory:
    return CustomerMemory(tmp_path)


def test_a_stated_preference_is_recalled_at_the_next_ticket_of_the_same_customer(memory):
    assert memory.remember(ALICE, FIRST, FIRST_RESULT) is None
    recalled = memory.recall(ALICE, SECOND_TEXT)
    assert recalled.degraded is None
    assert "gift card" not in SECOND_TEXT
    assert "Stated in ticket T-1: From now on, refunds go to my gift card." in recalled.customer_facts
    assert "Stated in ticket T-1: From now on, refunds go to my gift card." in recalled.text
    assert any(f.startswith("Earlier ticket T-1: outcome resolved") for f in recalled.customer_facts)
    # the return resolution is similar to the new request
    assert any("return items of a delivered order" in r for r in recalled.resolutions)


def test_another_customer_gets_nothing_of_it(memory):
    memory.remember(ALICE, FIRST, FIRST_RESULT)
    recalled = memory.recall(BOB, OTHER_TEXT)
    assert recalled.degraded is None
    assert recalled.customer_facts == []
    for private in ("T-1", "W1111111", "gift_card_555", ALICE, "Alice", "refunds go to"):
        assert private not in recalled.text
    # the shared long-term layer still helps, without Alice's data
    assert any("return items of a delivered order" in r for r in recalled.resolutions)


def test_customer_scopes_are_exact(memory):
    memory.remember("cust_1", FIRST, FIRST_RESULT)
    assert memory.recall("cust_10", SECOND_TEXT).customer_facts == []
    assert memory.recall("cust", SECOND_TEXT).customer_facts == []


def test_a_newer_preference_replaces_the_older_one(memory):
    memory.remember(ALICE, FIRST, FIRST_RESULT)
    later = Ticket(id="T-5", body="Please always refund me on PayPal from now on.")
    memory.remember(ALICE, later, Result(ticket_id="T-5", outcome="resolved", reply="Noted."))
    facts = memory.recall(ALICE, SECOND_TEXT).customer_facts
    assert [f for f in facts if "refunds go to" in f] == ["Stated in ticket T-5: From now on, refunds go to my PayPal."]


def test_recurring_problems_are_called_out(memory):
    for tid in ("T-1", "T-2"):
        ticket = Ticket(id=tid, body="My Bluetooth Speaker won't pair with my phone.")
        memory.remember(ALICE, ticket, Result(ticket_id=tid, outcome="resolved", reply="Try a reset."))
    facts = memory.recall(ALICE, "The speaker again").customer_facts
    assert "Recurring problem: Bluetooth Speaker (reported in tickets T-1, T-2)" in facts


def test_memory_survives_a_restart(tmp_path):
    script = textwrap.dedent(f"""
        from pathlib import Path
        from memory.customer_memory import open_customer_memory
        from tests.memory.test_customer_memory import ALICE, FIRST, FIRST_RESULT
        note = open_customer_memory(Path({str(tmp_path)!r})).remember(ALICE, FIRST, FIRST_RESULT)
        assert note is None, note
    """)
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", script], check=True, cwd=root, timeout=300)
    recalled = CustomerMemory(tmp_path).recall(ALICE, SECOND_TEXT)  # this process never opened it
    assert "Stated in ticket T-1: From now on, refunds go to my gift card." in recalled.customer_facts


def test_show_and_forget_everything_about_one_customer(memory):
    memory.remember(ALICE, FIRST, FIRST_RESULT)
    memory.remember(BOB, Ticket(id="T-2", body=OTHER_TEXT), Result(ticket_id="T-2", outcome="resolved", reply="."))
    shown = memory.show(ALICE)
    assert {r.metadata["customer_id"] for r in shown} == {ALICE}
    assert any(r.scope == "/resolutions" for r in shown)  # the summary made from Alice's ticket
    assert memory.forget(ALICE) == len(shown)
    assert memory.show(ALICE) == []
    assert memory.recall(ALICE, SECOND_TEXT).customer_facts == []
    assert memory.show(BOB)  # Bob is untouched


def test_no_llm_is_ever_needed(memory):
    memory.remember(ALICE, FIRST, FIRST_RESULT)
    local, _ = memory._open()
    with pytest.raises(RuntimeError, match="no LLM calls"):
        _ = local._llm  # the only way to an LLM inside CrewAI's Memory, and it refuses
    assert memory.recall(ALICE, SECOND_TEXT).degraded is None


def test_a_chromadb_failure_never_blocks_the_ticket(tmp_path):
    def broken(_: Path):
        raise RuntimeError("chroma is down")

    memory = CustomerMemory(tmp_path, backend_factory=broken)
    recalled = memory.recall(ALICE, SECOND_TEXT)
    assert recalled.text == "" and recalled.degraded is not None
    assert "memory unavailable" in recalled.degraded and "chroma is down" in recalled.degraded
    note = memory.remember(ALICE, FIRST, FIRST_RESULT)
    assert note is not None and "remember failed" in note
    with pytest.raises(MemoryUnavailable, match="chroma is down"):
        memory.forget(ALICE)


def test_an_unusable_data_directory_degrades_too(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    recalled = CustomerMemory(not_a_dir).recall(ALICE, SECOND_TEXT)
    assert recalled.degraded is not None and "memory unavailable" in recalled.degraded


def test_invalid_customer_ids_are_refused(memory):
    with pytest.raises(ValueError, match="cannot name a memory scope"):
        memory.forget("../../etc")
    assert memory.recall("a/b", SECOND_TEXT).degraded is not None


def test_concurrent_tickets_share_one_memory_safely(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from memory.customer_memory import open_customer_memory

    def one_ticket(n: int) -> tuple[str | None, list[str]]:
        memory = open_customer_memory(tmp_path)  # first use from several threads at once
        ticket = Ticket(id=f"C-{n}", body=f"Please always refund me to my Visa ending in {1000 + n}.")
        note = memory.remember(f"cust_{n}", ticket, Result(ticket_id=ticket.id, outcome="resolved", reply="."))
        return note, memory.recall(f"cust_{n}", "refund please").customer_facts

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(one_ticket, range(8)))
    for n, (note, facts) in enumerate(results):
        assert note is None
        assert [f for f in facts if "refunds go to" in f] == [
            f"Stated in ticket C-{n}: From now on, refunds go to my Visa ending in {1000 + n}."
        ]


def test_only_the_newest_ticket_notes_are_kept(memory, monkeypatch):
    from memory import customer_memory

    monkeypatch.setattr(customer_memory, "MAX_TICKET_NOTES_PER_CUSTOMER", 3)
    memory.remember(ALICE, FIRST, FIRST_RESULT)  # a stated preference and an outcome
    for n in range(2, 6):
        memory.remember(
            ALICE,
            Ticket(id=f"T-{n}", body="Where is my order?"),
            Result(ticket_id=f"T-{n}", outcome="resolved", reply="."),
        )
    facts = memory.recall(ALICE, SECOND_TEXT).customer_facts
    assert "Stated in ticket T-1: From now on, refunds go to my gift card." in facts  # keyed: kept
    outcomes = [f.split(":")[0] for f in facts if f.startswith("Earlier ticket")]
    assert outcomes == ["Earlier ticket T-5", "Earlier ticket T-4", "Earlier ticket T-3"]
