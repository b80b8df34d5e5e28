"""The bundled sandbox store: the commerce APIs (customers, orders, catalog, payments, shipping) as
an HTTP service over SQLite, seeded from data/ (see data/NOTICE.md).

Light imports here; the server (uvicorn, FastAPI) and replay load on first use. `access` picks the
store a command talks to: the configured API, or this sandbox on loopback.

May import: core, memory, tools.
"""

from __future__ import annotations

from typing import Any

from sandbox_store.db import create_fresh_store, export_store, export_store_json, open_store, reset_store

__all__ = [
    "SandboxServer",
    "create_app",
    "create_fresh_store",
    "export_store",
    "export_store_json",
    "open_store",
    "replay_cases",
    "reset_store",
]


def __getattr__(name: str) -> Any:
    if name == "SandboxServer":
        from sandbox_store.server import SandboxServer

        return SandboxServer
    if name == "create_app":
        from sandbox_store.app import create_app

        return create_app
    if name == "replay_cases":
        from sandbox_store.replay import replay_cases

        return replay_cases
    raise AttributeError(f"module 'sandbox_store' has no attribute '{name}'")
