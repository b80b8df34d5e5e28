"""`store replay` (CONTRACTS §5): apply each case's expected.actions to a fresh store through the
store's own API and write the resulting store as DIR/<id>.json. A failed action is reported and
the rest go on."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from core.models import ExpectedAction
from sandbox_store.server import SandboxServer
from tools.client import StoreClient
from tools.context import idempotency_key
from tools.errors import ToolError


class _Expected(BaseModel):
    actions: list[ExpectedAction] = Field(default_factory=list)


class ReplayCase(BaseModel):
    """What replay needs of an evaluation case (other fields are ignored)."""

    id: str
    expected: _Expected


@dataclass(frozen=True)
class ActionFailure:
    case_id: str
    index: int
    operation: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.case_id} action {self.index + 1} ({self.operation}): {self.code}: {self.message}"


@dataclass
class ReplayReport:
    cases: int = 0
    actions: int = 0
    failures: list[ActionFailure] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def load_cases(path: Path) -> list[ReplayCase]:
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            cases.append(ReplayCase.model_validate_json(line))
        except ValidationError as error:
            raise ValueError(
                f"{path}:{number}: not an evaluation case (needs 'id' and 'expected.actions'): {error}"
            ) from error
    return cases


@dataclass
class CaseOutcome:
    """The store's answer to each action (None where it failed) and the failures."""

    answers: list[dict[str, Any] | None] = field(default_factory=list)
    failures: list[ActionFailure] = field(default_factory=list)


def apply_case(case: ReplayCase, *, server: SandboxServer, client: StoreClient) -> CaseOutcome:
    """Reset the server's store to fresh and apply the case's actions in order, each with its own
    idempotency key. A failed action is recorded and the next ones still run."""
    server.reset()
    outcome = CaseOutcome()
    for index, action in enumerate(case.expected.actions):
        key = idempotency_key(f"replay:{case.id}:{index}", action.name, action.kwargs)
        try:
            outcome.answers.append(client.apply_operation(action.name, action.kwargs, idempotency_key=key))
        except ToolError as error:
            outcome.answers.append(None)
            outcome.failures.append(ActionFailure(case.id, index, action.name, error.code, error.message))
    return outcome


def replay_cases(
    cases_path: Path,
    stores_dir: Path,
    *,
    work_dir: Path | None = None,
    faults: str = "",
    client_options: dict[str, Any] | None = None,
) -> ReplayReport:
    """Replay every case of `cases_path` on one sandbox server (reset between cases) and write
    `stores_dir/<id>.json` = {"users", "orders", "products"} for each."""
    cases = load_cases(cases_path)
    stores_dir = Path(stores_dir)
    stores_dir.mkdir(parents=True, exist_ok=True)
    report = ReplayReport()
    with tempfile.TemporaryDirectory(prefix="store-replay-") as scratch:
        db_path = Path(work_dir or scratch) / "replay.sqlite"
        with SandboxServer(db_path, faults) as server, StoreClient(server.base_url, **(client_options or {})) as client:
            for case in cases:
                report.failures.extend(apply_case(case, server=server, client=client).failures)
                target = stores_dir / f"{case.id}.json"
                target.write_text(client.export_json(), encoding="utf-8")
                report.cases += 1
                report.actions += len(case.expected.actions)
                report.written.append(target)
    return report


def report_summary(report: ReplayReport) -> dict[str, Any]:
    """A JSON-ready summary for the CLI."""
    return {
        "cases": report.cases,
        "actions": report.actions,
        "failed_actions": len(report.failures),
        "failures": [str(f) for f in report.failures],
    }
