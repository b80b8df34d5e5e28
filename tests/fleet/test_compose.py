"""compose.yaml and the Dockerfile, read as text (no Docker here): every service is wired to the
others by the settings' own variables, waits for what it needs, and runs a command that exists."""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from core.settings import PROJECT_ROOT, Settings

COMPOSE: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
OURS = [name for name, service in SERVICES.items() if service.get("build")]


def _default(value: str) -> str:
    """A compose value with each ${VAR:-default} replaced by its default."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_the_fleet_has_its_services_and_our_image_runs_four_of_them() -> None:
    assert set(SERVICES) == {"redis", "postgres", "chroma", "store", "worker", "service"}
    assert set(OURS) == {"chroma", "store", "worker", "service"}
    assert "replicas" in SERVICES["worker"]["deploy"] and "container_name" not in SERVICES["worker"]
    assert all(":" in SERVICES[name]["image"] and not SERVICES[name]["image"].endswith(":latest") for name in SERVICES)


@pytest.mark.parametrize("name", ["worker", "service"])
def test_workers_and_service_reach_every_backend_through_the_settings(name: str) -> None:
    environment = {key: _default(value) for key, value in SERVICES[name]["environment"].items()}
    fields = {key.removeprefix("SUPPORT_CREW_").lower(): value for key, value in environment.items()}
    assert set(fields) <= set(Settings.model_fields), "a variable the settings do not read"
    settings = Settings.model_validate(fields)
    assert settings.database_url and settings.database_url.endswith("@postgres:5432/support_crew")
    assert settings.broker_url == "redis://redis:6379/0"
    assert (settings.chroma_url, settings.api_url) == ("http://chroma:8000", "http://store:8700")
    needed = SERVICES[name]["depends_on"]
    assert set(needed) == {"redis", "postgres", "chroma", "store"}
    assert all(SERVICES[dep].get("healthcheck") and needed[dep]["condition"] == "service_healthy" for dep in needed)


@pytest.mark.parametrize("name", ["store", "worker", "service"])
def test_each_support_crew_command_exists(name: str) -> None:
    import main

    program, *args = SERVICES[name]["command"]
    assert program == "support-crew"
    subcommand = [arg for arg in args if not arg.startswith("-")][: 2 if args[0] == "store" else 1]
    answer = CliRunner().invoke(main.app, [*subcommand, "--help"])
    assert answer.exit_code == 0, answer.output
    for option in (arg for arg in args if arg.startswith("--")):
        assert option in answer.output


def test_the_image_installs_cpu_torch_before_the_project() -> None:
    text = (PROJECT_ROOT / "Dockerfile").read_text().replace("\\\n", " ")  # continued lines joined
    steps = [shlex.split(line.removeprefix("RUN ")) for line in text.splitlines() if line.startswith("RUN ")]
    torch = next(i for i, step in enumerate(steps) if "torch==2.13.0" in step)
    assert "https://download.pytorch.org/whl/cpu" in steps[torch]
    project = next(i for i, step in enumerate(steps) if step[:3] == ["pip", "install", "--no-deps"])
    assert torch < project
