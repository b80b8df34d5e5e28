"""Per-ticket traces: one JSONL file per ticket under `<data_dir>/traces/<ticket_id>.jsonl`.

Every event is a JSON object with `event` (its kind), `ts` (UTC ISO time) and `elapsed_ms` (since
the run started), passed through `safety.pii.redact_for_log` before it is written, so no trace
holds a card number or an e-mail address the customer pasted. Kinds the renderer knows:

| event        | written by          | fields                                                              |
|--------------|---------------------|---------------------------------------------------------------------|
| `run_start`  | this module         | `ticket_id`, `attempt` (1, or more when a batch resumed it), `pid`  |
| `delegation` | the guard           | `coworker` (or `agent`): the specialist; `task`; `kind` (delegate/ask) |
| `tool_call`  | the tools           | `tool`, `arguments`, `status`, `latency_ms`, `error_code`?, `agent`?  |
| `llm_call`   | the guard           | `agent`, `model`, tokens (`prompt_`, `completion_`, `_from`), `latency_ms`  |
| `tier_started` | runner/tiers.py   | `tier` (1-based), `model`, `of` (how many tiers)                     |
| `tier_ended` | runner/tiers.py     | `tier`, `model`, `status`, `reason`, `llm_calls`                     |
| `run_end`    | this module         | `outcome`, `duration_ms`, `usage`, `error`                          |

A `tool_call`'s `status` is `ok`, `done`, `pending_approval`, `escalated` or `error`. An `llm_call`'s
`tokens_from` is `provider` (the provider reported them) or `cl100k` (counted here). A `tier_ended`'s
`status` is `answered`, `handed_over`, `provider_failed`, `unavailable`, `budget_exceeded` or `failed`.

Other kinds are kept and shown as plain leaves. A resumed ticket appends a new `run_start`, so the
file keeps the interrupted attempt too.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from core.models import Result

Redactor = Callable[[Any], Any]


def trace_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "traces"


def trace_path(data_dir: Path, ticket_id: str) -> Path:
    return trace_dir(data_dir) / f"{ticket_id}.jsonl"


class TicketTrace:
    """The trace sink of one run of one ticket: call it with an event dict.

    Thread-safe (tools may run in threads); each event is flushed at once so a killed run keeps
    its trace up to the moment it died."""

    def __init__(self, path: Path, *, ticket_id: str, attempt: int, redact: Redactor):
        self.path = path
        self._redact = redact
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._files = ExitStack()  # the file stays open for the whole run, until close()
        self._handle = self._files.enter_context(_appending(path))
        self({"event": "run_start", "ticket_id": ticket_id, "attempt": attempt, "pid": os.getpid()})

    def __call__(self, event: dict[str, Any]) -> None:
        record = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "elapsed_ms": round((time.monotonic() - self._started) * 1000, 1),
            **event,
        }
        line = json.dumps(self._redact(record), default=str, ensure_ascii=False)
        with self._lock:
            if self._handle.closed:
                return  # a late event from a tool thread after the run ended: nothing to add it to
            self._handle.write(line + "\n")
            self._handle.flush()

    def finish(self, result: Result) -> None:
        self(
            {
                "event": "run_end",
                "outcome": result.outcome,
                "duration_ms": result.duration_ms,
                "usage": result.usage.model_dump(),
                "error": result.error,
            }
        )
        self.close()

    def close(self) -> None:
        with self._lock:
            self._files.close()


@contextmanager
def _appending(path: Path) -> Iterator[TextIO]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        yield handle


class TraceWriter:
    """Hands out one `TicketTrace` per ticket run, all under `<data_dir>/traces/`."""

    def __init__(self, data_dir: Path, *, redact: Redactor | None = None):
        if redact is None:
            from safety.pii import redact_for_log  # the project's one redaction rule set

            redact = redact_for_log
        self.data_dir = Path(data_dir)
        self._redact = redact

    def for_ticket(self, ticket_id: str, *, attempt: int = 1) -> TicketTrace:
        return TicketTrace(
            trace_path(self.data_dir, ticket_id),
            ticket_id=ticket_id,
            attempt=attempt,
            redact=self._redact,
        )


# --- reading -------------------------------------------------------------------------------------
def load_trace(path: Path) -> list[dict[str, Any]]:
    """The events of a trace file; a line cut short by a kill is skipped."""
    events = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


def last_run(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of the latest attempt (after the last run_start)."""
    starts = [i for i, e in enumerate(events) if e.get("event") == "run_start"]
    return events[starts[-1] :] if starts else events


def _short(value: Any, limit: int = 90) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ms(value: Any) -> str:
    return f"{float(value):,.0f} ms" if isinstance(value, (int, float)) else "? ms"


