from __future__ import annotations

import pytest

from core.settings import PROJECT_ROOT
from memory.knowledge_base import KnowledgeIndex

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="session")
def knowledge_index(tmp_path_factory) -> KnowledgeIndex:
    """The project's knowledge base indexed once for the whole test session."""
    index = KnowledgeIndex(tmp_path_factory.mktemp("knowledge-data"), KNOWLEDGE_DIR)
    index.ensure_indexed()
    return index
