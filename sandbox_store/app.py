"""The sandbox store's HTTP service: one router per API plus health and export."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from sandbox_store.db import export_store_changes, export_store_json, open_store
from sandbox_store.errors import StoreError
from sandbox_store.faults import FaultInjector, FaultPlan, FaultStats
from sandbox_store.routers import catalog, customers, orders, payments, shipping
from sandbox_store.routers.common import ConnectionPool


def create_app(db_path: Path, *, faults: str | FaultPlan = "") -> FastAPI:
    """The store API over the SQLite file `db_path` (seeded on first use)."""
    app = FastAPI(title="Support Crew sandbox store", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.db_path = open_store(Path(db_path))
    app.state.connections = ConnectionPool(app.state.db_path)
    for module in (customers, orders, catalog, payments, shipping):
        app.include_router(module.router)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/export")
    def export() -> Response:
        return Response(export_store_json(app.state.connections.get()), media_type="application/json")

    @app.get("/export/changes")
    def export_changes() -> Response:
        changes = export_store_changes(app.state.connections.get())
        return Response(json.dumps(changes), media_type="application/json")

    @app.exception_handler(StoreError)
    async def store_error(_: Request, error: StoreError) -> JSONResponse:
        return JSONResponse(error.to_body(), status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}" for e in error.errors()
        )
        body = StoreError("invalid_arguments", f"Invalid request: {problems}.").to_body()
        return JSONResponse(body, status_code=422)

    plan = faults if isinstance(faults, FaultPlan) else FaultPlan.parse(faults)
    app.state.fault_stats = FaultStats()
    if plan.active:
        app.add_middleware(FaultInjector, plan=plan, stats=app.state.fault_stats)
    return app
