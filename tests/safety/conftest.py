"""Shared fixtures of the safety tests: the shipped policy and the evaluation tickets."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models import EvalCase
from safety.policy import DEFAULT_POLICY_PATH, Policy, load_policy

TICKETS_DIR = Path(__file__).resolve().parents[3] / "shared" / "tickets"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(DEFAULT_POLICY_PATH)


@pytest.fixture(scope="session")
def all_cases() -> list[EvalCase]:
    files = sorted(TICKETS_DIR.glob("*.jsonl"))
    if not files:
        pytest.skip(f"evaluation tickets not found in {TICKETS_DIR}")
    return [EvalCase.model_validate_json(line) for f in files for line in f.read_text().splitlines() if line.strip()]
