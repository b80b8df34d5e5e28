from __future__ import annotations

import pytest

from runtime.knowledge_base import KnowledgeIndex
from runtime.settings import PROJECT_ROOT

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="session")
def knowledge_index(tmp_path_factory) -> KnowledgeIndex:
    """The project's knowledge base indexed once for the whole test session."""
    index = KnowledgeIndex(tmp_path_factory.mktemp("knowledge-data"), KNOWLEDGE_DIR)
    index.ensure_indexed()
    return index
