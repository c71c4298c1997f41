"""FastAPI assembly: routers under /api/v1, problem+json errors, health and metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import Depends, FastAPI, Request, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text

from assetwatch import __version__
from assetwatch.api import (
    alarm_stats,
    alarms,
    analytics,
    audit,
    audit_trail,
    auth,
    device_tokens,
    evidence,
    notify,
    problems,
    profiles,
    risk,
    tracking,
    users,
)
from assetwatch.api.deps import API_PREFIX, authorize
from assetwatch.cells.views import router as cells_router
from assetwatch.commands.views import router as commands_router
from assetwatch.live import LiveFeed
from assetwatch.observability import Metrics
from assetwatch.places.views import router as places_router
from assetwatch.registry.views import router as registry_router
from assetwatch.riskpoints.views import router as risk_points_router
from assetwatch.settings import Settings


def create_app(
    engine: Engine,
    feed: LiveFeed,
    metrics: Metrics,
    settings: Settings,
    ready: Callable[[], bool] = lambda: True,
    on_registry_change: Callable[[], None] | None = None,
    kick_commands: Callable[[], None] | None = None,
    on_notify_change: Callable[[], None] | None = None,
) -> FastAPI:
    app = FastAPI(
        title="assetwatch",
        version=__version__,
        description="Monitoring of financed assets: devices, positions, geofences and alarms.",
        dependencies=[Depends(authorize)],  # every route: see assetwatch.auth.routes
    )
    settings.token_secret  # noqa: B018 - refuse to start with a weak secret in production
    app.state.settings = settings
    app.state.engine = engine
    app.state.feed = feed
    app.state.default_tenant = settings.default_tenant
    app.state.tenant_ids = {}
    problems.install(app)
    audit_trail.install(app)
    if on_registry_change is not None:
        _reload_after_writes(app, on_registry_change)
    app.state.kick_commands = kick_commands
    app.state.on_notify_change = on_notify_change
    routers = (
        registry_router,
        places_router,
        risk_points_router,
        tracking.router,
        alarm_stats.router,  # before alarms: /alarms/{alarm_id} would capture /alarms/stats
        alarms.router,
        commands_router,
        device_tokens.router,
        notify.router,
        analytics.router,
        auth.router,
        users.router,
        audit.router,
        risk.router,
        profiles.router,
    )
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(cells_router, prefix=API_PREFIX)
    app.include_router(evidence.build_router(settings.data_dir), prefix=API_PREFIX)

    @app.get("/healthz", tags=["system"])
    def healthz(response: Response) -> dict[str, object]:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            database = "ok"
        except Exception as err:  # noqa: BLE001 - reported, not raised
            database = f"error: {err}"
        healthy = database == "ok" and ready()
        response.status_code = 200 if healthy else 503
        return {
            "status": "ok" if healthy else "unavailable",
            "database": database,
            "version": __version__,
        }

    @app.get("/metrics", tags=["system"])
    def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.state.top_routes = frozenset(id(r) for r in app.routes if isinstance(r, APIRoute))

    return app


REGISTRY_PREFIXES = tuple(
    f"{API_PREFIX}/{name}" for name in ("assets", "devices", "places", "risk-points")
)


def _reload_after_writes(app: FastAPI, reload: Callable[[], None]) -> None:
    """A successful write to assets, devices or places takes effect on ingest at once
    (instead of at the processor's next periodic refresh)."""

    @app.middleware("http")
    async def reload_registry(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if (
            request.method in {"POST", "PUT", "PATCH", "DELETE"}
            and request.url.path.startswith(REGISTRY_PREFIXES)
            and response.status_code < 400
        ):
            await asyncio.to_thread(reload)
        return response
