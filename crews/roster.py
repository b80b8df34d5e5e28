"""The team roster written into the manager's backstory: who does what, from agents.yaml. It is how
the manager (any model, offline included) learns about a specialist added in YAML."""

from __future__ import annotations

from crews.config import CrewConfig


def team_roster(config: CrewConfig) -> str:
    specs = list(config.specialists.values())
    # tools every specialist holds are named once, in the header: the lines keep what tells them apart
    common = set.intersection(*(set(s.tools) for s in specs)) if len(specs) > 1 else set()
    shared = [t for t in specs[0].tools if t in common] if specs else []
    header = "Your team (delegate by exact role name"
    header += f"; each can also use {', '.join(shared)}):" if shared else "):"
    lines = [header]
    for spec in specs:
        own = [t for t in spec.tools if t not in common]
        lines.append(f"- {spec.role}: {spec.goal}" + (f" (tools: {', '.join(own)})" if own else ""))
    return "\n".join(lines)
