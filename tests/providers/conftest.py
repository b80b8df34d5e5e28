"""Provider tests: the real provider clients against loopback fakes (fake_servers.py), short client
timeouts, fresh circuit breakers per test, and store fixtures read from the store the run uses."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import PROJECT_ROOT, Settings
from runner.providers import reset_breakers
from sandbox_store.access import store_client


@pytest.fixture(autouse=True)
def _fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """A temporary copy of config/ a test may edit."""
    target = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return target


def provider_settings(tmp_path: Path, llm: str, **extra: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", llm=llm, llm_timeout_s=extra.pop("llm_timeout_s", 5.0), **extra)


def use_openai(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-fake")


def use_anthropic(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-fake")


def pending_orders(settings: Settings) -> list[dict[str, Any]]:
    """Pending orders with one payment, each with its customer's e-mail and amount paid."""
    with store_client(settings) as client:
        export = client.export()
    found = []
    for order in export["orders"].values():
        payments = [p for p in order["payment_history"] if p["transaction_type"] == "payment"]
        if order["status"] == "pending" and len(payments) == 1:
            email = export["users"][order["user_id"]]["email"]
            found.append({**order, "email": email, "paid": payments[0]["amount"]})
    return found


def report(status: str, reply: str) -> str:
    """A specialist's final report (config/tasks.yaml delegated_task)."""
    return json.dumps({"status": status, "reply": reply, "summary": f"{status}: {reply}"})


def final(outcome: str, reply: str, **extra: Any) -> str:
    """The manager's final answer (crews/resolution.py TicketResolution)."""
    return json.dumps({"outcome": outcome, "reply": reply, "escalation": None, "internal_summary": reply, **extra})


def delegate(coworker: str, task: str, *, final: bool = False) -> tuple[str, dict[str, Any]]:
    return ("delegate_work_to_coworker", {"task": task, "context": "the ticket", "coworker": coworker, "final": final})


ESTIMATE_WARNING = "approximate input token count"


def assert_no_token_estimate_warning(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    """CrewAI's "Using an approximate input token count" line is a logging.warning (pytest's log
    capture holds it, not stderr); a print to stderr or stdout would show in capfd."""
    logged = [r.getMessage() for r in caplog.records if ESTIMATE_WARNING in r.getMessage()]
    assert not logged, logged
    captured = capfd.readouterr()
    assert ESTIMATE_WARNING not in captured.err + captured.out


def trace_events(settings: Settings, ticket_id: str) -> list[dict[str, Any]]:
    path = settings.resolved_data_dir / "traces" / f"{ticket_id}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]
