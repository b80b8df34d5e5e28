"""One settings object for the whole program (env prefix SUPPORT_CREW_)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def redacted(url: str) -> str:
    """A URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


# What an isolated run (an evaluation case, a benchmark, the red team) overrides: its own sandbox
# store and its own state files, whatever fleet the environment points at.
ISOLATED: dict[str, None] = {"api_url": None, "database_url": None, "broker_url": None, "chroma_url": None}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPORT_CREW_", extra="ignore")

    llm: str = Field(
        "offline",
        description="model for every agent unless agents.yaml pins one; several, comma-separated, are tiers "
        "tried in order (see `tiers`)",
    )
    data_dir: Path = Field(Path(".support-crew"), description="where all state lives")
    config_dir: Path = Field(PROJECT_ROOT / "config", description="agents.yaml, tasks.yaml, policy.yaml")
    knowledge_dir: Path = Field(PROJECT_ROOT / "knowledge", description="policies and guides (Markdown)")
    api_url: str | None = Field(
        None, description="base URL of a running store API; unset = start the bundled sandbox on loopback"
    )
    faults: str = Field("", description="fault injection for the sandbox store, e.g. error=0.2,timeout=0.05")
    knowledge_index_dir: Path | None = Field(
        None, description="where the knowledge index lives (default: the data directory)"
    )
    cache_dir: Path | None = Field(
        None, description="where built caches live, such as the seeded store template (default: <data_dir>/cache)"
    )
    api_timeout_s: float = Field(2.0, gt=0, description="per-request timeout of the store clients")
    llm_timeout_s: float = Field(60.0, gt=0, description="per-request timeout of a real model's client")
    llm_retries: int = Field(2, ge=0, le=10, description="retries of a real model's client (errors, 429, timeouts)")
    database_url: str | None = Field(
        None,
        description="shared state (batch journal, approvals, ticket state, the service's queue and tokens) in "
        "PostgreSQL, postgresql://user:password@host:port/db; unset = SQLite files under the data directory",
    )
    broker_url: str | None = Field(
        None,
        description="a Celery broker (redis://host:port/0): `batch --queue` and `serve` hand tickets to "
        "`support-crew worker` processes instead of the local pool",
    )
    broker_queue: str = Field(
        "support-crew",
        pattern=r"^[A-Za-z0-9._-]{1,100}$",
        description="the broker queue tickets go on and workers take from (a fleet per queue on one broker)",
    )
    broker_visibility_timeout_s: float = Field(
        300.0,
        gt=0,
        description="a ticket taken by a worker that died without acknowledging it is handed out again after this",
    )
    worker_lease_s: float = Field(
        30.0,
        gt=0,
        description="a fleet worker heartbeats its ticket every third of this; a ticket whose worker stayed quiet "
        "this long may be taken over by another worker",
    )
    chroma_url: str | None = Field(
        None,
        description="a ChromaDB server (http://host:8000) for memory and knowledge; unset = files in the data dir",
    )
    webhook_url: str | None = Field(
        None, description="`serve` POSTs each finished ticket's result here, signed with webhook_secret"
    )
    webhook_secret: SecretStr | None = Field(
        None, description="the HMAC-SHA256 key of the webhook's X-Support-Crew-Signature header"
    )

    @field_validator("llm")
    @classmethod
    def _llm_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("SUPPORT_CREW_LLM / --llm is empty: use 'offline' or a CrewAI model name")
        names = [name.strip() for name in value.split(",")]
        if not all(names):
            raise ValueError(f"SUPPORT_CREW_LLM / --llm {value.strip()!r} has an empty model name between commas")
        if len(set(names)) != len(names):
            raise ValueError(f"SUPPORT_CREW_LLM / --llm {value.strip()!r} names a model twice")
        return ",".join(names)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_is_http(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"SUPPORT_CREW_WEBHOOK_URL {value!r} must be an http:// or https:// URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url_is_postgres(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                f"SUPPORT_CREW_DATABASE_URL {redacted(value)!r} must be a postgresql:// URL (unset: SQLite files)"
            )
        return value

    @field_validator("broker_url", "chroma_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value if value is not None and value.strip() else None

    @property
    def tiers(self) -> list[str]:
        """The models a ticket is tried on, in order (`--llm offline,openai/gpt-4.1-mini`)."""
        return self.llm.split(",")

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def resolved_cache_dir(self) -> Path:
        return (self.cache_dir or self.data_dir / "cache").expanduser().resolve()
