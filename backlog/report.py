"""`support-crew report OUT.jsonl`: what a batch did, overall and by ticket tag, with the tickets
each model tier answered (Result.model; a ticket every tier passed on counts as "escalated after
all tiers") and the cost per ticket (Result.usage.cost_usd) and per tier (each tier's own attempts:
the `tier_ended` events of the traces; a ticket without a trace counts its whole cost under the
model that answered it).

Results (CONTRACTS §3) carry no tags, so tags come from the input tickets: `--tickets IN.jsonl`
when given, else the batch journal of OUT in the data directory (it keeps each ticket's tags),
else there is no per-tag breakdown. Tool error rate comes from the tickets' traces (tool_call
events of each ticket's last attempt); without a data directory it is left out.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from rich.console import Console, Group
from rich.table import Table

from backlog.journal import Journal
from core.models import Outcome, Result
from intake.ticket_io import read_results, read_tickets
from runner.traces import last_run, load_trace, trace_path

OUTCOMES: tuple[Outcome, ...] = ("resolved", "pending_approval", "needs_info", "escalated", "refused", "failed")


class ToolStats(BaseModel):
    calls: int = 0
    errors: int = 0


class GroupFigures(BaseModel):
    tickets: int
    outcomes: dict[str, int]
    escalation_rate: float  # share of tickets escalated to a human
    approval_rate: float  # share of tickets that created at least one approval request
    action_error_rate: float | None  # share of attempted store operations that ended in error
    tool_calls: int  # from Result.usage
    tool_error_rate: float | None  # failed tool calls / tool calls, from traces (None: no traces)
    p50_s: float | None
    p95_s: float | None
    llm_calls_per_ticket: float
    prompt_tokens_per_ticket: float
    completion_tokens_per_ticket: float
    tool_calls_per_ticket: float
    cost_per_ticket_usd: float | None = None  # over the tickets whose cost is known
    # the tier (model) whose run gave each result, or EXHAUSTED when every tier passed it on
    tickets_by_model: dict[str, int] = {}
    # per tier (model): its own attempts' cost per ticket it ran, answered or passed on
    cost_per_ticket_by_model: dict[str, float | None] = {}


class BatchReport(BaseModel):
    overall: GroupFigures
    by_tag: dict[str, GroupFigures]
    tags_from: str | None  # where the tags came from, or None


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _cost_per_ticket(results: list[Result]) -> float | None:
    known = [r.usage.cost_usd for r in results if r.usage.cost_usd is not None]
    return round(_mean(known), 6) if known else None


EXHAUSTED = "escalated after all tiers"  # no tier answered: Result.model is None
TierCosts = Mapping[str, Mapping[str, float | None]]  # ticket -> model -> that tier's cost on it


def _tier(result: Result) -> str:
    if result.model:
        return result.model
    return EXHAUSTED if result.outcome == "escalated" else "unknown"


def _costs_by_tier(results: list[Result], tier_costs: TierCosts | None) -> dict[str, float | None]:
    """Per model, the mean over the tickets it ran of what its own attempts on each cost."""
    per_model: dict[str, list[float | None]] = {}
    for result in results:
        costs = (tier_costs or {}).get(result.ticket_id)
        if costs is None:  # no trace: the answering tier's, with the whole ticket's cost
            costs = {result.model: result.usage.cost_usd} if result.model else {}
        for model, cost in costs.items():
            per_model.setdefault(model, []).append(cost)
    return {
        model: round(_mean(known), 6) if (known := [c for c in costs if c is not None]) else None
        for model, costs in sorted(per_model.items())
    }


def figures(
    results: list[Result],
    tool_stats: Mapping[str, ToolStats] | None = None,
    tier_costs: TierCosts | None = None,
) -> GroupFigures:
    n = len(results)
    outcomes = Counter(r.outcome for r in results)
    actions = [a for r in results for a in r.actions]
    seconds = [r.duration_ms / 1000 for r in results]
    traced = [tool_stats[r.ticket_id] for r in results if tool_stats and r.ticket_id in tool_stats]
    tool_calls_traced = sum(t.calls for t in traced)
    p50, p95 = percentile(seconds, 50), percentile(seconds, 95)
    return GroupFigures(
        tickets=n,
        outcomes={name: outcomes.get(name, 0) for name in OUTCOMES},
        escalation_rate=_rate(outcomes["escalated"], n) or 0.0,
        approval_rate=_rate(sum(1 for r in results if r.approvals or r.outcome == "pending_approval"), n) or 0.0,
        action_error_rate=_rate(sum(1 for a in actions if a.status == "error"), len(actions)),
        tool_calls=sum(r.usage.tool_calls for r in results),
        tool_error_rate=_rate(sum(t.errors for t in traced), tool_calls_traced) if traced else None,
        p50_s=round(p50, 3) if p50 is not None else None,
        p95_s=round(p95, 3) if p95 is not None else None,
        llm_calls_per_ticket=round(_mean([r.usage.llm_calls for r in results]), 2),
        prompt_tokens_per_ticket=round(_mean([r.usage.prompt_tokens for r in results]), 1),
        completion_tokens_per_ticket=round(_mean([r.usage.completion_tokens for r in results]), 1),
        tool_calls_per_ticket=round(_mean([r.usage.tool_calls for r in results]), 2),
        cost_per_ticket_usd=_cost_per_ticket(results),
        tickets_by_model=dict(sorted(Counter(_tier(r) for r in results).items())),
        cost_per_ticket_by_model=_costs_by_tier(results, tier_costs),
    )


def summarize(
    results: Iterable[Result | Mapping[str, Any]],
    tags: Mapping[str, list[str]] | None = None,
    tool_stats: Mapping[str, ToolStats] | None = None,
    *,
    tags_from: str | None = None,
    tier_costs: TierCosts | None = None,
) -> BatchReport:
    """Figures for all results and for each tag (a ticket with several tags counts in each)."""
    parsed = [r if isinstance(r, Result) else Result.model_validate(r) for r in results]
    groups: dict[str, list[Result]] = {}
    for result in parsed:
        for tag in (tags or {}).get(result.ticket_id, []):
            groups.setdefault(tag, []).append(result)
    return BatchReport(
        overall=figures(parsed, tool_stats, tier_costs),
        by_tag={tag: figures(members, tool_stats, tier_costs) for tag, members in sorted(groups.items())},
        tags_from=tags_from if tags else None,
    )


def tool_stats_from_traces(data_dir: Path, ticket_ids: Iterable[str]) -> dict[str, ToolStats]:
    """Tool calls and failures per ticket, from the last attempt in each ticket's trace."""
    stats: dict[str, ToolStats] = {}
    for ticket_id in ticket_ids:
        path = trace_path(data_dir, ticket_id)
        if not path.is_file():
            continue
        calls = [e for e in last_run(load_trace(path)) if e.get("event") == "tool_call"]
        errors = sum(1 for e in calls if e.get("status") == "error" or e.get("error") or e.get("error_code"))
        stats[ticket_id] = ToolStats(calls=len(calls), errors=errors)
    return stats


