"""`support-crew validate`: every problem in config/ (agents, tasks, policy, prices) and knowledge/,
with file and line."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from crews.config import check_crew_config
from crews.yaml_lines import Problem
from runner.prices import price_problems


def validate_all(settings: Settings) -> list[Problem]:
    from crews.toolbox import KNOWN_TOOLS
    from safety.policy import PolicyError, load_policy

    problems: list[Problem] = []
    config_dir = settings.config_dir
    if not config_dir.is_dir():
        return [Problem(str(config_dir), None, "config folder not found (set SUPPORT_CREW_CONFIG_DIR)")]
    _, crew_problems = check_crew_config(config_dir, set(KNOWN_TOOLS))
    problems += crew_problems
    policy_path = config_dir / "policy.yaml"
    try:
        load_policy(policy_path)
    except PolicyError as e:
        problems += [Problem(str(policy_path), line, message) for line, message in e.located()]
    problems += price_problems(config_dir)[1]
    problems += _check_knowledge(settings.knowledge_dir)
    return problems


def _check_knowledge(knowledge_dir: Path) -> list[Problem]:
    if not knowledge_dir.is_dir():
        return [Problem(str(knowledge_dir), None, "knowledge folder not found")]
    problems = []
    docs = sorted(knowledge_dir.rglob("*.md"))
    if not docs:
        problems.append(Problem(str(knowledge_dir), None, "no Markdown documents"))
    for doc in docs:
        text = doc.read_text(encoding="utf-8", errors="replace")
        if not text.strip():
            problems.append(Problem(str(doc), None, "empty document"))
        elif not text.lstrip().startswith("# "):
            problems.append(Problem(str(doc), 1, "must start with a '# Title' line (search results cite it)"))
    return problems
