"""The team roster written into the manager's backstory: who does what, from agents.yaml. It is how
the manager (any model, offline included) learns about a specialist added in YAML."""

from __future__ import annotations

from crews.config import CrewConfig


def team_roster(config: CrewConfig) -> str:
    lines = ["Your team (delegate by exact role name):"]
    for spec in config.specialists.values():
        lines.append(f"- {spec.role}: {spec.goal} (tools: {', '.join(spec.tools)})")
    return "\n".join(lines)
