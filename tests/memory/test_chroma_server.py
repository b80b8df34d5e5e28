"""Memory and knowledge on a real ChromaDB server (`chroma run` on loopback) shared by workers
with separate data directories: one customer memory, one knowledge index built once, and a dead
server that degrades a run instead of crashing it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import PROJECT_ROOT, Settings
from memory import knowledge_shared
from memory.chroma_http import ChromaServer, connect
from memory.chroma_store import get_chroma_client
from memory.customer_memory import CustomerMemory, MemoryUnavailable
from memory.knowledge_base import COLLECTION, load_documents, open_passages
from memory.knowledge_indexes import ensure_indexed
from memory.knowledge_shared import READY, SharedKnowledgeIndex, version_of
from memory.service import knowledge_home, open_knowledge, open_memory
from tests.memory.chroma_server import free_port, running_chroma
from tests.memory.test_customer_memory import FIRST, FIRST_RESULT, SECOND_TEXT

PREFERENCE = "Stated in ticket T-1: From now on, refunds go to my gift card."
GRILL_QUESTION = "my grill won't ignite"


def small_knowledge(root: Path, tag: str) -> Path:
    """Two guides and a document naming the test: a knowledge version no other test shares."""
    source = root / "knowledge"
    (source / "guides").mkdir(parents=True)
    for name in ("guides/grill.md", "guides/desk-lamp.md"):
        shutil.copy(PROJECT_ROOT / "knowledge" / name, source / name)
    (source / "about.md").write_text(f"# About this index\n\nBuilt for the test {tag}.\n")
    return source


def passages_of(knowledge_dir: Path) -> tuple[str, int]:
    """The server collection of this knowledge version, and how many passages it must hold."""
    documents = load_documents(knowledge_dir)
    return f"{COLLECTION}-{version_of(documents)}", sum(len(d.sections) for d in documents)


def closed_url() -> tuple[socket.socket, str]:
    """A loopback port bound but not listening: a connection is refused at once."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    return holder, f"http://127.0.0.1:{holder.getsockname()[1]}"


def never_wait(seconds: float) -> None:
    raise AssertionError(f"waited {seconds} s")


def test_two_workers_with_separate_data_dirs_share_memory_and_one_knowledge_index(chroma_server, tmp_path):
    knowledge = small_knowledge(tmp_path, "shared")
    worker_a = textwrap.dedent(f"""
        from pathlib import Path
        from core.settings import Settings
        from memory.service import open_knowledge, open_memory
        from tests.memory.test_customer_memory import FIRST, FIRST_RESULT
        settings = Settings(data_dir=Path({str(tmp_path / "a")!r}), knowledge_dir=Path({str(knowledge)!r}),
                            chroma_url={chroma_server.url!r})
        _, note = open_knowledge(settings)
        assert note is None, note
        memory, note = open_memory(settings)
        assert note is None, note
        assert memory.remember("fleet_alice", FIRST, FIRST_RESULT) is None
    """)
    subprocess.run([sys.executable, "-c", worker_a], check=True, cwd=PROJECT_ROOT, timeout=300)

    settings_b = Settings(data_dir=tmp_path / "b", knowledge_dir=knowledge, chroma_url=chroma_server.url)
    memory, note = open_memory(settings_b)
    assert note is None
    assert PREFERENCE in memory.recall("fleet_alice", SECOND_TEXT).customer_facts  # learned by worker A

    report = ensure_indexed(knowledge_home(settings_b), knowledge)  # what `support-crew knowledge index` runs
    assert not report.changed and len(report.unchanged) == 3
    index, note = open_knowledge(settings_b)
    assert note is None and index.search(GRILL_QUESTION)[0].document == "guides/grill.md"
    name, passages = passages_of(knowledge)
    assert get_chroma_client(ChromaServer.from_url(chroma_server.url)).get_collection(name).count() == passages
    assert not (tmp_path / "a" / "chroma").exists() and not (tmp_path / "b" / "chroma").exists()


def test_workers_starting_at_once_build_the_index_once(chroma_server, tmp_path, monkeypatch):
    knowledge = small_knowledge(tmp_path, "at-once")
    server = ChromaServer.from_url(chroma_server.url)
    embedded: list[str] = []
    add = knowledge_shared.add_passages
    monkeypatch.setattr(knowledge_shared, "add_passages", lambda c, d: (embedded.append(d.name), add(c, d))[1])
    start = threading.Barrier(2)

    def worker() -> SharedKnowledgeIndex:
        index = SharedKnowledgeIndex(server, knowledge, client=connect(server))  # a client of its own
        start.wait()
        index.ensure_indexed()
        return index

    with ThreadPoolExecutor(max_workers=2) as pool:
        indexes = [f.result() for f in [pool.submit(worker) for _ in range(2)]]

    assert sorted(embedded) == ["about.md", "guides/desk-lamp.md", "guides/grill.md"]  # each once
    name, passages = passages_of(knowledge)
    assert get_chroma_client(server).get_collection(name).count() == passages
    for index in indexes:
        assert index.collection_name == name and index.search(GRILL_QUESTION)[0].document == "guides/grill.md"


