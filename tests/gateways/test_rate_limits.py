"""Rate limits per device and per IP address: the token bucket, and real JT/T 808 and GT06
gateways on real sockets, where a flood beyond the limit goes unanswered while a normal
device (on another connection, or behind another address) is served as usual."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from assetwatch.gateways.device_tcp import DeviceGateway
from assetwatch.gateways.gt06 import Gt06Gateway
from assetwatch.gateways.jt808 import Jt808Gateway
from assetwatch.gateways.rate_limit import RateLimiter, RateLimits, TokenBucket
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import MemoryBus
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.processor import now_ms
from assetwatch.protocols import gt06, jt808
from assetwatch.storage.engine import migrate, open_engine, sqlite_url

SLOW = 0.001  # tokens per second: nothing refills while a test runs
Start = Callable[[type[DeviceGateway], RateLimits], Awaitable[tuple[DeviceGateway, int]]]


def test_a_bucket_gives_its_burst_then_its_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3, now=100.0)
    assert [bucket.take(100.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.retry_after_s() == 1
    assert bucket.take(100.5) and not bucket.take(100.5)  # 2 per second: one per 0.5 s
    assert [bucket.take(200.0) for _ in range(4)] == [True, True, True, False]  # capped


def test_a_limiter_keeps_one_bucket_per_key_and_forgets_idle_ones() -> None:
    limiter = RateLimiter(rate=1.0, burst=1)
    assert limiter.allow("a", 0.0) and not limiter.allow("a", 0.0)
    assert limiter.allow("b", 0.0)  # another key is not affected
    limiter._forget_idle(10.0)  # both refilled: nothing to remember
    assert len(limiter) == 0
    assert RateLimiter(rate=0, burst=1).allow("a", 0.0)  # 0 switches the limit off


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Start]:
    engine = open_engine(sqlite_url(tmp_path / "data"))
    migrate(engine)
    gateways: list[DeviceGateway] = []

    async def started(kind: type[DeviceGateway], rates: RateLimits) -> tuple[DeviceGateway, int]:
        gateway = kind(MemoryBus(), DeviceDirectory(engine), Metrics(), now_ms, rates=rates)
        gateways.append(gateway)
        return gateway, await gateway.start("127.0.0.1", 0)

    yield started
    for gateway in gateways:
        await gateway.stop()
    engine.dispose()


async def answered(
    port: int, frames: list[bytes], *, source: str = "127.0.0.1", quiet_s: float = 0.5
) -> int:
    """Frames answered on one connection from ``source`` (until ``quiet_s`` of silence)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(b"".join(frames))
    received = b""
    with contextlib.suppress(TimeoutError):
        while data := await asyncio.wait_for(reader.read(65536), quiet_s):
            received += data
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()
    splitter = gt06.FrameSplitter() if received[:2] == b"\x78\x78" else jt808.FrameSplitter()
    return len(splitter.feed(received))


def heartbeats(phone: str, n: int) -> list[bytes]:
    return [jt808.encode_frame(0x0002, phone, serial, b"") for serial in range(1, n + 1)]


def limited(gateway: DeviceGateway, scope: str) -> float:
    labels = {"protocol": gateway.protocol, "scope": scope}
    return gateway.metrics.registry.get_sample_value("assetwatch_rate_limited_total", labels) or 0


@pytest.mark.integration
async def test_a_flooding_terminal_is_limited_and_its_neighbour_is_not(start: Start) -> None:
    gateway, port = await start(Jt808Gateway, RateLimits(SLOW, 5, 0, 1))
    assert await answered(port, heartbeats("013900000001", 40)) == 5
    assert await answered(port, heartbeats("013900000002", 3)) == 3  # its own bucket
    assert limited(gateway, "device") == 35
    assert gateway.bus.pending == 8  # what was answered was published; the rest never was
    assert await answered(port, heartbeats("013900000001", 2)) == 2  # a new connection


@pytest.mark.integration
async def test_an_address_shares_one_budget_and_another_address_has_its_own(
    start: Start,
) -> None:
    gateway, port = await start(Jt808Gateway, RateLimits(0, 1, SLOW, 10))
    assert await answered(port, heartbeats("013900000001", 8)) == 8
    assert await answered(port, heartbeats("013900000002", 8)) == 2  # same IP: 10 in all
    elsewhere = await answered(port, heartbeats("013900000003", 8), source="127.0.0.2")
    assert elsewhere == 8
    assert limited(gateway, "ip") == 6


@pytest.mark.integration
async def test_the_gt06_gateway_limits_too(start: Start) -> None:
    gateway, port = await start(Gt06Gateway, RateLimits(SLOW, 4, 0, 1))
    login = gt06.encode_message(gt06.LOGIN, gt06.login_body("868120000000001"), 1)
    times = [gt06.encode_message(gt06.TIME, gt06.Empty(), n) for n in range(2, 12)]
    assert await answered(port, [login, *times]) == 4  # the login and three time answers
    assert limited(gateway, "device") == 7
