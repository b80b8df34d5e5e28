"""`support-crew eval`: run every case through the whole program and score it (CONTRACTS §4, §5).

Each case runs in a directory of its own (fresh store, fresh memory, own approval queue) under a
parent the harness controls: `<data_dir>/eval-runs/<run>/` removed at the end, or `keep_dir`
kept for inspection. With workers > 1 the cases run in separate processes (spawn), each process
warming up once and then taking cases one by one; results stream back in completion order and
the report lists them in file order.

A malformed line of the cases file counts as a failed case whose reason names the line, so a
broken file cannot raise the pass rate by shrinking the denominator."""

from __future__ import annotations

import atexit
import multiprocessing
import shutil
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.models import EvalCase
from core.settings import Settings
from evaluation.cases import MalformedCase, load_cases
from evaluation.pipeline import CasePipeline, StorePipeline, write_store
from evaluation.report import CaseReport, EvalReport, print_report
from evaluation.scoring import score_case

__all__ = ["CaseReport", "EvalReport", "evaluate_case", "print_evaluation", "print_report", "run_evaluation"]

print_evaluation = print_report  # the name the CLI imports

OnCase = Callable[[CaseReport], None]

# One pipeline per process: set by _init_worker in a pool worker, or in-process for workers=1.
_PIPELINE: CasePipeline | None = None


def _init_worker(pipeline: CasePipeline, close_at_exit: bool = True) -> None:
    global _PIPELINE
    _PIPELINE = pipeline
    pipeline.warm_up()
    if close_at_exit:  # a pool worker has no other moment to release its servers
        atexit.register(pipeline.close)


def _safe_name(case_id: str) -> str:
    return "".join(char if char.isalnum() or char in "._-" else "_" for char in case_id)


def evaluate_case(case: EvalCase, line: int, case_dir: Path, stores_dir: Path | None, keep: bool) -> CaseReport:
    """Run and score one case with this process's pipeline. Never raises: a harness failure
    becomes the case's reason."""
    assert _PIPELINE is not None, "evaluate_case called before the worker was initialised"
    base = {"id": case.id, "expected_outcome": case.expected.outcome, "tags": list(case.tags), "line": line}
    started = time.perf_counter()
    try:
        case_dir.mkdir(parents=True, exist_ok=False)
        run = _PIPELINE.run_case(case, case_dir)
        score = score_case(
            case,
            run.result,
            run.final_store,
            run.expected_store,
            approval_errors=run.approval_errors,
            initial_store=run.initial_store,
        )
        reasons = run.expected_errors + score.reasons
        if stores_dir is not None:
            write_store(stores_dir / f"{_safe_name(case.id)}.json", run.final_store)
        if keep:  # beside the case's memory, approvals and traces, for a look at a failure
            write_store(case_dir / "final_store.json", run.final_store)
            write_store(case_dir / "expected_store.json", run.expected_store)
        return CaseReport(
            **base,
            passed=not reasons,
            outcome=run.result.outcome,
            reasons=reasons,
            wrong_writes=score.wrong_writes,
            duration_ms=run.result.duration_ms,
            case_ms=int((time.perf_counter() - started) * 1000),
            usage=run.result.usage.model_dump(),
            approvals_approved=run.approvals_approved,
        )
    except Exception as error:  # one broken case must not stop the other 482
        where = traceback.extract_tb(error.__traceback__)[-1]
        hint = f"see {case_dir}" if keep else "rerun with --keep to keep its data directory"
        place = f"{Path(where.filename).name}:{where.lineno}"
        reason = f"harness error: {type(error).__name__}: {error} (at {place}; {hint})"
        return CaseReport(
            **base, passed=False, outcome=None, reasons=[reason], case_ms=int((time.perf_counter() - started) * 1000)
        )
    finally:
        if not keep:
            shutil.rmtree(case_dir, ignore_errors=True)


def _malformed_report(entry: MalformedCase) -> CaseReport:
    return CaseReport(id=entry.id, passed=False, outcome=None, reasons=[entry.reason], tags=entry.tags, line=entry.line)


def _worker_died(case: EvalCase, line: int, error: BaseException) -> CaseReport:
    return CaseReport(
        id=case.id,
        passed=False,
        outcome=None,
        expected_outcome=case.expected.outcome,
        tags=list(case.tags),
        line=line,
        reasons=[
            f"harness error: the worker process died twice while running this case, the "
            f"second time with no other case beside it ({type(error).__name__}: {error}); "
            "run it with --workers 1 to see why"
        ],
    )


Job = tuple[int, EvalCase, int]  # (line, case, attempt)


def _job_args(job: Job, run_dir: Path, stores_dir: Path | None, keep: bool) -> tuple[Any, ...]:
    line, case, attempt = job
    name = f"{line:05d}-{_safe_name(case.id)}" + (f"-retry{attempt}" if attempt > 1 else "")
    return case, line, run_dir / name, stores_dir, keep


