"""Crew-level fixtures: a settings object on a tmp data dir and a runner whose model is scripted."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.settings import PROJECT_ROOT, Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    """A temporary copy of config/ a test may edit."""
    target = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", target, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return target


@pytest.fixture
def scripted_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Install a ScriptedLLM as the model of every agent: `install(scripts)` returns it."""
    from runner import ticket_run
    from tests.fakes import ScriptedLLM

    def install(scripts: dict[str, list[Any]]) -> ScriptedLLM:
        model = ScriptedLLM(scripts)
        monkeypatch.setattr(ticket_run, "make_llm", lambda name, **options: model)
        return model

    yield install
