"""The retrieval check: questions written for the purpose find their document in the top 3."""

from __future__ import annotations

from memory.knowledge_check import DEFAULT_QUESTIONS, load_questions, run_retrieval_check
from tests.knowledge.conftest import KNOWLEDGE_DIR


def test_questions_are_enough_and_point_at_real_documents():
    questions = load_questions(DEFAULT_QUESTIONS)
    assert len(questions) >= 30
    for q in questions:
        assert (KNOWLEDGE_DIR / q.document).is_file(), q.document


def test_right_document_in_top_3_for_at_least_90_percent(knowledge_index):
    lines: list[str] = []
    report = run_retrieval_check(knowledge_index, top_k=3, echo=lines.append)
    assert report.total == len(load_questions(DEFAULT_QUESTIONS))
    assert report.topk_rate >= 0.90, report.misses
    assert report.passed
    assert len(lines) == report.total + 1 and '"top3_rate"' in lines[-1]
