"""Running one ticket: intake → recall → crew on each model tier as needed → checks → result
(CONTRACTS §3).

`open_environment` sets up what tickets share (store, config, policy, prices, approvals, memory,
knowledge); `run_ticket` never raises: a failure becomes outcome `failed` with its error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from core.environment import disable_network_telemetry, keep_files_in

disable_network_telemetry()

from crewai.hooks.dispatch import HookAborted  # noqa: E402

from core.models import Escalation, Result, Ticket  # noqa: E402
from core.settings import Settings  # noqa: E402
from crews.config import ConfigError, CrewConfig, load_crew_config  # noqa: E402
from crews.resolution import TicketResolution, read_resolution  # noqa: E402
from crews.support_crew import AgentLimits, SupportCrew  # noqa: E402
from crews.toolbox import KNOWN_TOOLS, ToolDeps, build_tool  # noqa: E402
from intake.screening import Intake, run_intake  # noqa: E402
from intake.ticket_state import TicketStateStore  # noqa: E402
from memory.service import release as release_memory  # noqa: E402
from runner.llms import OFFLINE, ModelUnavailable, make_llm  # noqa: E402
from runner.outcome import decide_outcome  # noqa: E402
from runner.prices import PriceError, PriceTable, optional_prices  # noqa: E402
from runner.providers import ProviderFailed, missing_sdk  # noqa: E402
from runner.tiers import (  # noqa: E402
    TierAttempt,
    exhausted_reason,
    merged_actions,
    merged_approvals,
    run_tiers,
    total_usage,
)
from runner.traces import TraceWriter  # noqa: E402
from safety.approvals import ApprovalGate, ApprovalQueue  # noqa: E402
from safety.guard import GUARDS, Budgets, TicketGuard  # noqa: E402
from safety.policy import Policy, PolicyError, load_policy  # noqa: E402
from sandbox_store.access import store_url  # noqa: E402
from tools.client import StoreClient  # noqa: E402
from tools.context import ToolContext  # noqa: E402
from tools.customers import IDENTIFY_TOOLS  # noqa: E402

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
    prices: PriceTable | None = None  # config/prices.yaml; None: costs unknown
    memory: Any | None = None  # memory.customer_memory module-level API bound to the data dir
    knowledge: Any | None = None
    notes: list[str] = field(default_factory=list)  # degradations found at start-up


@contextmanager
def open_environment(settings: Settings, *, api_url: str | None = None) -> Iterator[RunEnvironment]:
    data_dir = settings.resolved_data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    keep_files_in(str(data_dir))
    try:
        crew_config = load_crew_config(settings.config_dir, set(KNOWN_TOOLS))
        policy = load_policy(settings.config_dir / "policy.yaml")
        prices = optional_prices(settings.config_dir)  # None: no price table, costs unknown
    except (ConfigError, PolicyError, PriceError) as e:
        raise SetupError(f"invalid configuration:\n{e}") from e
    _check_models(settings, crew_config)
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
            approvals=ApprovalQueue.in_data_dir(data_dir, policy.approvals, database_url=settings.database_url),
            ticket_state=TicketStateStore.in_data_dir(data_dir, database_url=settings.database_url),
            traces=TraceWriter(data_dir),
            prices=prices,
        )
        if prices is None:
            env.notes.append("no price table: costs unknown")
        _open_memory_and_knowledge(env)
        stack.callback(release_memory, settings)
        GUARDS.install()
        yield env


def _check_models(settings: Settings, crew_config: CrewConfig) -> None:
    """A model whose SDK is not installed stops the command before any ticket, with the command
    that installs it (keys are checked by the provider when its model is built)."""
    pinned = [spec.llm for spec in [crew_config.manager, *crew_config.specialists.values()] if spec.llm]
    missing = {name: missing_sdk(name) for name in [*settings.tiers, *pinned] if name != OFFLINE}
    problems = [f"model {name!r} needs an SDK that is not installed: {hint}" for name, hint in missing.items() if hint]
    if problems:
        raise SetupError("\n".join(problems))


def _open_memory_and_knowledge(env: RunEnvironment) -> None:
    """Memory and knowledge never block a ticket: on failure the crew runs without them. The
    embedding model is loaded here, before the first ticket, so a worker is ready when it says so."""
    from memory.embedder import get_sentence_model
    from memory.service import open_knowledge, open_memory

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
    # the caller (batch, eval) that passes a sink closes it itself
    own_trace = env.traces.for_ticket(ticket.id) if trace is None else None
    sink: TraceSink = trace if trace is not None else own_trace  # type: ignore[assignment]
    sink({"event": "ticket_started", "ticket_id": ticket.id, "channel": ticket.channel, "plain": plain})
    for note in env.notes:
        sink({"event": "degraded", "reason": note})
    ctx = _tool_context(ticket.id, env, sink)
    intake: Intake | None = None
    attempts: list[TierAttempt] = []
    error: str | None = None
    recalled = ""
    try:
        intake = run_intake(ticket, env, ctx, sink)
        recalled = _recall(env, ctx.customer_id, intake, sink)
    except Exception as e:  # the run must not crash the batch: report what failed
        error = f"{type(e).__name__}: {e}"
        sink({"event": "error", "error": error})
    if intake is not None and error is None:
        screened = intake
        earlier: list[TierAttempt] = []

        def next_attempt(tier: int, model: str) -> TierAttempt:
            attempt = _attempt(tier, model, env, ctx, earlier, screened, recalled, sink, plain=plain)
            earlier.append(attempt)
            return attempt

        attempts = run_tiers(env.settings.tiers, next_attempt, sink, env.prices)

    last = attempts[-1] if attempts else None
    stop_reason = exhausted_reason(attempts)
    if attempts and all(a.unavailable for a in attempts):  # nothing could run: a configuration problem
        stop_reason, error = None, attempts[-1].unavailable
    elif last is not None and stop_reason is None:
        error, stop_reason = last.error, last.budget_reason
    final_ctx = _merged_context(ctx, attempts)
    outcome, reply, escalation = decide_outcome(
        ticket=ticket,
        intake=intake,
        ctx=final_ctx,
        resolution=last.resolution if last is not None and last.passed_on is None else None,
        error=error,
        stop_reason=stop_reason,
        policy=env.policy,
    )
    result = Result(
        ticket_id=ticket.id,
        outcome=outcome,
        reply=reply,
        customer_id=final_ctx.customer_id,
        actions=final_ctx.actions,
        approvals=final_ctx.approvals,
        escalation=escalation,
        agents=[agent for a in attempts if a.guard for agent in a.guard.delegations],
        usage=total_usage(attempts, env.prices),
        # the model whose run gave the result: none when every tier passed the ticket on
        model=last.model if last is not None and last.passed_on is None else None,
        duration_ms=int((time.monotonic() - started) * 1000),
        error=error if outcome == "failed" else None,
    )
    _remember(env, ticket, intake, result, sink)
    env.ticket_state.save(result)
    if own_trace is not None:
        own_trace.finish(result)
    return result


def _tool_context(ticket_id: str, env: RunEnvironment, sink: TraceSink) -> ToolContext:
    return ToolContext(
        ticket_id=ticket_id,
        gate=ApprovalGate(env.policy, env.approvals, ticket_id=ticket_id),
        trace=sink,
    )


def _attempt(
    tier: int,
    model: str,
    env: RunEnvironment,
    intake_ctx: ToolContext,
    earlier: list[TierAttempt],
    intake: Intake,
    recalled: str,
    sink: TraceSink,
    *,
    plain: bool,
) -> TierAttempt:
    """One tier's run of the ticket, afresh: its own crew, tool context and guard; the customer the
    intake or an earlier tier bound carries over (a ticket speaks for one customer), and so does
    the intake's read-only."""
    ctx = _tool_context(intake_ctx.ticket_id, env, sink)
    ctx.customer_id, ctx.read_only = _bound_customer(intake_ctx, earlier), intake_ctx.read_only
    ctx.stated_text = intake_ctx.stated_text
    attempt = TierAttempt(tier=tier, model=model, ctx=ctx)
    guard: TicketGuard | None = None
    try:
        crew_builder, attempt.model_names = _build_crew(env, ctx, model, plain=plain)
        crew = crew_builder.crew()
        agents = [crew.manager_agent, *crew.agents]
        guard = attempt.guard = TicketGuard(
            ticket_id=intake_ctx.ticket_id,
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
        attempt.resolution = _resolution_from(output)
    except ProviderFailed as e:
        attempt.provider_failure = e.reason
    except HookAborted as e:
        if guard is not None and guard.provider_failure:
            attempt.provider_failure = guard.provider_failure
        else:
            attempt.budget_reason = (guard.exceeded if guard else None) or e.reason
    except ModelUnavailable as e:
        attempt.unavailable = str(e)
    except Exception as e:  # the run must not crash the batch: report what failed
        failure = _provider_failure(e)
        if failure is not None:
            attempt.provider_failure = failure.reason
        elif guard is not None and guard.provider_failure:
            attempt.provider_failure = guard.provider_failure
        elif guard is not None and guard.exceeded:
            attempt.budget_reason = guard.exceeded
        else:
            attempt.error = f"{type(e).__name__}: {e}"
            sink({"event": "error", "error": attempt.error})
    return attempt


def _provider_failure(error: BaseException) -> ProviderFailed | None:
    """A provider failure CrewAI wrapped in another exception on its way out."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ProviderFailed):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _bound_customer(intake_ctx: ToolContext, attempts: list[TierAttempt]) -> str | None:
    """The customer the intake or, failing that, the earliest tier bound the ticket to."""
    return next((c.customer_id for c in [intake_ctx, *(a.ctx for a in attempts)] if c.customer_id), None)


def _merged_context(intake_ctx: ToolContext, attempts: list[TierAttempt]) -> ToolContext:
    """What the outcome is decided on: the last attempt's context with every tier's operations, the
    customer bound first, the first escalation and every flag raised on the way."""
    if not attempts:
        return intake_ctx
    contexts = [intake_ctx, *(a.ctx for a in attempts)]
    last = attempts[-1].ctx
    last.actions = merged_actions(attempts)
    last.approvals = merged_approvals(attempts)
    last.customer_id = _bound_customer(intake_ctx, attempts)
    last.escalation = next((c.escalation for c in contexts if c.escalation is not None), None)
    last.flags = list(dict.fromkeys(flag for c in contexts for flag in c.flags))
    return last


def _build_crew(
    env: RunEnvironment, ctx: ToolContext, model: str, *, plain: bool
) -> tuple[SupportCrew, dict[str, str]]:
    """The crew for one tier, and the names its models go by in LLM events -> as configured (the
    price table knows them as configured: `ollama/qwen3`, not `qwen3`)."""
    deps = ToolDeps(context=ctx, store=env.store, knowledge=env.knowledge)
    names: dict[str, str] = {}

    def build(name: str, base_url: str | None = None) -> Any:
        llm = make_llm(
            name,
            native_tools=not plain,
            base_url=base_url,
            timeout_s=env.settings.llm_timeout_s,
            retries=env.settings.llm_retries,
        )
        names[str(getattr(llm, "model", name))] = name
        return llm

    default_llm = build(model)
    llms: dict[tuple[str, str | None], Any] = {}

    def llm_for(spec: Any) -> Any:
        if not spec.llm:  # an agent that pins its own model keeps it on every tier
            return default_llm
        key = (spec.llm, spec.api_base)
        if key not in llms:
            llms[key] = build(spec.llm, spec.api_base)
        return llms[key]

    limits = env.policy.agent_limits
    crew = SupportCrew(
        config=env.crew_config,
        tool_factory=lambda name: build_tool(name, deps),
        llm_for=llm_for,
        limits=AgentLimits(
            manager_max_iter=limits.manager_max_iter,
            specialist_max_iter=limits.specialist_max_iter,
            max_retry_limit=limits.max_retry_limit,
        )
        if not plain
        else AgentLimits(),
        plain=plain,
        # the intake authenticated the sender: the ticket is bound and identification tools only
        # cost tokens (they could not re-bind it anyway)
        withheld=IDENTIFY_TOOLS if ctx.customer_id and not plain else frozenset(),
    )
    return crew, names


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
        sink(
            {
                "event": "memory_recall",
                "customer_facts": len(recalled.customer_facts),
                "resolutions": len(recalled.resolutions),
            }
        )
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


__all__ = ["Escalation", "RunEnvironment", "SetupError", "open_environment", "run_ticket"]
