"""Typed schemas for config/agents.yaml and config/tasks.yaml, and the cross-reference checks CrewAI
itself skips (it drops unknown keys and resolves names lazily). `load_crew_config` is what the
crew builder uses; `check_crew_config` is what `support-crew validate` prints."""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crews.yaml_lines import LocatedYaml, Problem, load_located

MANAGER_KEY = "manager"
TICKET_TASK_KEY = "ticket_task"
# what a specialist is asked for when the manager delegates (crews/delegation.py)
DELEGATED_TASK_KEY = "delegated_task"

# What the runner passes to the ticket task (crews/inputs.py renders them).
TASK_INPUTS = frozenset({"ticket_id", "channel", "from_email", "subject", "body", "thread", "customer", "recalled"})


class AgentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field(min_length=1)
    goal: str = Field(min_length=1)
    backstory: str = Field(min_length=1)
    tools: list[str] = Field(default_factory=list)
    llm: str | None = None
    # the OpenAI-compatible (or Anthropic) server this agent's own `llm` is served from
    api_base: str | None = None
    allow_delegation: bool = False
    max_iter: int | None = Field(None, ge=1, le=50)

    @field_validator("role", "goal", "backstory")
    @classmethod
    def _strip(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("llm")
    @classmethod
    def _one_model(cls, value: str | None) -> str | None:
        if value is not None and ("," in value or not value.strip()):
            raise ValueError("one model name (tiers are for --llm, not for an agent's own model)")
        return value.strip() if value is not None else None

    @field_validator("api_base")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlsplit(value.strip())
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"'{value}' is not an http(s) URL such as http://localhost:11434/v1")
        return value.strip()


class TaskSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1)
    expected_output: str = Field(min_length=1)
    agent: str | None = None


@dataclass
class CrewConfig:
    config_dir: Path
    manager: AgentSpec
    specialists: dict[str, AgentSpec]
    tasks: dict[str, TaskSpec]

    def role_grants(self) -> dict[str, frozenset[str]]:
        """Tool grants by role: what the ACL hook enforces whatever the model emits."""
        grants = {spec.role: frozenset(spec.tools) for spec in self.specialists.values()}
        grants[self.manager.role] = frozenset(self.manager.tools)
        return grants


