"""One real service for the console's browser tests: the app (service.app.create_app) served by
uvicorn on a loopback port in a thread, one warm worker on the offline model, the bundled sandbox
store; and one headless Chromium (Debian's, installed by `make install`) driven by Playwright."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from core.settings import Settings
from service.app import create_app
from service.database import ServiceDatabase
from service.state import ServiceState
from service.tokens import TokenStore

TOKEN_ROLES = {"helpdesk": "submitter", "alice": "approver"}


@dataclass
class Console:
    url: str
    tokens: dict[str, str]
    app: Any

    @property
    def state(self) -> ServiceState:
        state: ServiceState = self.app.state.service
        return state

    def api(self, method: str, path: str, as_: str = "helpdesk", **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[as_]}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=90, **kwargs)

    def finished(self, ticket: dict[str, Any]) -> dict[str, Any]:
        """Post a ticket and wait for its result."""
        assert self.api("POST", "/api/tickets", json=ticket).status_code in (200, 202)  # 200: posted before
        view = self.api("GET", f"/api/tickets/{ticket['id']}?wait=60").json()
        assert view["status"] == "done", view
        return dict(view["result"])

    def sign_in(self, page: Page, name: str = "alice") -> None:
        page.goto(self.url + "/login")
        page.fill("input[name=token]", self.tokens[name])
        page.click("button[type=submit]")
        page.wait_for_url(self.url + "/")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("console") / "data", llm="offline", api_url=None, faults="")
    store = TokenStore(ServiceDatabase.in_data_dir(settings.resolved_data_dir))
    tokens = {name: store.create(name=name, role=role)[1] for name, role in TOKEN_ROLES.items()}
    app = create_app(settings, workers=1)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:  # started: the lifespan (warm worker, store) is up
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    try:
        yield Console(f"http://127.0.0.1:{port}", tokens, app)
    finally:
        server.should_exit = True
        thread.join(timeout=60)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("no chromium on PATH: `make install` installs Debian's (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
