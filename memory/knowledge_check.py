"""Retrieval check of the knowledge base: for questions written for the purpose, is the document
that answers them among the top results of search_knowledge_base?

    python -m memory.knowledge_check [--data-dir DIR | --chroma-url URL] [--questions FILE] [--top-k 3]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from memory.knowledge_base import Passage

DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "data" / "knowledge_questions.jsonl"
TARGET_TOP3 = 0.90


class Searcher(Protocol):
    def search(self, query: str, top_k: int = 3) -> list[Passage]: ...


@dataclass(frozen=True)
class Question:
    question: str
    document: str


@dataclass
class RetrievalReport:
    total: int = 0
    top1_hits: int = 0
    topk_hits: int = 0
    top_k: int = 3
    misses: list[dict[str, object]] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1_hits / self.total if self.total else 0.0

    @property
    def topk_rate(self) -> float:
        return self.topk_hits / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.total > 0 and self.topk_rate >= TARGET_TOP3

    def figures(self) -> dict[str, object]:
        return {
            "questions": self.total,
            "top_k": self.top_k,
            "top1_hits": self.top1_hits,
            "top1_rate": round(self.top1_rate, 4),
            f"top{self.top_k}_hits": self.topk_hits,
            f"top{self.top_k}_rate": round(self.topk_rate, 4),
            "target": TARGET_TOP3,
            "passed": self.passed,
        }


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            questions.append(Question(question=str(raw["question"]), document=str(raw["document"])))
        except (ValueError, KeyError) as exc:
            raise ValueError(f'{path}:{number}: expected {{"question": ..., "document": ...}}: {exc}') from exc
    return questions


def run_retrieval_check(
    index: Searcher, questions_path: Path = DEFAULT_QUESTIONS, *, top_k: int = 3, echo: Callable[[str], None] = print
) -> RetrievalReport:
    """Search every question as the tool would (same top_k) and print hit/miss per question, then
    the figures as one JSON line."""
    report = RetrievalReport(top_k=top_k)
    for q in load_questions(questions_path):
        documents = [p.document for p in index.search(q.question, top_k=top_k)]
        report.total += 1
        hit = q.document in documents
        report.topk_hits += hit
        report.top1_hits += bool(documents) and documents[0] == q.document
        rank = documents.index(q.document) + 1 if hit else None
        echo(f"{'HIT ' if hit else 'MISS'} rank={rank or '-'} {q.document:40} {q.question}")
        if not hit:
            report.misses.append({"question": q.question, "expected": q.document, "got": documents})
    echo(json.dumps(report.figures()))
    return report


def main(argv: list[str] | None = None) -> int:
    from core.settings import Settings
    from memory.chroma_store import chroma_home
    from memory.knowledge_indexes import open_knowledge_index

    settings = Settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=settings.resolved_data_dir)
    parser.add_argument("--knowledge-dir", type=Path, default=settings.knowledge_dir)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--top-k", type=int, default=3)
    parser.add_argument("--chroma-url", default=settings.chroma_url, help="a ChromaDB server instead of --data-dir")
    args = parser.parse_args(argv)
    index = open_knowledge_index(chroma_home(args.data_dir, args.chroma_url), args.knowledge_dir)
    report = run_retrieval_check(index, args.questions, top_k=args.top_k)
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