def tier_costs_from_traces(data_dir: Path, ticket_ids: Iterable[str]) -> dict[str, dict[str, float | None]]:
    """Each tier's own cost per ticket, from the `tier_ended` events of each ticket's last attempt
    (a model tried twice on a ticket adds up); tickets without a trace, or with one written before
    tier events carried a cost, are left out."""
    found: dict[str, dict[str, float | None]] = {}
    for ticket_id in ticket_ids:
        path = trace_path(data_dir, ticket_id)
        if not path.is_file():
            continue
        ended = [e for e in last_run(load_trace(path)) if e.get("event") == "tier_ended"]
        if not ended or any("cost_usd" not in e for e in ended):
            continue
        costs: dict[str, float | None] = {}
        for event in ended:
            model, cost = str(event.get("model")), event.get("cost_usd")
            before = costs.get(model, 0.0)
            costs[model] = None if cost is None or before is None else before + float(cost)
        found[ticket_id] = costs
    return found


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


_FIGURES: list[tuple[str, Callable[[GroupFigures], str]]] = [
    ("tickets", lambda g: str(g.tickets)),
    *[(name.replace("_", " "), lambda g, name=name: str(g.outcomes[name])) for name in OUTCOMES],
    ("escalated %", lambda g: _pct(g.escalation_rate)),
    ("approval %", lambda g: _pct(g.approval_rate)),
    ("tool err %", lambda g: _pct(g.tool_error_rate)),
    ("action err %", lambda g: _pct(g.action_error_rate)),
    ("p50 s", lambda g: _num(g.p50_s)),
    ("p95 s", lambda g: _num(g.p95_s)),
    ("LLM calls/ticket", lambda g: _num(g.llm_calls_per_ticket)),
    ("prompt tokens/ticket", lambda g: _num(g.prompt_tokens_per_ticket, 0)),
    ("completion tokens/ticket", lambda g: _num(g.completion_tokens_per_ticket, 0)),
    ("cost/ticket $", lambda g: _usd(g.cost_per_ticket_usd)),
]


