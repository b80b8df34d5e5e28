"""Running one ticket: intake → recall → crew → checks → result (CONTRACTS §3).

`open_environment` sets up what tickets share (store, config, policy, approvals, memory,
knowledge); `run_ticket` never raises: a failure becomes outcome `failed` with its error.
"""

from __future__ import annotations

import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from runtime.environment import disable_network_telemetry, point_crewai_storage

disable_network_telemetry()

from crewai.hooks.dispatch import HookAborted  # noqa: E402

from crews.config import ConfigError, CrewConfig, load_crew_config  # noqa: E402
from crews.resolution import TicketResolution, read_resolution  # noqa: E402
from crews.support_crew import AgentLimits, SupportCrew  # noqa: E402
from crews.toolbox import KNOWN_TOOLS, ToolDeps, build_tool  # noqa: E402
from tools.customers import IDENTIFY_TOOLS  # noqa: E402
from runtime.approvals import ApprovalGate, ApprovalQueue  # noqa: E402
from runtime.guard import GUARDS, Budgets, TicketGuard  # noqa: E402
from runtime.intake import Intake, run_intake  # noqa: E402
from runtime.llms import ModelUnavailable, make_llm  # noqa: E402
from runtime.memory_service import release as release_memory  # noqa: E402
from runtime.models import Escalation, Result, Ticket, Usage  # noqa: E402
from runtime.outcome import decide_outcome  # noqa: E402
from runtime.policy import Policy, PolicyError, load_policy  # noqa: E402
from runtime.settings import Settings  # noqa: E402
from runtime.store_access import store_url  # noqa: E402
from runtime.ticket_state import TicketStateStore  # noqa: E402
from runtime.traces import TraceWriter  # noqa: E402
from tools.client import StoreClient  # noqa: E402
from tools.context import ToolContext  # noqa: E402

TraceSink = Callable[[dict[str, Any]], None]


class SetupError(RuntimeError):
    """The environment cannot be opened: bad configuration, unreachable store, unknown model."""


@dataclass
class RunEnvironment:
    settings: Settings
    crew_config: CrewConfig
    policy: Policy
    api_url: str
    store: StoreClient
    approvals: ApprovalQueue
    ticket_state: TicketStateStore
    traces: TraceWriter
    memory: Any | None = None  # runtime.customer_memory module-level API bound to the data dir
    knowledge: Any | None = None
    notes: list[str] = field(default_factory=list)  # degradations found at start-up


@contextmanager
def open_environment(settings: Settings, *, api_url: str | None = None) -> Iterator[RunEnvironment]:
    data_dir = settings.resolved_data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    point_crewai_storage(str(data_dir))
    try:
        crew_config = load_crew_config(settings.config_dir, set(KNOWN_TOOLS))
        policy = load_policy(settings.config_dir / "policy.yaml")
    except (ConfigError, PolicyError) as e:
        raise SetupError(f"invalid configuration:\n{e}") from e
    with ExitStack() as stack:
        try:
            url = stack.enter_context(store_url(settings, api_url))
        except RuntimeError as e:  # StoreUnreachable, or the sandbox could not start
            raise SetupError(str(e)) from e
        store = stack.enter_context(StoreClient(url, timeout_s=settings.api_timeout_s))
        env = RunEnvironment(
            settings=settings,
            crew_config=crew_config,
            policy=policy,
            api_url=url,
            store=store,
            approvals=ApprovalQueue.in_data_dir(data_dir, policy.approvals),
            ticket_state=TicketStateStore(data_dir / "tickets.db"),
            traces=TraceWriter(data_dir),
        )
        _open_memory_and_knowledge(env)
        stack.callback(release_memory, settings)
        GUARDS.install()
        yield env


def _open_memory_and_knowledge(env: RunEnvironment) -> None:
    """Memory and knowledge never block a ticket: on failure the crew runs without them. The
    embedding model is loaded here, before the first ticket, so a worker is ready when it says so."""
    from runtime.embedder import get_sentence_model
    from runtime.memory_service import open_knowledge, open_memory

    try:
        get_sentence_model()
    except Exception as e:  # memory, knowledge and the offline model will each report it
        env.notes.append(f"embedding model unavailable: {type(e).__name__}: {e}")

    env.memory, note = open_memory(env.settings)
    if note:
        env.notes.append(note)
    env.knowledge, note = open_knowledge(env.settings)
    if note:
        env.notes.append(note)


