"""The store a command talks to: the configured API, or the bundled sandbox over the data
directory's SQLite file, started on loopback for as long as the command needs it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from core.settings import Settings
from tools.client import StoreClient


class StoreUnreachable(RuntimeError):
    pass


def check_reachable(url: str, timeout_s: float) -> None:
    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=timeout_s).raise_for_status()
    except httpx.HTTPError as e:
        raise StoreUnreachable(
            f"the store API at {url} is unreachable ({type(e).__name__}: {e}); check SUPPORT_CREW_API_URL, "
            "or unset it to use the bundled sandbox store"
        ) from e


@contextmanager
def store_url(settings: Settings, api_url: str | None = None) -> Iterator[str]:
    url = api_url or settings.api_url
    if url is not None:
        check_reachable(url, settings.api_timeout_s)
        yield url
        return
    from sandbox_store.db import set_template_dir
    from sandbox_store.server import SandboxServer

    data_dir = settings.resolved_data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    set_template_dir(settings.resolved_cache_dir)
    with SandboxServer(data_dir / "store.db", faults=settings.faults) as server:
        yield server.base_url


@contextmanager
def store_client(settings: Settings, api_url: str | None = None) -> Iterator[StoreClient]:
    with store_url(settings, api_url) as url, StoreClient(url, timeout_s=settings.api_timeout_s) as client:
        yield client
