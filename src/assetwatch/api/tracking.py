"""Track routes (JSON and files), live positions, and the WebSocket live stream."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine, select

from assetwatch.api.deps import EngineDep, ScopeDep, authenticate, credential_of, source_of
from assetwatch.errors import AssetwatchError, ForbiddenError
from assetwatch.live import LiveFeed
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import visible
from assetwatch.storage.schema import assets
from assetwatch.tracking import export, playback, service
from assetwatch.tracking import overlay as overlays

router = APIRouter(tags=["tracking"])


class TrackOptions:
    """The query parameters shared by the track and its file exports."""

    def __init__(
        self,
        from_: str | None = Query(None, alias="from", description="ISO-8601 or epoch ms"),
        to: str | None = Query(None, description="ISO-8601 or epoch ms"),
        simplify_m: float | None = Query(
            None,
            description="Douglas-Peucker tolerance in metres (≥ 0); alarm fixes, fix-source "
            "changes and fixes at events are always kept. Default: every fix",
        ),
        datum: str = Query("wgs84", description="datum of the coordinates: wgs84, gcj02, bd09"),
    ) -> None:
        self.from_ms = service.parse_time(from_, field="from")
        self.to_ms = service.parse_time(to, field="to")
        self.simplify_m = simplify_m
        self.datum = datum


TrackOptionsDep = Annotated[TrackOptions, Depends()]


@router.get("/assets/{key}/track")
def track(
    key: str,
    engine: EngineDep,
    scope: ScopeDep,
    options: TrackOptionsDep,
    limit: int = Query(10_000, ge=1, le=service.MAX_TRACK_POINTS),
    overlay: bool = Query(
        False, description="answer {points, stays, events, ...} instead of the list of points"
    ),
) -> list[dict[str, Any]] | dict[str, Any]:
    found = _playback(engine, scope, key, options, limit, overlay)
    if overlay:
        return playback.playback_json(found)
    return [playback.point_json(found, p) for p in found.points]


@router.get(
    "/assets/{key}/track.{fmt}",
    response_class=StreamingResponse,
    responses={200: {"content": {f.media_type: {} for f in export.FORMATS.values()}}},
)
def track_file(
    key: str,
    fmt: str,
    engine: EngineDep,
    scope: ScopeDep,
    options: TrackOptionsDep,
    limit: int = Query(service.MAX_TRACK_POINTS, ge=1, le=service.MAX_TRACK_POINTS),
    overlay: bool = Query(False, description="include stays and events"),
) -> StreamingResponse:
    """The track as a file: ``fmt`` is gpx, kml, geojson or csv."""
    file_format = export.export_format(fmt)
    found = _playback(engine, scope, key, options, limit, overlay)
    headers = {
        "Content-Disposition": f'attachment; filename="{export.filename(found, file_format)}"'
    }
    if found.truncated:
        headers["X-Assetwatch-Truncated"] = "true"
    return StreamingResponse(
        file_format.write(found, None), media_type=file_format.media_type, headers=headers
    )


def _playback(
    engine: Engine, scope: Scope, key: str, options: TrackOptions, limit: int, overlay: bool
) -> playback.Playback:
    return playback.playback(
        engine,
        scope=scope,
        asset=key,
        from_ms=options.from_ms,
        to_ms=options.to_ms,
        simplify_m=options.simplify_m,
        with_overlay=overlay,
        datum=options.datum,
        limit=limit,
        stays=overlays.STAYS_PROVIDER,  # read at each call, so wiring it needs no restart
    )


@router.get("/live")
def live(engine: EngineDep, scope: ScopeDep) -> list[dict[str, Any]]:
    return service.live(engine, scope=scope)


@router.websocket("/stream")
async def stream(websocket: WebSocket) -> None:
    """Pushes ``{"type": "alarm", ...}`` and ``{"type": "position", ...}`` messages.

    Browsers cannot set headers on a WebSocket, so the access token or API key may come as the
    ``token`` query parameter. A caller limited to org units gets only the messages of the
    assets it may see (the set is read at connect and every minute)."""
    app = websocket.app
    engine: Engine = app.state.engine
    tenant = websocket.query_params.get("tenant") or websocket.headers.get("x-assetwatch-tenant")
    credential = websocket.query_params.get("token") or credential_of(websocket.headers)
    try:
        principal = await asyncio.to_thread(authenticate, websocket, engine, credential, tenant)
        if not principal.can("tracking:read"):
            raise ForbiddenError(f"role {principal.role} may not follow the live stream")
    except AssetwatchError as err:
        await websocket.accept()  # accept first, so the client sees the code and reason
        code = {401: 4401, 403: 4403}.get(err.status_code, 4404)
        await websocket.close(code=code, reason=str(err)[:120])
        return
    scope = principal.scope(source_of(websocket))
    feed: LiveFeed = app.state.feed
    visible = None if scope.tenant_wide else _VisibleAssets(engine, scope)
    if visible is not None:
        await asyncio.to_thread(visible.refresh)
    subscription = feed.subscribe(scope.tenant_id)  # filtered from its first message on
    subscription.accepts = None if visible is None else visible.accepts

    async def forward() -> None:
        while True:
            message = await subscription.get()
            if subscription.dropped:
                await websocket.send_json({"type": "dropped", "count": subscription.dropped})
                subscription.dropped = 0
            await websocket.send_json({k: v for k, v in message.items() if k != "tenant_id"})

    tasks: list[asyncio.Task[None]] = []
    try:  # from here on, whatever happens, the tasks and the subscription end with the socket
        await websocket.accept()
        tasks.append(asyncio.create_task(forward()))
        if visible is not None:
            tasks.append(asyncio.create_task(visible.keep_fresh()))
        while True:  # the client says nothing, but a disconnect (or shutdown) ends the loop
            received = await websocket.receive()
            if received["type"] == "websocket.disconnect":
                break
    except WebSocketDisconnect:
        pass
    finally:
        for task in tasks:
            task.cancel()
        subscription.close()


class _VisibleAssets:
    """The keys of the assets an org-unit-limited scope may see, re-read every minute."""

    def __init__(self, engine: Engine, scope: Scope) -> None:
        self.engine, self.scope = engine, scope
        self.keys: frozenset[str] = frozenset()

    def refresh(self) -> None:
        with self.engine.connect() as conn:
            self.keys = frozenset(
                conn.scalars(select(assets.c.key).where(visible(assets, self.scope))).all()
            )

    async def keep_fresh(self) -> None:
        while True:
            await asyncio.sleep(60)
            await asyncio.to_thread(self.refresh)

    def accepts(self, message: dict[str, Any]) -> bool:
        return message.get("asset") in self.keys