def _usd(value: float | None) -> str:
    return "–" if value is None else f"{value:.5f}"


def _tier_rows(report: BatchReport) -> list[tuple[str, Callable[[GroupFigures], str]]]:
    """Per model tier: tickets it answered, and what its own attempts cost per ticket it ran; then
    the tickets no tier answered."""
    overall = report.overall
    rows: list[tuple[str, Callable[[GroupFigures], str]]] = []
    for model in sorted(set(overall.tickets_by_model) | set(overall.cost_per_ticket_by_model)):
        if model == EXHAUSTED:
            continue

        def tickets(g: GroupFigures, m: str = model) -> str:
            return str(g.tickets_by_model.get(m, 0))

        def cost(g: GroupFigures, m: str = model) -> str:
            return _usd(g.cost_per_ticket_by_model.get(m))

        rows += [(f"on {model}", tickets), (f"  cost/ticket $ on {model}", cost)]
    if EXHAUSTED in overall.tickets_by_model:
        rows.append((EXHAUSTED, lambda g: str(g.tickets_by_model.get(EXHAUSTED, 0))))
    return rows


_LABEL_WIDTH, _GROUP_WIDTH = 28, 13


def render_report(report: BatchReport, width: int = 120) -> Group:
    """A figure per row, a group (all tickets, then each tag) per column, in as many tables as it
    takes for the columns to fit `width`: readable in an 80-column terminal."""
    groups = [("all", report.overall)] + [(f"tag: {t}", g) for t, g in report.by_tag.items()]
    per_table = max(1, (width - _LABEL_WIDTH) // _GROUP_WIDTH)
    tables = []
    for start in range(0, len(groups), per_table):
        chunk = groups[start : start + per_table]
        table = Table(title="Batch report" if start == 0 else None, title_justify="left")
        table.add_column("figure")
        for name, _ in chunk:
            table.add_column(name, justify="right")
        for label, value in [*_FIGURES, *_tier_rows(report)]:
            table.add_row(label, *(value(g) for _, g in chunk))
        tables.append(table)
    if report.tags_from:
        tables[-1].caption = f"tags from {report.tags_from}"
    return Group(*tables)


def _tags_for(
    results_path: Path, tickets_path: Path | None, data_dir: Path | None, database_url: str | None, warn: Console
) -> tuple[dict[str, list[str]], str | None]:
    if tickets_path is not None:
        ticket_file = read_tickets(tickets_path)
        for error in ticket_file.errors:
            warn.print(f"[yellow]skipped[/] {error}", highlight=False)
        return {t.id: t.tags for t in ticket_file.tickets}, str(tickets_path)
    if data_dir is not None and (database_url or (Path(data_dir) / "journal.db").is_file()):
        with Journal(data_dir, database_url=database_url) as journal:
            batch = journal.find_batch(results_path)
            if batch is not None:
                return batch.tags(), f"the batch journal in {data_dir}"
    return {}, None


def print_report(
    results_path: Path,
    *,
    tickets_path: Path | None = None,
    data_dir: Path | None = None,
    database_url: str | None = None,
    as_json: bool = False,
    console: Console | None = None,
) -> BatchReport:
    """Read a batch output file and print its report (a table, or JSON with `as_json`)."""
    console = console or Console()
    warn = Console(stderr=True)
    results, errors = read_results(Path(results_path))
    for error in errors:
        warn.print(f"[yellow]skipped[/] {error}", highlight=False)
    tags, tags_from = _tags_for(Path(results_path), tickets_path, data_dir, database_url, warn)
    stats = tool_stats_from_traces(Path(data_dir), (r.ticket_id for r in results)) if data_dir else None
    costs = tier_costs_from_traces(Path(data_dir), (r.ticket_id for r in results)) if data_dir else None
    report = summarize(results, tags, stats, tags_from=tags_from, tier_costs=costs)
    if as_json:
        # soft_wrap: one unbroken JSON document whatever the terminal width
        console.print(json.dumps(report.model_dump(), indent=2), markup=False, highlight=False, soft_wrap=True)
    else:
        console.print(render_report(report, width=console.width))
    return report
