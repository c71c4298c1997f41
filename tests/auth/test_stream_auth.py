"""The WebSocket live stream authenticates like the API (a token in the query string)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.auth.world import build


def test_the_stream_needs_a_valid_token(tmp_path: Path) -> None:
    world = build(tmp_path)
    for query in ("", "?token=not-a-token", "?token=awk_00000000_nope"):
        with world.client.websocket_connect(f"/api/v1/stream{query}") as ws:
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
        assert closed.value.code == 4401, query
    token = world.login("south-admin")
    with world.client.websocket_connect(f"/api/v1/stream?token={token}") as ws:
        feed = world.client.app.state.feed  # type: ignore[attr-defined]
        assert len(feed.subscribers) == 1
        (subscription,) = feed.subscribers
        assert subscription.accepts is not None  # limited to the south branch's assets
        assert subscription.accepts({"asset": "VIN-SOUTH-0001"})
        assert not subscription.accepts({"asset": "VIN-NORTH-0007"})
        assert not subscription.accepts({"type": "alarm", "asset": None})
        ws.close()