def run_ticket(ticket: Ticket, env: RunEnvironment, trace: TraceSink | None = None, *, plain: bool = False) -> Result:
    started = time.monotonic()
    own_sink = trace is None  # the caller (batch, eval) that passes a sink closes it itself
    sink = trace or env.traces.for_ticket(ticket.id)
    sink({"event": "ticket_started", "ticket_id": ticket.id, "channel": ticket.channel, "plain": plain})
    for note in env.notes:
        sink({"event": "degraded", "reason": note})
    ctx = ToolContext(
        ticket_id=ticket.id,
        gate=ApprovalGate(env.policy, env.approvals, ticket_id=ticket.id),
        trace=sink,
    )
    guard: TicketGuard | None = None
    resolution: TicketResolution | None = None
    error: str | None = None
    budget_reason: str | None = None
    intake: Intake | None = None
    try:
        intake = run_intake(ticket, env, ctx, sink)
        recalled = _recall(env, ctx.customer_id, intake, sink)
        crew_builder = _build_crew(env, ctx, plain=plain)
        crew = crew_builder.crew()
        agents = [crew.manager_agent, *crew.agents]
        guard = TicketGuard(
            ticket_id=ticket.id,
            grants=env.crew_config.role_grants(),
            manager_role=env.crew_config.manager.role,
            budgets=Budgets(**env.policy.budgets.model_dump()),
            trace=sink,
        )
        agent_ids = [str(a.id) for a in agents if a is not None]
        GUARDS.attach(guard, agent_ids)
        try:
            output = crew.kickoff(inputs=intake.task_inputs(ctx.customer_id, recalled))
        finally:
            _flush_events()
            GUARDS.detach(agent_ids)
        resolution = _resolution_from(output)
    except HookAborted as e:
        budget_reason = (guard.exceeded if guard else None) or e.reason
    except ModelUnavailable as e:
        error = str(e)
    except Exception as e:  # the run must not crash the batch: report what failed
        if guard is not None and guard.exceeded:
            budget_reason = guard.exceeded
        else:
            error = f"{type(e).__name__}: {e}"
            sink({"event": "error", "error": error})

    outcome, reply, escalation = decide_outcome(
        ticket=ticket, intake=intake, ctx=ctx, resolution=resolution, error=error,
        budget_reason=budget_reason, policy=env.policy,
    )
    usage = Usage(
        llm_calls=guard.llm_calls if guard else 0,
        prompt_tokens=guard.prompt_tokens if guard else 0,
        completion_tokens=guard.completion_tokens if guard else 0,
        tool_calls=ctx.tool_calls,
    )
    result = Result(
        ticket_id=ticket.id,
        outcome=outcome,
        reply=reply,
        customer_id=ctx.customer_id,
        actions=ctx.actions,
        approvals=ctx.approvals,
        escalation=escalation,
        agents=list(guard.delegations) if guard else [],
        usage=usage,
        duration_ms=int((time.monotonic() - started) * 1000),
        error=error if outcome == "failed" else None,
    )
    _remember(env, ticket, intake, result, sink)
    env.ticket_state.save(result)
    if own_sink:
        sink.finish(result)
    return result


def _build_crew(env: RunEnvironment, ctx: ToolContext, *, plain: bool) -> SupportCrew:
    deps = ToolDeps(context=ctx, store=env.store, knowledge=env.knowledge)
    default_llm = make_llm(env.settings.llm, native_tools=not plain)
    llms: dict[str, Any] = {}

    def llm_for(spec: Any) -> Any:
        if not spec.llm:
            return default_llm
        if spec.llm not in llms:
            llms[spec.llm] = make_llm(spec.llm, native_tools=not plain)
        return llms[spec.llm]

    limits = env.policy.agent_limits
    return SupportCrew(
        config=env.crew_config,
        tool_factory=lambda name: build_tool(name, deps),
        llm_for=llm_for,
        limits=AgentLimits(
            manager_max_iter=limits.manager_max_iter,
            specialist_max_iter=limits.specialist_max_iter,
            max_retry_limit=limits.max_retry_limit,
        ) if not plain else AgentLimits(),
        plain=plain,
        # the intake authenticated the sender: the ticket is bound and identification tools only
        # cost tokens (they could not re-bind it anyway)
        withheld=IDENTIFY_TOOLS if ctx.customer_id and not plain else frozenset(),
    )


def _resolution_from(output: Any) -> TicketResolution:
    if isinstance(getattr(output, "pydantic", None), TicketResolution):
        return output.pydantic
    raw = str(getattr(output, "raw", "") or "")
    resolution = read_resolution(raw)
    if resolution is not None:
        return resolution
    # A model that answered in prose: keep its words, let the checks decide the outcome.
    return TicketResolution(outcome="resolved", reply=raw.strip(), internal_summary="free-text final answer")


def _recall(env: RunEnvironment, customer_id: str | None, intake: Intake, sink: TraceSink) -> str:
    if env.memory is None:
        return ""
    recalled = env.memory.recall(customer_id, intake.model_text)
    if recalled.degraded:
        sink({"event": "degraded", "reason": f"memory recall skipped: {recalled.degraded}"})
    else:
        sink({"event": "memory_recall", "customer_facts": len(recalled.customer_facts),
              "resolutions": len(recalled.resolutions)})
    return recalled.text


def _remember(env: RunEnvironment, ticket: Ticket, intake: Intake | None, result: Result, sink: TraceSink) -> None:
    if env.memory is None or intake is None or result.outcome == "failed":
        return
    note = env.memory.remember(result.customer_id, intake.redacted_ticket, result)
    if note:
        sink({"event": "degraded", "reason": f"memory save skipped: {note}"})


def _flush_events() -> None:
    from crewai.events import crewai_event_bus

    crewai_event_bus.flush(timeout=10.0)


__all__ = ["RunEnvironment", "SetupError", "open_environment", "run_ticket", "Escalation"]
