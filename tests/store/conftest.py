"""Fixtures for the store tests: the seed data, one sandbox server per session (reset to fresh
for each test that asks for `store`), a client, and per-ticket tool contexts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox_store.db import DATA_DIR
from sandbox_store.server import SandboxServer
from tools.client import StoreClient
from tools.context import ToolContext

TICKETS_DIR = Path(__file__).resolve().parents[3] / "shared" / "tickets"


@pytest.fixture(scope="session")
def seed_data() -> dict[str, Any]:
    return {name: json.loads((DATA_DIR / f"{name}.json").read_text()) for name in ("users", "orders", "products")}


@pytest.fixture(scope="session")
def store_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path_factory.mktemp("store") / "store.sqlite") as server:
        yield server


@pytest.fixture(scope="session")
def client(store_server: SandboxServer) -> Iterator[StoreClient]:
    with StoreClient(store_server.base_url, timeout_s=10, retries=2, backoff_s=0.01) as store_client:
        yield store_client


@pytest.fixture
def store(store_server: SandboxServer) -> SandboxServer:
    """The session's server with its store reset to the fresh seed."""
    store_server.reset()
    return store_server


class Trace(list):
    def __call__(self, event: dict[str, Any]) -> None:
        self.append(event)


@pytest.fixture
def make_context():
    def make(customer_id: str | None = None, **kwargs: Any) -> ToolContext:
        return ToolContext(ticket_id=kwargs.pop("ticket_id", "T-1"), customer_id=customer_id, trace=Trace(), **kwargs)

    return make
