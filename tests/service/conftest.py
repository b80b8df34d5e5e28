"""One running service for the API tests: the real app (service.app.create_app) with one warm
worker on the offline model, the bundled sandbox store, and a webhook receiver on loopback. A
warm worker takes seconds to start, so the app is shared by every test of the folder; each test
uses its own ticket ids and customers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from service.app import create_app
from service.database import ServiceDatabase
from service.state import ServiceState
from service.tokens import TokenStore
from tests.service.receiver import Receiver

WEBHOOK_SECRET = "test-secret"
TOKEN_ROLES = {
    "helpdesk": "submitter",
    "other-helpdesk": "submitter",
    "alice": "approver",
    "bob": "approver",
    "root": "admin",
}


@dataclass
class Service:
    client: TestClient
    tokens: dict[str, str]  # name -> token
    settings: Settings
    receiver: Receiver

    @property
    def state(self) -> ServiceState:
        state: ServiceState = self.client.app.state.service
        return state

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def post_ticket(self, ticket: dict[str, Any], as_: str = "helpdesk") -> Any:
        return self.client.post("/api/tickets", json=ticket, headers=self.auth(as_))

    def wait_done(self, ticket_id: str, as_: str = "helpdesk", timeout_s: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            answer = self.client.get(f"/api/tickets/{ticket_id}", headers=self.auth(as_))
            assert answer.status_code == 200, answer.text
            if answer.json()["status"] == "done":
                return dict(answer.json())
            time.sleep(0.05)
        raise AssertionError(f"ticket {ticket_id} not done within {timeout_s} s")


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[Service]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("service") / "data",
        llm="offline",
        api_url=None,
        faults="",
        webhook_url=receiver.url,
        webhook_secret=WEBHOOK_SECRET,
    )
    store = TokenStore(ServiceDatabase.in_data_dir(settings.resolved_data_dir))
    tokens = {name: store.create(name=name, role=role)[1] for name, role in TOKEN_ROLES.items()}
    with TestClient(create_app(settings, workers=1)) as client:
        yield Service(client, tokens, settings, receiver)
