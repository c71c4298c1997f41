"""Sub-packeted JT/T 808 messages over real TCP: pieces acked as held, the whole stored and
acked after commit, missing pieces asked for with 0x8003."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assetwatch.gateways.jt808 import Jt808Gateway
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import MemoryBus
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.processor import now_ms
from assetwatch.protocols import jt808
from assetwatch.registry.provisioning import apply_file
from assetwatch.simulate.jt808_link import encode_backfill, location_report
from assetwatch.simulate.vehicle import Fix
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.e2e.conftest import FLEET
from tests.e2e.server import Server
from tests.e2e.test_gateway_input import read_replies
from tests.e2e.test_platform import IN_LOT

pytestmark = pytest.mark.integration
PHONE = "013900000001"
TRACK = "/api/v1/assets/LSVAU2180N2183294/track"
HEARTBEAT = jt808.encode_frame(0x0002, PHONE, 99, b"")


def backfill_body(count: int) -> bytes:
    start = datetime.now(UTC) - timedelta(minutes=30)
    reports = [
        location_report(
            Fix(IN_LOT[0], IN_LOT[1], 0.0, 0.0, False, 10.0, start + timedelta(seconds=30 * i))
        )
        for i in range(count)
    ]
    return encode_backfill(reports)


async def test_a_backfill_in_three_pieces_is_stored_whole(server: Server) -> None:
    frames = jt808.split_frames(0x0704, PHONE, 40, backfill_body(12), piece_size=200)
    assert len(frames) == 3
    reader, writer = await asyncio.open_connection("127.0.0.1", server.jt808_port)
    writer.write(frames[0] + frames[2] + HEARTBEAT)  # out of order, and one still missing
    [answer] = await read_replies(reader, 1)
    assert answer.body.reply_msg_id == 0x0002  # type: ignore[union-attr]  # pieces: no answer
    assert server.get(TRACK) == []  # nothing stored from an incomplete message
    writer.write(frames[1])  # completes it: answered after the commit
    [done] = await read_replies(reader, 1)
    assert (done.body.reply_serial, done.body.result) == (41, 0)  # type: ignore[union-attr]
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    stored = server.get(TRACK)  # the ack came after the commit: no waiting needed
    assert len(stored) == 12
    assert {(p["lat"], p["lon"]) for p in stored} == {IN_LOT}


async def test_missing_pieces_are_asked_for(tmp_path: Path) -> None:
    engine = open_engine(sqlite_url(tmp_path / "data"))
    migrate(engine)
    apply_file(engine, FLEET)
    gateway = Jt808Gateway(MemoryBus(), DeviceDirectory(engine), Metrics(), now_ms)
    port = await gateway.start("127.0.0.1", 0)
    try:
        frames = jt808.split_frames(0x0704, PHONE, 7, backfill_body(12), piece_size=200)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(frames[1] + HEARTBEAT)
        [answer] = await read_replies(reader, 1)
        assert answer.body.reply_msg_id == 0x0002  # type: ignore[union-attr]
        [conn] = gateway.guard.connections
        assert conn.request_missing_pieces() == 1  # type: ignore[attr-defined]
        [request] = await read_replies(reader, 1)
        assert request.header.msg_id == 0x8003
        assert (request.body.first_serial, request.body.packet_ids) == (7, (1, 3))  # type: ignore[union-attr]
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    finally:
        await gateway.stop()
        engine.dispose()