class ConfigError(Exception):
    """The configuration has problems; `problems` lists every one with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class _Checked:
    agents: dict[str, AgentSpec] = field(default_factory=dict)
    tasks: dict[str, TaskSpec] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def check_crew_config(config_dir: Path, known_tools: set[str]) -> tuple[CrewConfig | None, list[Problem]]:
    """Parse and cross-check the crew declarations. Returns the config when there is no problem."""
    checked = _Checked()
    agents_file = config_dir / "agents.yaml"
    tasks_file = config_dir / "tasks.yaml"
    for required in (agents_file, tasks_file):
        if not required.is_file():
            checked.problems.append(Problem(str(required), None, "file not found"))
    if checked.problems:
        return None, checked.problems

    agents_yaml = load_located(agents_file)
    tasks_yaml = load_located(tasks_file)
    checked.problems += agents_yaml.problems + tasks_yaml.problems
    _parse_section(agents_yaml, AgentSpec, checked.agents, checked.problems)
    _parse_section(tasks_yaml, TaskSpec, checked.tasks, checked.problems)
    _check_agents(agents_yaml, checked, known_tools)
    _check_tasks(tasks_yaml, checked)

    if checked.problems or MANAGER_KEY not in checked.agents:
        return None, checked.problems
    specialists = {k: v for k, v in checked.agents.items() if k != MANAGER_KEY}
    return CrewConfig(config_dir, checked.agents[MANAGER_KEY], specialists, checked.tasks), []


def load_crew_config(config_dir: Path, known_tools: set[str]) -> CrewConfig:
    config, problems = check_crew_config(config_dir, known_tools)
    if config is None:
        raise ConfigError(problems)
    return config


def _parse_section(doc: LocatedYaml, model: type[BaseModel], out: dict[str, Any], problems: list[Problem]) -> None:
    if doc.data is None and not doc.problems:
        problems.append(Problem(str(doc.path), None, "file is empty"))
        return
    if not isinstance(doc.data, dict):
        if doc.data is not None:
            problems.append(Problem(str(doc.path), 1, "expected a mapping of names to entries"))
        return
    for name, entry in doc.data.items():
        if not isinstance(entry, dict):
            problems.append(Problem(str(doc.path), doc.line(name), f"'{name}' must be a mapping"))
            continue
        try:
            out[name] = model.model_validate(entry)
        except ValidationError as err:
            for issue in err.errors():
                loc = tuple(issue["loc"])
                field_name = ".".join(str(part) for part in loc)
                message = issue["msg"]
                if issue["type"] == "extra_forbidden":
                    hint = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
                    message = f"unknown key '{loc[-1]}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
                    field_name = ""
                where = f"{name}.{field_name}: " if field_name else f"{name}: "
                problems.append(Problem(str(doc.path), doc.line(name, *loc), where + message))


def _check_agents(doc: LocatedYaml, checked: _Checked, known_tools: set[str]) -> None:
    path = str(doc.path)
    if isinstance(doc.data, dict) and MANAGER_KEY not in doc.data:
        checked.problems.append(Problem(path, None, f"missing agent '{MANAGER_KEY}' (the crew's manager)"))
    roles: dict[str, str] = {}
    for name, spec in checked.agents.items():
        if spec.role.lower() in roles:
            checked.problems.append(
                Problem(
                    path,
                    doc.line(name, "role"),
                    f"{name}: duplicate role '{spec.role}' (also '{roles[spec.role.lower()]}'); the manager "
                    "delegates by role, so roles must be unique",
                )
            )
        roles[spec.role.lower()] = name
        _check_agent_tools(doc, checked, name, spec, known_tools)
        if spec.api_base and not spec.llm:
            checked.problems.append(
                Problem(
                    path,
                    doc.line(name, "api_base"),
                    f"{name}: api_base needs the agent's own 'llm' (the model that server serves)",
                )
            )
        _check_agent_placeholders(doc, checked, name, spec)
    manager = checked.agents.get(MANAGER_KEY)
    if manager is not None:
        _check_manager(doc, checked, manager)
    _check_specialists(doc, checked)


def _check_agent_tools(doc: LocatedYaml, checked: _Checked, name: str, spec: AgentSpec, known_tools: set[str]) -> None:
    path = str(doc.path)
    for index, tool in enumerate(spec.tools):
        if tool not in known_tools:
            hint = difflib.get_close_matches(tool, sorted(known_tools), n=1)
            checked.problems.append(
                Problem(
                    path,
                    doc.line(name, "tools", index),
                    f"{name}: unknown tool '{tool}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""),
                )
            )
    if len(set(spec.tools)) != len(spec.tools):
        checked.problems.append(Problem(path, doc.line(name, "tools"), f"{name}: a tool is listed twice"))


def _check_agent_placeholders(doc: LocatedYaml, checked: _Checked, name: str, spec: AgentSpec) -> None:
    for key in ("role", "goal", "backstory"):
        for placeholder in _placeholders(getattr(spec, key)):
            if placeholder not in TASK_INPUTS:
                checked.problems.append(
                    Problem(
                        str(doc.path),
                        doc.find(f"{{{placeholder}}}", from_line=doc.line(name, key)),
                        f"{name}.{key}: placeholder '{{{placeholder}}}' has no input "
                        f"(inputs: {', '.join(sorted(TASK_INPUTS))})",
                    )
                )


def _check_manager(doc: LocatedYaml, checked: _Checked, manager: AgentSpec) -> None:
    path = str(doc.path)
    if manager.tools:
        checked.problems.append(
            Problem(
                path,
                doc.line(MANAGER_KEY, "tools"),
                "manager: the manager must have no tools (it delegates; CrewAI gives it the delegation tools)",
            )
        )
    if not manager.allow_delegation:
        checked.problems.append(
            Problem(
                path,
                doc.line(MANAGER_KEY),
                "manager: allow_delegation must be true",
            )
        )


def _check_specialists(doc: LocatedYaml, checked: _Checked) -> None:
    path = str(doc.path)
    specialists = [name for name in checked.agents if name != MANAGER_KEY]
    if isinstance(doc.data, dict) and not specialists:
        checked.problems.append(Problem(path, None, "no specialist declared: the manager has nobody to delegate to"))
    for name in specialists:
        spec = checked.agents[name]
        if spec.allow_delegation:
            checked.problems.append(
                Problem(
                    path,
                    doc.line(name, "allow_delegation"),
                    f"{name}: specialists must not delegate (delegation loops); only the manager delegates",
                )
            )
        if not spec.tools:
            checked.problems.append(
                Problem(
                    path,
                    doc.line(name),
                    f"{name}: no tools granted, so this specialist cannot act on anything",
                )
            )


def _check_tasks(doc: LocatedYaml, checked: _Checked) -> None:
    path = str(doc.path)
    for required in (TICKET_TASK_KEY, DELEGATED_TASK_KEY):
        if isinstance(doc.data, dict) and required not in doc.data:
            checked.problems.append(Problem(path, None, f"missing task '{required}'"))
    for name, spec in checked.tasks.items():
        if spec.agent is not None:
            if spec.agent not in checked.agents:
                checked.problems.append(Problem(path, doc.line(name, "agent"), f"{name}: unknown agent '{spec.agent}'"))
            else:
                checked.problems.append(
                    Problem(
                        path,
                        doc.line(name, "agent"),
                        f"{name}: leave 'agent' off in a hierarchical crew: with an agent the manager can only "
                        "delegate to it and does the work itself, so the other specialists have no task path",
                    )
                )
        for key in ("description", "expected_output"):
            for placeholder in _placeholders(getattr(spec, key)):
                if placeholder not in TASK_INPUTS:
                    checked.problems.append(
                        Problem(
                            path,
                            doc.find(f"{{{placeholder}}}", from_line=doc.line(name, key)),
                            f"{name}.{key}: placeholder '{{{placeholder}}}' has no input "
                            f"(inputs: {', '.join(sorted(TASK_INPUTS))})",
                        )
                    )


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def _placeholders(text: str) -> set[str]:
    """`{name}` placeholders as CrewAI interpolates them (identifiers only; JSON braces are text)."""
    names: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return names
    for _, field_name, _, _ in parsed:
        if field_name and _IDENTIFIER.match(field_name):
            names.add(field_name)
    return names