def test_a_worker_waits_for_a_live_builder_and_takes_over_from_a_dead_one(chroma_server, tmp_path):
    server = ChromaServer.from_url(chroma_server.url)
    client = get_chroma_client(server)

    live = small_knowledge(tmp_path / "live", "live builder")
    name, passages = passages_of(live)
    builder = SharedKnowledgeIndex(server, live)
    collection = open_passages(client, name, create=True, metadata={**builder._lease(passages), "lease_until": 1e12})
    waits: list[float] = []

    def other_worker_finishes(seconds: float) -> None:
        waits.append(seconds)
        builder._build(collection, [d for d in load_documents(live) if d.sections], passages)

    report = SharedKnowledgeIndex(server, live, sleep=other_worker_finishes).ensure_indexed()
    assert len(waits) == 1 and not report.changed  # waited, then used the other worker's index

    dead = small_knowledge(tmp_path / "dead", "dead builder")
    name, passages = passages_of(dead)
    open_passages(client, name, create=True, metadata={"state": "building", "lease_until": 0.0})
    report = SharedKnowledgeIndex(server, dead, sleep=never_wait).ensure_indexed()
    assert len(report.added) == 3  # the lease had expired: no wait, rebuilt here
    collection = client.get_collection(name)
    assert (collection.metadata or {})["state"] == READY and collection.count() == passages


def test_an_unreachable_server_degrades_the_run_with_its_url(tmp_path):
    holder, url = closed_url()
    with holder:
        settings = Settings(data_dir=tmp_path, knowledge_dir=small_knowledge(tmp_path, "dead"), chroma_url=url)
        memory, note = open_memory(settings)  # opening touches nothing: each ticket tries again
        assert note is None
        recalled = memory.recall("fleet_bob", SECOND_TEXT)
        assert recalled.text == "" and recalled.degraded is not None
        assert recalled.degraded.startswith(f"memory unavailable (recall at ChromaDB server {url} failed")
        note = memory.remember("fleet_bob", FIRST, FIRST_RESULT) or ""
        assert url in note and "next attempt in" in note  # fails fast, not one connect timeout per call
        with pytest.raises(MemoryUnavailable, match=url):
            memory.forget("fleet_bob")  # a forget request fails loudly, never silently
        knowledge, note = open_knowledge(settings)
        assert knowledge is None and note is not None
        assert note.startswith("knowledge base unavailable: KnowledgeUnavailable: ")
        assert f"knowledge index on ChromaDB server {url} unavailable" in note


def test_the_knowledge_command_reports_an_unreachable_server(tmp_path, monkeypatch):
    from main import app

    holder, url = closed_url()
    with holder:
        monkeypatch.setenv("SUPPORT_CREW_CHROMA_URL", url)
        result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "knowledge", "index"])
    assert result.exit_code == 1 and url in result.output and "Traceback" not in result.output


def test_a_server_that_stops_mid_run_degrades_tickets_until_it_is_back(tmp_path):
    port, path = free_port(), tmp_path / "db"
    with running_chroma(path, port=port) as server:
        memory = CustomerMemory(ChromaServer.from_url(server.url))
        assert memory.remember("fleet_carol", FIRST, FIRST_RESULT) is None
    stopped = memory.recall("fleet_carol", SECOND_TEXT)
    assert stopped.degraded is not None and server.url in stopped.degraded
    with running_chroma(path, port=port):
        assert PREFERENCE in memory.recall("fleet_carol", SECOND_TEXT).customer_facts


def test_a_forked_worker_opens_handles_of_its_own(chroma_server, monkeypatch):
    """Celery's prefork children must not share the parent's HTTP session (its sockets)."""
    from memory import chroma_store
    from memory.customer_memory import open_customer_memory

    server = ChromaServer.from_url(chroma_server.url)
    parent_memory, parent_client = open_customer_memory(server), get_chroma_client(server)
    assert open_customer_memory(server) is parent_memory  # one per process
    monkeypatch.setattr(chroma_store.os, "getpid", lambda: -1)  # as in a child after fork
    assert open_customer_memory(server) is not parent_memory
    assert get_chroma_client(server) is not parent_client


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://chroma.internal", ("chroma.internal", 8000, False)),
        ("https://chroma.example.com/", ("chroma.example.com", 443, True)),
        ("http://10.0.0.5:9000", ("10.0.0.5", 9000, False)),
    ],
)
def test_server_urls(url: str, expected: tuple[str, int, bool]):
    server = ChromaServer.from_url(url)
    assert (server.host, server.port, server.ssl) == expected


@pytest.mark.parametrize("url", ["redis://chroma:8000", "http://chroma:8000/api/v2", "chroma:8000", "http://h:x"])
def test_a_malformed_url_is_a_clear_note(url: str, tmp_path):
    memory, note = open_memory(Settings(data_dir=tmp_path, chroma_url=url))
    assert memory is None and note is not None and "SUPPORT_CREW_CHROMA_URL" in note


def test_the_starter_leaves_no_process_behind(tmp_path):
    with running_chroma(tmp_path / "db") as server:
        os.killpg(server.pid, 0)  # running, in a process group of its own
    with pytest.raises(ProcessLookupError):
        os.killpg(server.pid, 0)  # stopped, with everything it started
