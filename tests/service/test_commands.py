"""The service's commands: `tokens create / list / revoke` (the token printed once, its hash
stored), `serve`'s refusals before it starts, and the service benchmark's figures."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from core.models import Result
from main import app
from service.bench import Timed, service_bench_figures
from service.database import ServiceDatabase
from service.tokens import TokenStore

runner = CliRunner()


def _cli(data_dir: Path, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["--data-dir", str(data_dir), *args], env=env)


def test_tokens_create_prints_the_token_once_and_stores_its_hash(tmp_path: Path) -> None:
    made = _cli(tmp_path, "tokens", "create", "desk-1", "--role", "approver")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("sc_")
    record = TokenStore(ServiceDatabase.in_data_dir(tmp_path)).authenticate(token)
    assert record is not None and (record.name, record.role) == ("desk-1", "approver")
    assert token.encode() not in (tmp_path / "service.db").read_bytes()

    listed = _cli(tmp_path, "tokens", "list", "--json")
    assert listed.exit_code == 0
    [entry] = json.loads(listed.stdout)
    assert entry["name"] == "desk-1" and entry["revoked_at"] is None and token not in listed.stdout

    assert _cli(tmp_path, "tokens", "revoke", "desk-1").exit_code == 0
    assert TokenStore(ServiceDatabase.in_data_dir(tmp_path)).authenticate(token) is None
    assert "revoked" in _cli(tmp_path, "tokens", "list").stdout


def test_tokens_errors_say_what_is_wrong(tmp_path: Path) -> None:
    assert _cli(tmp_path, "tokens", "create", "desk", "--role", "submitter").exit_code == 0
    taken = _cli(tmp_path, "tokens", "create", "desk", "--role", "admin")
    assert taken.exit_code == 1 and "exists already" in taken.output
    bad_role = _cli(tmp_path, "tokens", "create", "ops", "--role", "root")
    assert bad_role.exit_code == 2 and "submitter, approver, admin" in bad_role.output
    bad_name = _cli(tmp_path, "tokens", "create", "two words", "--role", "admin")
    assert bad_name.exit_code == 2 and "token name" in bad_name.output
    unknown = _cli(tmp_path, "tokens", "revoke", "nobody")
    assert unknown.exit_code == 1 and "no token named" in unknown.output
    assert _cli(tmp_path, "tokens", "revoke", "desk").exit_code == 0
    twice = _cli(tmp_path, "tokens", "revoke", "desk")
    assert twice.exit_code == 1 and "revoked already" in twice.output


def test_serve_refuses_a_webhook_without_a_secret_or_a_bad_url(tmp_path: Path) -> None:
    unsigned = _cli(tmp_path, "serve", env={"SUPPORT_CREW_WEBHOOK_URL": "http://127.0.0.1:9/hook"})
    assert unsigned.exit_code == 2 and "SUPPORT_CREW_WEBHOOK_SECRET" in unsigned.output
    not_http = _cli(tmp_path, "serve", env={"SUPPORT_CREW_WEBHOOK_URL": "ftp://example.com/x"})
    assert not_http.exit_code == 2 and "webhook_url" in not_http.output


def test_serve_refuses_a_data_directory_another_service_holds(tmp_path: Path) -> None:
    from service.instance_lock import single_instance

    with single_instance(tmp_path):
        taken = _cli(tmp_path, "serve", "--port", "9")
    assert taken.exit_code == 1 and "already runs" in taken.output


def _timed(ticket_id: str, latency_s: float, run_ms: int, outcome: str = "resolved") -> Timed:
    result = Result.model_validate({"ticket_id": ticket_id, "outcome": outcome, "reply": "r", "duration_ms": run_ms})
    return Timed(ticket_id, latency_s, result)


def test_service_bench_figures() -> None:
    sequential = [_timed("A", 0.4, 300), _timed("B", 0.6, 500), _timed("C", 0.5, 400, "needs_info")]
    loaded = [_timed(f"L{i}", 1.0 + i / 10, 400) for i in range(4)]
    figures = service_bench_figures(
        sequential, loaded, wall_s=2.0, start_s=12.0, warm_up=[_timed("W", 0.9, 800)], workers=2, clients=2
    )
    assert figures["p50_s"] == 0.5 and figures["run_p50_s"] == 0.4 and figures["service_overhead_p50_s"] == 0.1
    assert figures["concurrent_tickets"] == 4 and figures["tickets_per_s"] == 2.0
    assert figures["concurrent_p50_s"] == 1.15 and figures["warm_up_s"] == 0.9
    assert figures["outcomes"] == {"resolved": 2, "needs_info": 1}
