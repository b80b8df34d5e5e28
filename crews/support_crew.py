"""The hierarchical support crew, built from config/ with CrewAI's @CrewBase conventions.

Specialists are not one @agent method each: every non-manager entry of agents.yaml becomes a
specialist, so adding one is a YAML edit. The tools an agent gets are exactly its YAML grant (tool
names resolve through per-ticket tool providers, CrewAI's `tools:` → @tool mapping), and the ACL
hook (runtime/guard.py) re-checks every call against the same grants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task
from crewai.tools import BaseTool

from crews.config import MANAGER_KEY, AgentSpec, CrewConfig
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

    agents_config = "agents.yaml"
    tasks_config = "tasks.yaml"

    def __init__(
        self,
        *,
        config: CrewConfig,
        tool_factory: ToolFactory,
        llm_for: LlmFactory,
        limits: AgentLimits = AgentLimits(),
        plain: bool = False,
    ) -> None:
        # CrewBase reads the YAML from base_directory after __init__: point it at this config folder.
        self.base_directory = config.config_dir
        self.original_agents_config_path = "agents.yaml"
        self.original_tasks_config_path = "tasks.yaml"
        self._config = config
        self._llm_for = llm_for
        self._limits = limits
        self._plain = plain
        for spec in config.specialists.values():
            for name in spec.tools:
                setattr(self, name, _ToolProvider(name, tool_factory))

    @agent
    def manager(self) -> Agent:
        spec = self._config.manager
        backstory = spec.backstory if self._plain else f"{spec.backstory}\n\n{team_roster(self._config)}"
        return Agent(
            role=spec.role,
            goal=spec.goal,
            backstory=backstory,
            llm=self._llm_for(spec),
            allow_delegation=True,
            tools=[],
            max_iter=spec.max_iter or self._limits.manager_max_iter,
            max_retry_limit=self._limits.max_retry_limit,
            verbose=False,
        )

    def specialists(self) -> list[Agent]:
        built = []
        for name, spec in self._config.specialists.items():
            config = self.agents_config[name]
            built.append(Agent(
                role=spec.role,
                goal=spec.goal,
                backstory=spec.backstory,
                tools=list(config.get("tools") or []),
                llm=self._llm_for(spec),
                allow_delegation=False,
                max_iter=spec.max_iter or self._limits.specialist_max_iter,
                max_retry_limit=self._limits.max_retry_limit,
                verbose=False,
            ))
        return built

    @task
    def ticket_task(self) -> Task:
        # output_pydantic in YAML is silently dropped by CrewAI: pass the model class here.
        spec = self._config.tasks["ticket_task"]
        return Task(
            description=spec.description,
            expected_output=spec.expected_output,
            output_pydantic=TicketResolution,
        )

    @crew
    def crew(self) -> Crew:
        return Crew(
            agents=self.specialists(),
            tasks=self.tasks,
            process=Process.hierarchical,
            manager_agent=self.manager(),
            memory=False,  # memory is written and recalled by runtime/, with zero LLM calls
            verbose=False,
        )


def specialist_roles(config: CrewConfig) -> list[str]:
    return [spec.role for name, spec in config.specialists.items() if name != MANAGER_KEY]
