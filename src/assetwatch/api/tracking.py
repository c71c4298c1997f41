"""Track and live routes, and the WebSocket live stream."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from assetwatch.api.deps import EngineDep, ScopeDep, get_scope
from assetwatch.errors import AssetwatchError
from assetwatch.live import LiveFeed
from assetwatch.tracking import service

router = APIRouter(tags=["tracking"])


@router.get("/assets/{key}/track")
def track(
    key: str,
    engine: EngineDep,
    scope: ScopeDep,
    from_: str | None = Query(None, alias="from", description="ISO-8601 or epoch ms"),
    to: str | None = Query(None, description="ISO-8601 or epoch ms"),
    limit: int = Query(10_000, ge=1, le=service.MAX_TRACK_POINTS),
) -> list[dict[str, Any]]:
    return service.track(
        engine,
        scope=scope,
        asset=key,
        from_ms=service.parse_time(from_, field="from"),
        to_ms=service.parse_time(to, field="to"),
        limit=limit,
    )


@router.get("/live")
def live(engine: EngineDep, scope: ScopeDep) -> list[dict[str, Any]]:
    return service.live(engine, scope=scope)


@router.websocket("/stream")
async def stream(websocket: WebSocket) -> None:
    """Pushes ``{"type": "alarm", ...}`` and ``{"type": "position", ...}`` messages."""
    app = websocket.app
    tenant = websocket.query_params.get("tenant") or websocket.headers.get("x-assetwatch-tenant")
    try:
        scope = get_scope(websocket, app.state.engine, tenant)  # type: ignore[arg-type]
    except AssetwatchError as err:
        await websocket.accept()  # accept first, so the client sees the code and reason
        await websocket.close(code=4404, reason=str(err)[:120])
        return
    feed: LiveFeed = app.state.feed
    await websocket.accept()
    subscription = feed.subscribe(scope.tenant_id)

    async def forward() -> None:
        while True:
            message = await subscription.get()
            if subscription.dropped:
                await websocket.send_json({"type": "dropped", "count": subscription.dropped})
                subscription.dropped = 0
            await websocket.send_json({k: v for k, v in message.items() if k != "tenant_id"})

    sender = asyncio.create_task(forward())
    try:
        while True:  # the client says nothing, but a disconnect (or shutdown) ends the loop
            received = await websocket.receive()
            if received["type"] == "websocket.disconnect":
                break
    except WebSocketDisconnect:
        pass
    finally:
        sender.cancel()
        subscription.close()