def _label(event: dict[str, Any]) -> str:
    kind = event.get("event", "?")
    if kind == "tool_call":
        args = event.get("arguments") or {}
        arg_text = (
            ", ".join(f"{k}={_short(v, 40)}" for k, v in args.items()) if isinstance(args, dict) else _short(args)
        )
        failed = event.get("status") == "error" or bool(event.get("error"))
        status_text = escape(str(event.get("status") or "error"))
        status = f"[red]{status_text}[/]" if failed else f"[green]{status_text}[/]"
        detail = event.get("error_code") or event.get("error")
        error = f" {escape(_short(detail, 80))}" if failed and detail else ""
        return (
            f"[bold]tool[/] {escape(str(event.get('tool', '?')))}({escape(_short(arg_text))}) "
            f"→ {status}{error} [dim]{_ms(event.get('latency_ms'))}[/]"
        )
    if kind == "llm_call":
        who = escape(str(event.get("agent") or "?"))
        model = f" [dim]{escape(str(event['model']))}[/]" if event.get("model") else ""
        prompt = f"{event['prompt_tokens']:,} prompt + " if isinstance(event.get("prompt_tokens"), int) else ""
        completion = event.get("completion_tokens") or 0
        return (
            f"[bold]llm[/] {who}{model} {prompt}{completion:,} completion tokens [dim]{_ms(event.get('latency_ms'))}[/]"
        )
    if kind in ("tier_started", "tier_ended"):
        model = escape(str(event.get("model", "?")))
        if kind == "tier_started":
            return f"[bold magenta]tier {event.get('tier')}/{event.get('of', '?')}[/] {model}"
        reason = f" [dim]{escape(_short(event['reason'], 120))}[/]" if event.get("reason") else ""
        return f"[magenta]tier {event.get('tier')} {model}: {escape(str(event.get('status')))}[/]{reason}"
    if kind == "run_end":
        colour = "green" if event.get("outcome") not in ("failed", "escalated") else "yellow"
        error = f" [red]{escape(_short(event['error']))}[/]" if event.get("error") else ""
        usage = event.get("usage") or {}
        return (
            f"[bold {colour}]{escape(str(event.get('outcome')))}[/] in {_ms(event.get('duration_ms'))}"
            f" [dim]({usage.get('llm_calls', 0)} LLM calls, {usage.get('tool_calls', 0)} tool calls)[/]{error}"
        )
    rest = {k: v for k, v in event.items() if k not in ("event", "ts", "elapsed_ms", "ticket_id")}
    return f"[bold]{escape(str(kind))}[/] [dim]{escape(_short(rest))}[/]"


def render_trace_tree(path: Path) -> Tree:
    """A readable tree: one branch per attempt, a branch per delegation, tool and LLM calls as
    leaves. An event naming a delegated agent goes under that agent's delegation (specialists may
    work side by side); one naming no agent goes under the latest delegation; the manager's own
    calls go on the attempt and close the latest delegation."""
    events = load_trace(path)
    ticket_id = next((e.get("ticket_id") for e in events if e.get("ticket_id")), Path(path).stem)
    root = Tree(f"[bold]ticket {escape(str(ticket_id))}[/] [dim]{escape(str(path))}[/]")
    attempt: Tree = root
    branches: dict[str, Tree] = {}
    latest: Tree | None = None
    for event in events:
        kind = event.get("event")
        if kind == "run_start":
            attempt = root.add(
                f"[bold]attempt {event.get('attempt', 1)}[/] [dim]pid {event.get('pid', '?')}, "
                f"{escape(str(event.get('ts', '')))}[/]"
            )
            branches, latest = {}, None
            continue
        if kind == "delegation":
            delegated = str(event.get("coworker") or event.get("agent"))
            task = f": {escape(_short(event['task'], 70))}" if event.get("task") else ""
            verb = "ask" if str(event.get("kind", "")).startswith("ask") else "delegate"
            latest = branches[delegated] = attempt.add(f"[bold cyan]{verb}[/] {escape(delegated)}{task}")
            continue
        agent = event.get("agent")
        if kind == "run_end":
            branch = attempt
        elif agent is not None and str(agent) in branches:
            branch = branches[str(agent)]
        elif agent is not None:  # the manager (or an agent nobody delegated to)
            branch, latest = attempt, None
        else:
            branch = latest or attempt
        branch.add(_label(event))
    return root


def show_trace(data_dir: Path, ticket_id: str, *, console: Console | None = None) -> bool:
    """Print the trace tree of a ticket (`support-crew trace TICKET_ID`); False if it has none."""
    path = trace_path(Path(data_dir), ticket_id)
    if not path.is_file():
        return False
    (console or Console()).print(render_trace_tree(path))
    return True
