"""ChromaStorageBackend against CrewAI's StorageBackend protocol. Vectors are given explicitly
(4 dimensions), so these tests need no embedding model."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from crewai.memory.storage.backend import StorageBackend
from crewai.memory.types import MemoryRecord

from memory.backend import ChromaStorageBackend, scope_ancestors
from memory.chroma_store import get_chroma_client


def rec(
    content: str,
    scope: str,
    vector: list[float],
    *,
    categories: list[str] | None = None,
    metadata: dict | None = None,
    age_days: float = 0.0,
) -> MemoryRecord:
    created = datetime.utcnow() - timedelta(days=age_days)
    return MemoryRecord(
        content=content,
        scope=scope,
        categories=categories or [],
        metadata=metadata or {},
        embedding=vector,
        created_at=created,
        last_accessed=created,
    )


@pytest.fixture
def backend(tmp_path) -> ChromaStorageBackend:
    store = ChromaStorageBackend(get_chroma_client(tmp_path))
    store.save(
        [
            rec(
                "likes gift card refunds",
                "/customers/ab",
                [1, 0, 0, 0],
                categories=["preference"],
                metadata={"kind": "preference"},
                age_days=3,
            ),
            rec("frustrated last time", "/customers/ab", [0, 1, 0, 0], categories=["tone"], age_days=1),
            rec("prefers PayPal", "/customers/abc", [1, 0.1, 0, 0], categories=["preference"]),
            rec(
                "returns resolved",
                "/resolutions",
                [0, 0, 1, 0],
                categories=["resolution", "return"],
                metadata={"kind": "return", "customer_id": "ab"},
                age_days=10,
            ),
        ]
    )
    return store


def test_implements_the_crewai_protocol(backend):
    assert isinstance(backend, StorageBackend)


def test_scope_ancestors():
    assert scope_ancestors("/customers/c1/") == ["/", "/customers", "/customers/c1"]
    assert scope_ancestors("/") == ["/"]


def test_search_is_limited_to_the_exact_scope_prefix(backend):
    found = backend.search([1, 0, 0, 0], scope_prefix="/customers/ab", limit=10)
    assert {r.content for r, _ in found} == {"likes gift card refunds", "frustrated last time"}
    best, score = found[0]
    assert best.content == "likes gift card refunds" and score == pytest.approx(1.0, abs=1e-4)
    assert best.embedding is not None and len(best.embedding) == 4
    everything = backend.search([1, 0, 0, 0], limit=10)
    assert len(everything) == 4


def test_search_filters_categories_metadata_and_min_score(backend):
    prefs = backend.search([1, 0, 0, 0], categories=["preference"], limit=10)
    assert {r.content for r, _ in prefs} == {"likes gift card refunds", "prefers PayPal"}
    by_meta = backend.search([0, 0, 1, 0], metadata_filter={"customer_id": "ab"}, limit=10)
    assert [r.content for r, _ in by_meta] == ["returns resolved"]
    close = backend.search([1, 0, 0, 0], min_score=0.9, limit=10)
    assert {r.content for r, _ in close} == {"likes gift card refunds", "prefers PayPal"}


def test_records_round_trip(backend):
    record = backend.list_records("/resolutions")[0]
    again = backend.get_record(record.id)
    assert again is not None
    assert again.model_dump(exclude={"embedding"}) == record.model_dump(exclude={"embedding"})
    assert again.metadata == {"kind": "return", "customer_id": "ab"}
    assert again.categories == ["resolution", "return"]
    assert backend.get_record("no-such-id") is None


def test_list_records_newest_first_with_paging(backend):
    contents = [r.content for r in backend.list_records()]
    assert contents == ["prefers PayPal", "frustrated last time", "likes gift card refunds", "returns resolved"]
    assert [r.content for r in backend.list_records(limit=2, offset=1)] == contents[1:3]
    assert [r.content for r in backend.list_records("/customers/ab")] == contents[1:3]


def test_scopes_categories_and_counts(backend):
    assert backend.list_scopes("/") == ["/customers", "/resolutions"]
    assert backend.list_scopes("/customers") == ["/customers/ab", "/customers/abc"]
    assert backend.list_categories("/customers") == {"preference": 2, "tone": 1}
    assert backend.count() == 4 and backend.count("/customers/ab") == 2
    info = backend.get_scope_info("/customers")
    assert info.record_count == 3 and info.categories == ["preference", "tone"]
    assert info.child_scopes == ["/customers/ab", "/customers/abc"]
    assert info.oldest_record is not None and info.newest_record is not None
    assert info.oldest_record < info.newest_record


def test_update_replaces_the_record(backend):
    record = backend.list_records("/customers/abc")[0]
    backend.update(record.model_copy(update={"content": "prefers gift card", "embedding": [0, 0, 0, 1]}))
    assert backend.count() == 4
    assert backend.get_record(record.id).content == "prefers gift card"


def test_delete_by_each_criterion(backend):
    assert backend.delete(older_than=datetime.utcnow() - timedelta(days=5)) == 1  # the resolution
    assert backend.delete(scope_prefix="/customers/ab", categories=["tone"]) == 1
    only = backend.list_records("/customers/abc")[0]
    assert backend.delete(record_ids=[only.id]) == 1
    assert [r.content for r in backend.list_records()] == ["likes gift card refunds"]
    backend.save([rec("x", "/resolutions", [0, 0, 1, 0], metadata={"customer_id": "zz"})])
    assert backend.delete(metadata_filter={"customer_id": "zz"}) == 1
    backend.reset()
    assert backend.count() == 0


def test_reset_of_one_scope_keeps_the_others(backend):
    backend.reset("/customers/ab")
    assert backend.count("/customers") == 1 and backend.count("/resolutions") == 1


def test_async_variants(backend):
    async def run():
        await backend.asave([rec("async", "/x", [0, 0, 0, 1])])
        found = await backend.asearch([0, 0, 0, 1], scope_prefix="/x")
        deleted = await backend.adelete(scope_prefix="/x")
        return found, deleted

    found, deleted = asyncio.run(run())
    assert [r.content for r, _ in found] == ["async"] and deleted == 1


def test_unfilterable_metadata_is_refused_with_a_clear_error(backend):
    with pytest.raises(ValueError, match="metadata_filter"):
        backend.search([1, 0, 0, 0], metadata_filter={"tags": ["a"]})
