"""Keep CrewAI and Hugging Face off the network. Imported before crewai anywhere in the program."""

from __future__ import annotations

import os

_OFFLINE_ENV = {
    "CREWAI_DISABLE_TELEMETRY": "true",
    "OTEL_SDK_DISABLED": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_VERSION_CHECK": "true",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",  # chromadb's own telemetry
}


def disable_network_telemetry() -> None:
    """Force the telemetry/tracing switches off; a user's environment cannot turn them back on."""
    for key, value in _OFFLINE_ENV.items():
        os.environ[key] = value


def point_crewai_storage(data_dir: str) -> None:
    """CrewAI writes its own files under CREWAI_STORAGE_DIR; keep them inside our data directory."""
    path = os.path.abspath(os.path.join(data_dir, "crewai"))
    os.makedirs(path, exist_ok=True)
    os.environ["CREWAI_STORAGE_DIR"] = path


disable_network_telemetry()
