"""The hierarchical support crew, built from config/ with CrewAI's @CrewBase conventions.

Specialists are not one @agent method each: every non-manager entry of agents.yaml becomes a
specialist, so adding one is a YAML edit. The tools an agent gets are exactly its YAML grant (tool
names resolve through per-ticket tool providers, CrewAI's `tools:` → @tool mapping), and the ACL
hook (safety/guard.py) re-checks every call against the same grants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task
from crewai.tools import BaseTool

from crews.config import DELEGATED_TASK_KEY, TICKET_TASK_KEY, AgentSpec, CrewConfig
from crews.delegation import delegation_tool
from crews.resolution import TicketResolution
from crews.roster import team_roster

ToolFactory = Callable[[str], BaseTool]
LlmFactory = Callable[[AgentSpec], Any]


@dataclass(frozen=True)
class AgentLimits:
    """From policy.yaml: CrewAI's defaults (max_iter=25, max_retry_limit=2) allow long loops."""

    manager_max_iter: int = 12
    specialist_max_iter: int = 8
    max_retry_limit: int = 0


DEFAULT_LIMITS = AgentLimits()


class ManagerAgent(Agent):
    """The manager with our delegation tool instead of CrewAI's two (delegate, ask question): one
    tool, a report the runtime can read, and no second call when one delegation is the ticket."""

    report_format: str = ""
    final_note: str = ""

    def get_delegation_tools(self, agents: Any) -> list[BaseTool]:
        return [delegation_tool(list(agents), report_format=self.report_format, final_note=self.final_note)]


class _ToolProvider:
    """Looks like a CrewAI @tool method, so CrewBase maps a YAML tool name to this ticket's tool."""

    is_tool = True

    def __init__(self, name: str, factory: ToolFactory) -> None:
        self._name = name
        self._factory = factory

    def __call__(self) -> BaseTool:
        return self._factory(self._name)


@CrewBase
class SupportCrew:
    """One instance per ticket: tools carry the ticket's context, so crews are never shared."""

    if TYPE_CHECKING:
        # What CrewBase puts on an instance (mypy does not apply class decorators; these are the types
        # of crewai.project.wrappers.CrewInstance): the loaded YAML, and the tasks @crew builds.
        agents_config: dict[str, Any]
        tasks_config: dict[str, Any]
        tasks: list[Task]
    else:  # the YAML paths CrewBase reads from the class
        agents_config = "agents.yaml"
        tasks_config = "tasks.yaml"

    def __init__(
        self,
        *,
        config: CrewConfig,
        tool_factory: ToolFactory,
        llm_for: LlmFactory,
        limits: AgentLimits = DEFAULT_LIMITS,
        plain: bool = False,
        withheld: frozenset[str] = frozenset(),
    ) -> None:
        # CrewBase reads the YAML from base_directory after __init__: point it at this config folder.
        self.base_directory = config.config_dir
        self.original_agents_config_path = "agents.yaml"
        self.original_tasks_config_path = "tasks.yaml"
        self._config = config
        self._llm_for = llm_for
        self._limits = limits
        self._plain = plain
        # granted but pointless for this ticket (e.g. identification once the customer is known):
        # not offered, so their schemas are not sent on every call; the grants stay as they are
        self._withheld = withheld
        for spec in config.specialists.values():
            for name in spec.tools:
                setattr(self, name, _ToolProvider(name, tool_factory))

    @agent
    def manager(self) -> Agent:
        spec = self._config.manager
        common = dict(
            role=spec.role,
            goal=spec.goal,
            llm=self._llm_for(spec),
            allow_delegation=True,
            tools=[],
            max_iter=spec.max_iter or self._limits.manager_max_iter,
            max_retry_limit=self._limits.max_retry_limit,
            verbose=False,
        )
        if self._plain:  # CrewAI's own manager set-up: its delegation tools, no roster
            return Agent(backstory=spec.backstory, **common)
        delegated = self._config.tasks[DELEGATED_TASK_KEY]
        return ManagerAgent(
            backstory=f"{spec.backstory}\n\n{team_roster(self._config)}",
            report_format=delegated.expected_output,
            final_note=delegated.description,
            **common,
        )

    def specialists(self) -> list[Agent]:
        built = []
        for name, spec in self._config.specialists.items():
            config = self.agents_config[name]
            built.append(
                Agent(
                    role=spec.role,
                    goal=spec.goal,
                    backstory=spec.backstory,
                    tools=[t for t in config.get("tools") or [] if t.name not in self._withheld],
                    llm=self._llm_for(spec),
                    allow_delegation=False,
                    max_iter=spec.max_iter or self._limits.specialist_max_iter,
                    max_retry_limit=self._limits.max_retry_limit,
                    verbose=False,
                )
            )
        return built

    @task
    def ticket_task(self) -> Task:
        # The expected output describes the answer's JSON in a few lines and the runner parses it.
        # output_pydantic would make CrewAI append the model's whole JSON schema to every manager
        # call (~500 tokens each); the plain crew keeps it, as a stock CrewAI crew would have it.
        spec = self._config.tasks[TICKET_TASK_KEY]
        return Task(
            description=spec.description,
            expected_output=spec.expected_output,
            output_pydantic=TicketResolution if self._plain else None,
        )

    @crew
    def crew(self) -> Crew:
        return Crew(
            agents=self.specialists(),
            tasks=self.tasks,
            process=Process.hierarchical,
            # crewai's DecoratedMethod.__get__ returns `Self | bound method` with no overload for an
            # instance, so mypy also tries the unbound branch (which wants `self`)
            manager_agent=self.manager(),  # type: ignore[call-arg]
            memory=False,  # memory is written and recalled by runner/ and memory/, with zero LLM calls
            verbose=False,
        )
