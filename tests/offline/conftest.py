"""Shared fixtures for the offline model's tests: the evaluation tickets and the store's data,
read here (tests may read them; the model itself never does)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TICKETS = ROOT.parent / "shared" / "tickets"
DATA = ROOT / "sandbox_store" / "data"
PARAPHRASED = Path(__file__).resolve().parent / "data" / "paraphrased.jsonl"


def _cases(name: str) -> list[dict]:
    path = TICKETS / name
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def dev_cases() -> list[dict]:
    return _cases("dev.jsonl")


@pytest.fixture(scope="session")
def extra_cases() -> list[dict]:
    return _cases("dev_extra.jsonl")


@pytest.fixture(scope="session")
def paraphrased_cases() -> list[dict]:
    return [json.loads(line) for line in PARAPHRASED.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def store_data() -> dict:
    return {name: json.loads((DATA / f"{name}.json").read_text()) for name in ("users", "orders", "products")}
