"""What one evaluation case goes through: the whole program on a fresh store and a fresh memory,
every approval the run created approved as a person would, then the final store and the expected
store (the case's `expected.actions` replayed on a fresh store through the store's API).

`StorePipeline` is built in the parent and sent to each worker process (it only holds settings
and paths); `warm_up` then opens what the worker reuses from case to case: the imports, the
embedder, the knowledge index and the sandbox servers (reset between cases). The heavy imports
(CrewAI, the store server) sit inside the methods so that the parent, which only schedules
cases, never loads them."""

from __future__ import annotations

import json
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.models import EvalCase, Result
from core.settings import ISOLATED, Settings
from evaluation.cases import ticket_of

APPROVER = "eval"
Store = dict[str, Any]


@dataclass
class CaseRun:
    """Everything scoring needs from one case's run."""

    result: Result
    final_store: Store
    expected_store: Store
    initial_store: Store  # the fresh store the case started from (the same for every case)
    approval_errors: dict[str, str] = field(default_factory=dict)  # approval id -> why it failed
    approvals_approved: int = 0
    expected_errors: list[str] = field(default_factory=list)  # expected actions that did not replay


class CasePipeline(Protocol):
    """One per worker process: `warm_up` once, `run_case` per case, `close` at the end."""

    def warm_up(self) -> None: ...

    def run_case(self, case: EvalCase, data_dir: Path) -> CaseRun: ...

    def close(self) -> None: ...


