"""One settings object for the whole program (env prefix SUPPORT_CREW_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