def _run_cases(
    jobs: list[tuple[int, EvalCase]],
    *,
    pipeline: CasePipeline,
    workers: int,
    run_dir: Path,
    stores_dir: Path | None,
    keep: bool,
) -> Iterator[CaseReport]:
    """Yield each case's report as soon as it is scored."""
    global _PIPELINE
    if not jobs:
        return
    if workers == 1 or len(jobs) == 1:
        _init_worker(pipeline, close_at_exit=False)
        try:
            for line, case in jobs:
                yield evaluate_case(*_job_args((line, case, 1), run_dir, stores_dir, keep))
        finally:
            pipeline.close()
            _PIPELINE = None
        return
    todo = deque((line, case, 1) for line, case in jobs)
    first_pool = True
    while todo:
        yield from _run_pool(
            todo,
            pipeline=pipeline,
            workers=workers,
            first_pool=first_pool,
            args=lambda job: _job_args(job, run_dir, stores_dir, keep),
        )
        first_pool = False


def _retry_running(running: dict[Future[CaseReport], Job]) -> bool:
    return any(attempt > 1 for _, _, attempt in running.values())


def _run_pool(
    todo: deque[Job], *, pipeline: CasePipeline, workers: int, first_pool: bool, args: Callable[[Job], tuple[Any, ...]]
) -> Iterator[CaseReport]:
    """Run cases on one process pool until `todo` is empty or a worker dies. At most `workers`
    cases are in flight, so when a worker dies (the pool is then unusable) only those are
    suspects: each goes back in the queue once and is retried alone, so a second death names the
    case that causes it."""
    context = multiprocessing.get_context("spawn")  # fork would copy torch/chroma threads mid-state
    running: dict[Future[CaseReport], Job] = {}
    finished = 0
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(todo)), mp_context=context, initializer=_init_worker, initargs=(pipeline,)
    )
    try:
        while todo or running:
            while (
                todo and len(running) < workers and not _retry_running(running) and (todo[0][2] == 1 or not running)
            ):  # a retried case runs alone: no bystanders
                job = todo.popleft()
                running[pool.submit(evaluate_case, *args(job))] = job
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                try:
                    report = future.result()
                except BrokenProcessPool as error:
                    if first_pool and finished == 0:
                        raise RuntimeError(
                            "the evaluation workers could not start or died on their first case (the "
                            "worker's error is printed above); run with --workers 1 to see it directly"
                        ) from error
                    for line, case, attempt in [job, *running.values()]:
                        if attempt > 1:
                            yield _worker_died(case, line, error)
                        else:
                            todo.appendleft((line, case, attempt + 1))
                    running.clear()
                    return  # a fresh pool takes the rest
                finished += 1
                yield report
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _progress_bar(console: Console, enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]eval[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        disable=not enabled,
    )


def run_evaluation(
    cases_path: Path,
    *,
    settings: Settings,
    workers: int = 1,
    report_path: Path | None = None,
    stores_dir: Path | None = None,
    keep_dir: Path | None = None,
    shared_memory: bool = False,
    console: Console | None = None,
    progress: bool = True,
    on_case: OnCase | None = None,
    pipeline: CasePipeline | None = None,
) -> EvalReport:
    """Score every case of `cases_path` and return the report (also written to `report_path`).

    `keep_dir` keeps each case's data directory (store, memory, approvals, traces) under
    `keep_dir/run-*/`; `shared_memory` lets the cases share one memory (CONTRACTS §4 allows it, off
    by default); `on_case` sees each case's report as it comes; `pipeline` replaces the real
    program (tests). Raises FileNotFoundError for a missing cases file, ValueError for workers < 1."""
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}")
    started = time.perf_counter()
    entries = load_cases(cases_path)
    console = console or Console(stderr=True)
    reports: dict[int, CaseReport] = {}
    with ExitStack() as stack:
        parent = keep_dir if keep_dir is not None else settings.resolved_data_dir / "eval-runs"
        parent.mkdir(parents=True, exist_ok=True)
        run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=parent))
        if keep_dir is None:
            stack.callback(shutil.rmtree, run_dir, True)
        if stores_dir is not None:
            stores_dir.mkdir(parents=True, exist_ok=True)
        pipeline = pipeline or StorePipeline(settings, work_dir=run_dir, shared_memory=shared_memory)
        for line, entry in entries:
            if isinstance(entry, MalformedCase):
                reports[line] = _malformed_report(entry)
                if on_case:
                    on_case(reports[line])
        jobs = [(line, entry) for line, entry in entries if isinstance(entry, EvalCase)]
        bar = stack.enter_context(_progress_bar(console, progress))
        task = bar.add_task("warming up (imports, embedder, knowledge index)", total=len(jobs))
        passed = 0
        for case_report in _run_cases(
            jobs, pipeline=pipeline, workers=workers, run_dir=run_dir, stores_dir=stores_dir, keep=keep_dir is not None
        ):
            assert case_report.line is not None
            reports[case_report.line] = case_report
            passed += case_report.passed
            bar.update(task, advance=1, description=f"{passed} passed · last {case_report.id}")
            if on_case:
                on_case(case_report)
    report = EvalReport.from_cases(
        [reports[line] for line in sorted(reports)],
        cases_file=str(cases_path),
        llm=settings.llm,
        workers=workers,
        duration_s=round(time.perf_counter() - started, 2),
    )
    if report_path is not None:
        report.write(report_path)
    return report
