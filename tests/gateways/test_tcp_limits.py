"""TCP limits on a real listening JT/T 808 gateway: per-IP cap, idle, slow senders, size."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from assetwatch.gateways.gt06 import Gt06Gateway
from assetwatch.gateways.jt808 import Jt808Gateway
from assetwatch.gateways.tcp import TcpLimits
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import MemoryBus
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.processor import now_ms
from assetwatch.protocols import jt808
from assetwatch.storage.engine import migrate, open_engine, sqlite_url

pytestmark = pytest.mark.integration

PHONE = "013912345678"
HEARTBEAT = jt808.encode_frame(0x0002, PHONE, 1, b"")


async def _gateway(tmp_path: Path, limits: TcpLimits) -> tuple[Jt808Gateway, int]:
    engine = open_engine(sqlite_url(tmp_path / "data"))
    migrate(engine)
    gateway = Jt808Gateway(MemoryBus(), DeviceDirectory(engine), Metrics(), now_ms, limits=limits)
    port = await gateway.start("127.0.0.1", 0)
    return gateway, port


@pytest.fixture
async def tight(tmp_path: Path) -> AsyncIterator[tuple[Jt808Gateway, int]]:
    limits = TcpLimits(
        max_frame_bytes=512,
        idle_timeout_s=0.6,
        partial_frame_timeout_s=0.3,
        max_connections_per_ip=2,
    )
    gateway, port = await _gateway(tmp_path, limits)
    yield gateway, port
    await gateway.stop()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


def _closed(gateway: Jt808Gateway, reason: str) -> float:
    value = gateway.metrics.registry.get_sample_value(
        "assetwatch_connections_closed_total", {"protocol": "jt808", "reason": reason}
    )
    return value or 0.0


async def _until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    async with asyncio.timeout(10):
        try:
            while data := await reader.read(4096):
                received += data
        except ConnectionResetError:
            pass
    return received


async def test_a_third_connection_from_one_ip_is_refused(
    tight: tuple[Jt808Gateway, int],
) -> None:
    gateway, port = tight
    first = await asyncio.open_connection("127.0.0.1", port)
    second = await asyncio.open_connection("127.0.0.1", port)
    third_reader, third_writer = await asyncio.open_connection("127.0.0.1", port)
    assert await _until_closed(third_reader) == b""
    assert _closed(gateway, "ip_limit") == 1.0
    for _, writer in (first, second):
        writer.write(HEARTBEAT)  # the first two still work
    for reader, _ in (first, second):
        assert jt808.FrameSplitter().feed(await reader.read(4096))
    for _, writer in (first, second, (third_reader, third_writer)):
        await _close(writer)
    async with asyncio.timeout(10):
        while gateway.guard.connections:
            await asyncio.sleep(0.01)
    again_reader, again_writer = await asyncio.open_connection("127.0.0.1", port)
    again_writer.write(HEARTBEAT)  # the slots were released with the closes
    assert jt808.FrameSplitter().feed(await again_reader.read(4096))
    await _close(again_writer)


async def test_a_silent_connection_is_closed_as_idle(tight: tuple[Jt808Gateway, int]) -> None:
    gateway, port = tight
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HEARTBEAT)
    received = await _until_closed(reader)
    assert [m.header.msg_id for m in map(jt808.decode_frame, jt808.FrameSplitter().feed(received))]
    assert _closed(gateway, "idle") == 1.0
    await _close(writer)


async def test_a_sender_dribbling_half_a_frame_is_closed(tight: tuple[Jt808Gateway, int]) -> None:
    gateway, port = tight
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def dribble() -> None:
        for byte in HEARTBEAT[:-3]:
            writer.write(bytes([byte]))
            await asyncio.sleep(0.05)

    task = asyncio.create_task(dribble())
    await _until_closed(reader)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert _closed(gateway, "slow_sender") == 1.0
    assert _closed(gateway, "idle") == 0.0
    await _close(writer)


async def test_an_oversized_frame_is_dropped_and_the_connection_lives(
    tight: tuple[Jt808Gateway, int],
) -> None:
    _, port = tight
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"\x7e" + b"\x01" * 4000)  # no end in sight: longer than max_frame_bytes
    writer.write(b"\x7e" + HEARTBEAT)
    replies = jt808.FrameSplitter().feed(await asyncio.wait_for(reader.read(4096), 5))
    assert [jt808.decode_frame(r).header.msg_id for r in replies] == [0x8001]
    await _close(writer)


@pytest.mark.parametrize("reason", ["ip_limit", "idle"])
async def test_the_gt06_gateway_has_the_same_limits(tmp_path: Path, reason: str) -> None:
    engine = open_engine(sqlite_url(tmp_path / "data"))
    migrate(engine)
    limits = TcpLimits(idle_timeout_s=0.3, partial_frame_timeout_s=0.3, max_connections_per_ip=1)
    gateway = Gt06Gateway(MemoryBus(), DeviceDirectory(engine), Metrics(), now_ms, limits=limits)
    port = await gateway.start("127.0.0.1", 0)
    try:
        first_reader, first = await asyncio.open_connection("127.0.0.1", port)
        if reason == "ip_limit":
            second_reader, second = await asyncio.open_connection("127.0.0.1", port)
            assert await _until_closed(second_reader) == b""
            await _close(second)
        else:
            assert await _until_closed(first_reader) == b""
        value = gateway.metrics.registry.get_sample_value(
            "assetwatch_connections_closed_total", {"protocol": "gt06", "reason": reason}
        )
        assert value == 1.0
        await _close(first)
    finally:
        await gateway.stop()
        engine.dispose()
