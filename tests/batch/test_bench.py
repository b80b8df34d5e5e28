"""The benchmark: its figures (on the fake runner) and the bundled ticket set (against the data)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from rich.console import Console

from backlog.bench import BENCH_TICKETS, SINGLE_REQUEST_TAG, run_bench
from core.settings import PROJECT_ROOT, Settings
from intake.ticket_io import read_tickets

REQUIRED_KEYS = {  # CONTRACTS §5
    "tickets",
    "tickets_per_s_1_worker",
    "tickets_per_s_all_workers",
    "workers",
    "p50_s",
    "p95_s",
    "llm_calls_per_ticket",
    "prompt_tokens_per_ticket",
    "single_request_llm_calls",
    "single_request_prompt_tokens",
    "baseline_prompt_tokens_per_ticket",
    "baseline_llm_calls_per_ticket",
    "token_ratio_vs_baseline",
    "peak_rss_mb_per_worker",
    "cold_start_s",
}


def test_figures_from_three_runs_and_a_cold_start(tmp_path: Path) -> None:
    tickets = tmp_path / "bench.jsonl"
    rows = [
        ("S-1", "cancel", "single-request", "x" * 50),
        ("S-2", "cancel", "single-request", "x" * 150),
        ("S-3", "order-status", "single-request", "x" * 100),
        ("M-1", "cancel", "multi-request", "x" * 300),
    ]
    tickets.write_text(
        "".join(json.dumps({"id": i, "body": b, "tags": ["bench", intent, kind]}) + "\n" for i, intent, kind, b in rows)
    )
    cold_starts = []

    figures = run_bench(
        Settings(data_dir=tmp_path / "data"),
        tickets_path=tickets,
        workers=2,
        console=Console(file=io.StringIO(), width=200),
        runner="tests.batch.fake_runner",
        cold_start=lambda settings, ticket, run_dir: cold_starts.append(ticket.id) or 1.25,
    )

    assert figures.keys() >= REQUIRED_KEYS
    assert json.loads(json.dumps(figures)) == figures  # the CLI prints it as one JSON line
    assert figures["tickets"] == 4 and figures["workers"] == 2
    assert figures["llm_calls_per_ticket"] == 2 and figures["baseline_llm_calls_per_ticket"] == 5
    assert figures["prompt_tokens_per_ticket"] == 300  # mean of 2 x (50, 150, 100, 300)
    assert figures["single_request_prompt_tokens"] == 200 and figures["single_request_llm_calls"] == 2
    assert figures["baseline_prompt_tokens_per_ticket"] == 900
    assert figures["token_ratio_vs_baseline"] == 0.333 and figures["llm_calls_ratio_vs_baseline"] == 0.4
    assert figures["tickets_per_s_1_worker"] > 0 and figures["tickets_per_s_all_workers"] > 0
    assert 0 <= figures["p50_s"] <= figures["p95_s"]
    assert figures["peak_rss_mb_per_worker"] > 0
    assert figures["cold_start_s"] == 1.25 and cold_starts == ["S-1"]
    assert figures["by_intent"]["cancel"]["tickets"] == 3
    assert figures["by_intent"]["order-status"]["prompt_tokens_per_ticket"] == 200
    assert set(figures["by_intent"]) == {"cancel", "order-status"}
    # each run had its own fresh store
    runs = sorted(p.name for p in (tmp_path / "data" / "bench").iterdir())
    assert runs == ["all-workers", "baseline", "one-worker"]


def test_bundled_tickets_are_valid_and_speak_for_real_customers_about_their_own_orders() -> None:
    loaded = read_tickets(BENCH_TICKETS)
    assert loaded.errors == [] and len(loaded.tickets) >= 12
    users = json.loads((PROJECT_ROOT / "sandbox_store" / "data" / "users.json").read_text())
    orders = json.loads((PROJECT_ROOT / "sandbox_store" / "data" / "orders.json").read_text())
    by_email = {u["email"]: uid for uid, u in users.items()}
    by_name_zip = {
        (u["name"]["first_name"], u["name"]["last_name"], u["address"]["zip"]): uid for uid, u in users.items()
    }
    customers = []
    for ticket in loaded.tickets:
        kinds = {SINGLE_REQUEST_TAG, "multi-request"} & set(ticket.tags)
        assert len(kinds) == 1, ticket.id
        emails = [ticket.from_email] if ticket.from_email else re.findall(r"[\w.]+@example\.com", ticket.body)
        if emails:
            customer = by_email[emails[0]]
        else:
            name = re.search(r"(?:I'm|name is|as) (\w+) (\w+)", ticket.body)
            zip_code = re.search(r"zip(?: code)?(?: is)? (\d{5})", ticket.body)
            customer = by_name_zip[(name.group(1), name.group(2), zip_code.group(1))]
        customers.append(customer)
        for order_id in re.findall(r"#W\d{7}", ticket.body):
            assert orders[order_id]["user_id"] == customer, (ticket.id, order_id)
    assert len(set(customers)) == len(customers)  # one customer per ticket: no memory crosstalk
