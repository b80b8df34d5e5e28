"""The `store` commands."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from core.cli import err, note_if_not_loopback
from core.settings import Settings
from sandbox_store.access import store_client


def export_current_store(settings: Settings, out_file: Path) -> dict[str, int]:
    with store_client(settings) as client:
        text = client.export_json()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    data = json.loads(text)
    return {key: len(data[key]) for key in ("users", "orders", "products")}


def replay_cases(settings: Settings, cases: Path, stores_dir: Path, *, console: Console) -> int:
    """Returns the number of failed actions (each is reported; the other cases go on)."""
    from sandbox_store.db import set_template_dir
    from sandbox_store.replay import replay_cases as replay

    set_template_dir(settings.resolved_cache_dir)
    work_dir = settings.resolved_data_dir / "replay"
    work_dir.mkdir(parents=True, exist_ok=True)
    report = replay(cases, stores_dir, work_dir=work_dir, client_options={"timeout_s": settings.api_timeout_s})
    for failure in report.failures:
        console.print(f"[red]failed:[/] {failure}", highlight=False)
    console.print(
        f"replayed {report.cases} case(s), {report.actions} action(s), "
        f"{len(report.failures)} failed; stores in {stores_dir}"
    )
    return len(report.failures)


def serve_store(settings: Settings, *, host: str, port: int, faults: str) -> None:
    """`store serve` in the foreground until SIGTERM or SIGINT (sandbox_store.standalone)."""
    from sandbox_store.db import set_template_dir
    from sandbox_store.faults import FaultPlan
    from sandbox_store.standalone import bind, serve

    plan = FaultPlan.parse(faults)  # ValueError before anything is started
    sock = bind(host, port)  # CannotListen before anything is created
    try:
        data_dir = settings.resolved_data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        set_template_dir(settings.resolved_cache_dir)  # the seeded template stays inside the data directory
    except BaseException:
        sock.close()
        raise
    db_path = data_dir / "store.db"
    state = "kept from before" if db_path.exists() else "seeded now"
    err.print(f"support-crew store serve: http://{host}:{port}, database {db_path} ({state})", highlight=False)
    if plan.active:
        err.print(f"[yellow]note[/] faults injected: {faults}", highlight=False)
    note_if_not_loopback(host, "the sandbox store has no authentication; keep it private")
    serve(sock, db_path, faults=plan)
