from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.memory.chroma_server import RunningChroma, running_chroma


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningChroma]:
    """One ChromaDB server for the session (started by the first test that asks for it); tests
    keep apart by their own customer ids and knowledge content."""
    with running_chroma(tmp_path_factory.mktemp("chroma-server") / "db") as server:
        yield server
