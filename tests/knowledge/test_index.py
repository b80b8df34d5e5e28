"""Sections, indexing keyed by content hash (only changed documents are re-embedded), search."""

from __future__ import annotations

import shutil

import pytest

from memory import knowledge_base
from memory.knowledge_base import KnowledgeIndex, load_documents, split_sections
from tests.knowledge.conftest import KNOWLEDGE_DIR


def test_split_sections_keeps_the_heading_path():
    title, sections = split_sections(
        "# Kettle guide\nIntro line.\n\n## Setup\nFill it.\n\n## Common faults\n\n"
        "### Won't boil\nDescale.\n```\n# not a heading\n```\n### Leaks\nCheck the lid.\n"
    )
    assert title == "Kettle guide"
    assert [(s.heading, s.text.splitlines()[0]) for s in sections] == [
        ("", "Intro line."),
        ("Setup", "Fill it."),
        ("Common faults > Won't boil", "Descale."),
        ("Common faults > Leaks", "Check the lid."),
    ]
    assert "# not a heading" in sections[2].text


@pytest.fixture
def small_kb(tmp_path):
    source = tmp_path / "knowledge"
    (source / "guides").mkdir(parents=True)
    for name in ("guides/grill.md", "guides/desk-lamp.md"):
        shutil.copy(KNOWLEDGE_DIR / name, source / name)
    return tmp_path / "data", source


def test_reindexes_only_what_changed(small_kb, monkeypatch):
    data_dir, source = small_kb
    index = KnowledgeIndex(data_dir, source)
    first = index.ensure_indexed()
    assert sorted(first.added) == ["guides/desk-lamp.md", "guides/grill.md"] and first.changed

    embedded: list[str] = []
    original_add = KnowledgeIndex._add
    monkeypatch.setattr(KnowledgeIndex, "_add", lambda self, doc: (embedded.append(doc.name), original_add(self, doc)))

    again = KnowledgeIndex(data_dir, source).ensure_indexed()  # e.g. the next start of the program
    assert again.unchanged == ["guides/desk-lamp.md", "guides/grill.md"] and not again.changed
    assert embedded == []

    (source / "guides" / "grill.md").write_text((source / "guides" / "grill.md").read_text() + "\nMore.\n")
    shutil.copy(KNOWLEDGE_DIR / "policies" / "privacy.md", source / "privacy.md")
    (source / "guides" / "desk-lamp.md").unlink()
    report = index.ensure_indexed()
    assert (report.added, report.updated, report.removed) == (
        ["privacy.md"],
        ["guides/grill.md"],
        ["guides/desk-lamp.md"],
    )
    assert sorted(embedded) == ["guides/grill.md", "privacy.md"]
    assert set(index.indexed_hashes()) == {"guides/grill.md", "privacy.md"}
    assert "desk-lamp" not in {p.document for p in index.search("desk lamp flickers", top_k=5)}


def test_an_empty_document_is_reported_not_indexed(small_kb):
    data_dir, source = small_kb
    (source / "draft.md").write_text("# Draft\n")
    index = KnowledgeIndex(data_dir, source)
    for _ in range(2):  # stays "empty" instead of being "added" again at every start
        report = index.ensure_indexed()
        assert report.empty == ["draft.md"] and "draft.md" not in report.added
    assert "empty, not indexed: draft.md" in report.summary()


def test_a_changed_embedding_version_reindexes_everything(small_kb, monkeypatch):
    data_dir, source = small_kb
    KnowledgeIndex(data_dir, source).ensure_indexed()
    monkeypatch.setattr(knowledge_base, "INDEX_VERSION", "sections-v2/other")
    assert sorted(KnowledgeIndex(data_dir, source).ensure_indexed().updated) == [
        "guides/desk-lamp.md",
        "guides/grill.md",
    ]


def test_search_returns_passages_with_their_document(knowledge_index):
    passages = knowledge_index.search("my bluetooth speaker won't pair with the phone", top_k=3)
    assert len(passages) == 3
    best = passages[0]
    assert best.document == "guides/bluetooth-speaker.md"
    assert best.title == "Bluetooth Speaker troubleshooting guide"
    assert best.section.startswith("Common faults") and "pairing" in best.text
    assert all(0 < p.score <= 1 for p in passages)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_at_most_two_passages_of_one_document(knowledge_index):
    passages = knowledge_index.search("smart thermostat wifi offline reset", top_k=5)
    documents = [p.document for p in passages]
    assert max(documents.count(d) for d in documents) <= knowledge_base.PASSAGES_PER_DOCUMENT


def test_every_section_is_indexed(knowledge_index):
    expected = sum(len(d.sections) for d in load_documents(KNOWLEDGE_DIR))
    assert knowledge_index._collection.count() == expected


def test_missing_knowledge_directory_is_reported(tmp_path):
    with pytest.raises(knowledge_base.KnowledgeUnavailable, match="does not exist"):
        KnowledgeIndex(tmp_path / "data", tmp_path / "nowhere").ensure_indexed()
