"""`support-crew bench`: throughput, latency, model usage and memory on a fixed set of tickets,
and the same tickets through a plain CrewAI hierarchical crew for comparison.

Every run starts from a fresh store and memory (its own data directory under
`<data_dir>/bench/`, kept until the next bench so its traces can be read with
`support-crew --data-dir <data_dir>/bench/<run> trace ID`). Runs:
- `one-worker`: the tickets one after another in this process -> tickets/s with 1 worker,
  p50/p95 seconds per ticket (no contention), LLM calls and prompt tokens per ticket;
- `all-workers`: the same on one worker process per core -> tickets/s, peak memory per worker;
- `baseline`: the same tickets through the plain crew (`run_ticket(..., plain=True)`: CrewAI's
  default hierarchical process with the same agents, tools and model, none of our routing,
  native tool calls or limits) -> its LLM calls and prompt tokens per ticket;
- `cold-start`: one `support-crew kickoff` in a new process, start to reply.
Throughput counts from the moment the workers are ready to the last result; start-up is what
cold start measures. Cost per ticket: each result's own (at the prices of the model that ran), and
both crews' tokens at the reference model's prices (config/prices.yaml `reference_model`), so the
offline benchmark says what the same conversations would cost on a paid model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from backlog.batch import BatchSummary, run_batch
from backlog.report import percentile
from backlog.workers import DEFAULT_RUNNER
from core.models import Result, Ticket
from core.settings import ISOLATED, Settings
from intake.ticket_io import read_tickets
from runner.prices import ModelPrice, load_prices

BENCH_TICKETS = Path(__file__).resolve().parent / "data" / "bench_tickets.jsonl"
SINGLE_REQUEST_TAG = "single-request"
_NOT_INTENTS = {"bench", SINGLE_REQUEST_TAG, "multi-request"}


class BenchError(RuntimeError):
    pass


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _usage(results: list[Result]) -> dict[str, float | None]:
    return {
        "llm_calls_per_ticket": _mean([r.usage.llm_calls for r in results]),
        "prompt_tokens_per_ticket": _mean([r.usage.prompt_tokens for r in results]),
        "completion_tokens_per_ticket": _mean([r.usage.completion_tokens for r in results]),
    }


def _cost_at(price: ModelPrice | None, results: list[Result]) -> float | None:
    """Mean cost per ticket had these tokens been billed at `price`."""
    if price is None or not results:
        return None
    costs = [price.cost(r.usage.prompt_tokens, r.usage.completion_tokens) for r in results]
    return round(sum(costs) / len(costs), 6)


def _seconds(results: list[Result], q: float) -> float | None:
    value = percentile([r.duration_ms / 1000 for r in results], q)
    return round(value, 3) if value is not None else None


def _mean_cost(results: list[Result]) -> float | None:
    known = [r.usage.cost_usd for r in results if r.usage.cost_usd is not None]
    return round(sum(known) / len(known), 6) if known else None


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 3) if ours is not None and theirs else None


def _by_intent(results: list[Result], tickets: dict[str, Ticket]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Result]] = {}
    for result in results:
        for tag in tickets[result.ticket_id].tags:
            if tag not in _NOT_INTENTS:
                groups.setdefault(tag, []).append(result)
    return {
        tag: {"tickets": len(members), **_usage(members), "p50_s": _seconds(members, 50)}
        for tag, members in sorted(groups.items())
    }


def _fresh(settings: Settings, run_dir: Path) -> Settings:
    # api_url None: every run gets its own freshly seeded sandbox store, never a configured one.
    # The knowledge index is read-only content built once for the installation (run_bench), as on a
    # real deployment: runs must not measure re-embedding the knowledge base.
    index_dir = settings.knowledge_index_dir or settings.resolved_data_dir
    return settings.model_copy(update={**ISOLATED, "data_dir": run_dir, "knowledge_index_dir": index_dir})


def _batch(
    name: str,
    tickets_path: Path,
    root: Path,
    settings: Settings,
    *,
    workers: int,
    plain: bool,
    console: Console,
    runner: str,
) -> BatchSummary:
    console.print(f"[bold]bench[/] {name}: {workers} worker(s){' (plain CrewAI crew)' if plain else ''}")
    run_dir = root / name
    summary = run_batch(
        tickets_path,
        run_dir / "out.jsonl",
        settings=_fresh(settings, run_dir),
        workers=workers,
        progress=True,
        console=console,
        plain=plain,
        runner=runner,
    )
    failed = [r for r in summary.results if r.outcome == "failed"]
    if failed:
        console.print(
            f"[yellow]{name}: {len(failed)} ticket(s) failed[/], e.g. {failed[0].ticket_id}: {failed[0].error}",
            highlight=False,
        )
    return summary


def cold_start_seconds(settings: Settings, ticket: Ticket, run_dir: Path) -> float:
    """Wall time of one `support-crew kickoff --ticket FILE` in a new process, on a fresh store."""
    run_dir.mkdir(parents=True, exist_ok=True)
    ticket_file = run_dir / "ticket.json"
    ticket_file.write_text(ticket.model_dump_json(exclude_none=True))
    script = Path(sys.executable).with_name("support-crew")
    program = [str(script)] if script.is_file() else [sys.executable, "-m", "main"]
    command = [
        *program,
        "--llm",
        settings.llm,
        "--data-dir",
        str(run_dir),
        "kickoff",
        "--ticket",
        str(ticket_file),
        "--json",
    ]
    child_env = {k: v for k, v in os.environ.items() if k != "SUPPORT_CREW_API_URL"}
    if settings.knowledge_index_dir is not None:
        child_env["SUPPORT_CREW_KNOWLEDGE_INDEX_DIR"] = str(settings.knowledge_index_dir)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=child_env, timeout=600)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-8:])
        raise BenchError(f"the cold-start kickoff failed (exit {done.returncode}): {' '.join(command)}\n{tail}")
    return round(elapsed, 3)


ColdStart = Callable[[Settings, Ticket, Path], float]


def run_bench(
    settings: Settings,
    *,
    tickets_path: Path | None = None,
    workers: int | None = None,
    console: Console | None = None,
    runner: str = DEFAULT_RUNNER,
    cold_start: ColdStart = cold_start_seconds,
) -> dict[str, Any]:
    """Run the benchmark, print its figures as a table on `console`, and return them (the CLI
    prints them as JSON on its last line; CONTRACTS §5 lists the required keys)."""
    console = console or Console(stderr=True)
    tickets_path = Path(tickets_path or BENCH_TICKETS)
    ticket_file = read_tickets(tickets_path)
    for error in ticket_file.errors:
        console.print(f"[yellow]skipped[/] {error}", highlight=False)
    if not ticket_file.tickets:
        raise BenchError(f"{tickets_path} has no valid ticket to run")
    all_workers = max(1, workers or os.cpu_count() or 1)

    root = settings.resolved_data_dir / "bench"
    shutil.rmtree(root, ignore_errors=True)
    from memory.knowledge_indexes import ensure_indexed

    ensure_indexed(settings.knowledge_index_dir or settings.resolved_data_dir, settings.knowledge_dir)
    common = (tickets_path, root, settings)
    one = _batch("one-worker", *common, workers=1, plain=False, console=console, runner=runner)
    many = _batch("all-workers", *common, workers=all_workers, plain=False, console=console, runner=runner)
    base = _batch("baseline", *common, workers=all_workers, plain=True, console=console, runner=runner)
    single = next((t for t in ticket_file.tickets if SINGLE_REQUEST_TAG in t.tags), ticket_file.tickets[0])
    console.print(f"[bold]bench[/] cold start: one kickoff of {single.id} in a new process")
    cold = cold_start(_fresh(settings, root / "cold-start"), single, root / "cold-start")

    prices = load_prices(settings.config_dir)
    figures = bench_figures(
        ticket_file.tickets, one=one, many=many, baseline=base, cold_start_s=cold, reference=prices.reference
    )
    figures.update(llm=settings.llm, tickets_file=str(tickets_path), reference_model=prices.reference_model)
    console.print(render_bench(figures))
    return figures


def bench_figures(
    tickets: list[Ticket],
    *,
    one: BatchSummary,
    many: BatchSummary,
    baseline: BatchSummary,
    cold_start_s: float,
    reference: ModelPrice | None = None,
) -> dict[str, Any]:
    """The figures of CONTRACTS §5 (and a few more) from the three runs."""
    by_id = {t.id: t for t in tickets}
    ours, theirs = _usage(one.results), _usage(baseline.results)
    single_usage = _usage([r for r in one.results if SINGLE_REQUEST_TAG in by_id[r.ticket_id].tags])
    return {
        "tickets": len(tickets),
        "tickets_per_s_1_worker": round(one.tickets_per_s, 3),
        "tickets_per_s_all_workers": round(many.tickets_per_s, 3),
        "workers": many.workers,
        "p50_s": _seconds(one.results, 50),
        "p95_s": _seconds(one.results, 95),
        "llm_calls_per_ticket": ours["llm_calls_per_ticket"],
        "prompt_tokens_per_ticket": ours["prompt_tokens_per_ticket"],
        "completion_tokens_per_ticket": ours["completion_tokens_per_ticket"],
        "single_request_llm_calls": single_usage["llm_calls_per_ticket"],
        "single_request_prompt_tokens": single_usage["prompt_tokens_per_ticket"],
        "baseline_prompt_tokens_per_ticket": theirs["prompt_tokens_per_ticket"],
        "baseline_llm_calls_per_ticket": theirs["llm_calls_per_ticket"],
        "token_ratio_vs_baseline": _ratio(ours["prompt_tokens_per_ticket"], theirs["prompt_tokens_per_ticket"]),
        "llm_calls_ratio_vs_baseline": _ratio(ours["llm_calls_per_ticket"], theirs["llm_calls_per_ticket"]),
        "peak_rss_mb_per_worker": max(many.peak_rss_mb_per_worker.values(), default=None),
        "cold_start_s": cold_start_s,
        "p50_s_all_workers": _seconds(many.results, 50),
        "p95_s_all_workers": _seconds(many.results, 95),
        "cost_per_ticket_usd": _mean_cost(one.results),
        "cost_per_ticket_usd_at_reference": _cost_at(reference, one.results),
        "baseline_cost_per_ticket_usd_at_reference": _cost_at(reference, baseline.results),
        "by_intent": _by_intent(one.results, by_id),
        "outcomes": dict(one.outcomes),
        "baseline_outcomes": dict(baseline.outcomes),
    }


def render_bench(figures: dict[str, Any]) -> Table:
    table = Table(title=f"Benchmark: {figures['tickets']} tickets, model {figures['llm']}", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        if key in ("by_intent", "llm", "tickets_file"):
            continue
        table.add_row(key.replace("_", " "), json.dumps(value) if isinstance(value, dict) else str(value))
    for intent, row in figures["by_intent"].items():
        table.add_row(
            f"intent {intent}",
            f"{row['tickets']} t, {row['llm_calls_per_ticket']} LLM calls, "
            f"{row['prompt_tokens_per_ticket']} prompt tok, p50 {row['p50_s']} s",
        )
    return table