def write_store(path: Path, store: Store) -> None:
    """DIR/<id>.json = {"users", "orders", "products"} (CONTRACTS §5)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({key: store[key] for key in ("users", "orders", "products")}), encoding="utf-8")


def approve_all(queue: Any, store: Any, ticket_id: str) -> tuple[int, dict[str, str]]:
    """Approve every pending request of `ticket_id` through the approval queue (approver 'eval'),
    executing each with the store client exactly as `support-crew approvals approve` does.
    Returns (how many executed, {approval id: why it failed})."""

    def executor(operation: str, arguments: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return store.apply_operation(operation, arguments, idempotency_key=idempotency_key)

    approved, errors = 0, {}
    for held in queue.list(status="pending"):
        if held.ticket_id != ticket_id:
            continue
        outcome = queue.approve(held.id, approver=APPROVER, executor=executor)
        if outcome.ok:
            approved += 1
        else:
            errors[held.id] = f"{held.operation} {outcome.status}: {outcome.message}"
    return approved, errors


class ExpectedStores:
    """The expected store of a case: its actions replayed through the store's API on one sandbox
    server reset between cases (the code path of `support-crew store replay`)."""

    def __init__(self, scratch_dir: Path) -> None:
        from sandbox_store.server import SandboxServer
        from tools.client import StoreClient

        self._server = SandboxServer(scratch_dir / "expected-store.db")  # never with faults
        self._client = StoreClient(self._server.base_url, timeout_s=30.0)
        self._fresh: Store | None = None

    def fresh(self) -> Store:
        """The fresh store, exported once: what every case starts from (a case's own server, with
        faults, is a copy of the same seed template that this server is reset to)."""
        from sandbox_store.db import export_store

        if self._fresh is None:
            self._server.reset()
            self._fresh = export_store(self._server.db_path)
        return self._fresh

    def compute(self, case: EvalCase) -> tuple[Store, list[str]]:
        """(expected store, replay failures as reasons). A case without actions expects the fresh
        store, exported once."""
        from sandbox_store.db import export_store
        from sandbox_store.replay import ReplayCase, apply_case

        if not case.expected.actions:
            return self.fresh(), []
        replay = apply_case(
            ReplayCase.model_validate(case.model_dump(include={"id", "expected"})),
            server=self._server,
            client=self._client,
        )
        errors = [
            f"expected action {failure.index + 1} ({failure.operation}) fails on a fresh store: "
            f"{failure.code}: {failure.message}; fix the case"
            for failure in replay.failures
        ]
        return export_store(self._server.db_path), errors

    def close(self) -> None:
        self._client.close()
        self._server.stop()


class StorePipeline:
    """The real program: runner.ticket_run's environment and run loop, the sandbox store, the
    approval queue.

    Each case gets an empty data directory (fresh memory, approvals, traces) and a fresh store.
    Without fault injection the store is one sandbox server per worker, reset to the seed before
    each case (as `support-crew batch` shares one server); with faults each case gets a server of
    its own, because an injected hang can deliver a write after its case ended. With
    `shared_memory`, the cases a worker runs share one data directory instead (memory carried
    from case to case; with several workers, one memory per worker)."""

    def __init__(self, settings: Settings, *, work_dir: Path, shared_memory: bool = False) -> None:
        # The evaluation always runs on the bundled sandbox: a fresh store per case is the contract.
        self.settings = settings.model_copy(update=ISOLATED)
        self.work_dir = work_dir
        self.shared_memory = shared_memory
        self._scratch: Path | None = None
        self._expected: ExpectedStores | None = None
        self._store_server: Any | None = None  # the worker's reusable server, when no faults

    def warm_up(self) -> None:
        import runner.ticket_run  # noqa: F401  (CrewAI, tools, crews: imported once per worker)
        from memory.embedder import get_sentence_model
        from memory.service import open_knowledge
        from sandbox_store.db import ensure_template, set_template_dir
        from sandbox_store.server import SandboxServer

        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._scratch = Path(tempfile.mkdtemp(prefix="worker-", dir=self.work_dir))
        # Knowledge is read-only content: index it once per worker, not once per fresh data
        # directory (one index per process: ChromaDB files are not shared between processes).
        self.settings = self.settings.model_copy(
            update={"knowledge_index_dir": self._scratch / "knowledge-index", "cache_dir": self.work_dir / "cache"}
        )
        set_template_dir(self.settings.resolved_cache_dir)
        ensure_template()
        get_sentence_model()
        open_knowledge(self.settings)  # builds this worker's index now, not during the first case
        self._expected = ExpectedStores(self._scratch)
        self._expected.fresh()  # the initial store of every case, exported once per worker
        if not self.settings.faults:
            self._store_server = SandboxServer(self._scratch / "store.db")

    def _fresh_store(self, stack: ExitStack, data_dir: Path) -> Any:
        """A running SandboxServer over a fresh store, for this case."""
        from sandbox_store.db import create_fresh_store
        from sandbox_store.server import SandboxServer

        if self._store_server is not None:
            self._store_server.reset()
            return self._store_server
        return stack.enter_context(
            SandboxServer(create_fresh_store(data_dir / "store.db"), faults=self.settings.faults)
        )

    def run_case(self, case: EvalCase, data_dir: Path) -> CaseRun:
        from backlog.workers import run_one
        from runner import ticket_run
        from sandbox_store.db import export_store

        assert self._expected is not None and self._scratch is not None, "warm_up() first"
        state_dir = self._scratch / "shared-data" if self.shared_memory else data_dir
        with ExitStack() as stack:
            server = self._fresh_store(stack, data_dir)
            settings = self.settings.model_copy(update={"data_dir": state_dir})
            env = stack.enter_context(ticket_run.open_environment(settings, api_url=server.base_url))
            result = run_one(ticket_run, env, ticket_of(case), env.traces, attempt=1)
            approved, approval_errors = approve_all(env.approvals, env.store, case.id)
            final_store = export_store(server.db_path)  # the same export the API serves, minus HTTP
        expected_store, expected_errors = self._expected.compute(case)
        return CaseRun(
            result=result,
            final_store=final_store,
            expected_store=expected_store,
            initial_store=self._expected.fresh(),
            approval_errors=approval_errors,
            approvals_approved=approved,
            expected_errors=expected_errors,
        )

    def close(self) -> None:
        if self._store_server is not None:
            self._store_server.stop()
            self._store_server = None
        if self._expected is not None:
            self._expected.close()
            self._expected = None
