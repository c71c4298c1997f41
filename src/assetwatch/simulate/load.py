"""The benchmark client: many JT/T 808 terminals blasting location reports.

Each connection registers and authenticates like a real terminal, then sends 0x0200 reports
as fast as the platform acknowledges them, keeping up to ``pipeline_depth`` un-acked reports
in flight. Reports are encoded before the clock starts, so the client spends its time on the
socket, not on encoding. Positions wander around an area (by default 20 km across Shenzhen)
so the platform's geofence checks do real work; device times are one second apart and end
at the start of the run.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from assetwatch.protocols import jt808
from assetwatch.simulate.jt808_link import (
    LOCATION,
    HandshakeRefused,
    Jt808Link,
    LinkClosed,
    SerialCounter,
    TerminalIdentity,
    encode_location,
    location_report,
)
from assetwatch.simulate.routes import LatLon, destination, distance_m, heading_deg, seeded_rng
from assetwatch.simulate.vehicle import Fix

SHENZHEN = LatLon(22.54, 114.05)
LOAD_PHONE_BASE = 14_000_000_000
_SPEED_KMH = 40.0


def load_phone(index: int) -> str:
    """The terminal phone number of load device ``index`` (provision these to benchmark
    known devices): 014000000000, 014000000001, ..."""
    return f"{LOAD_PHONE_BASE + index:012d}"


@dataclass(slots=True)
class LoadStats:
    """Outcome of a load run. Rates are per second of the blasting phase."""

    devices: int
    connected: int = 0
    failed: int = 0
    sent: int = 0
    acked: int = 0
    refused: int = 0
    elapsed_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list, repr=False)

    @property
    def positions_per_s(self) -> float:
        return self.acked / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def latency_ms(self, quantile: float) -> float:
        """Ack latency at ``quantile`` (0–1), milliseconds; 0 when nothing was acked."""
        if not self.latencies_s:
            return 0.0
        ordered = sorted(self.latencies_s)
        return 1000.0 * ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def wandering_track(
    seed: int, count: int, *, centre: LatLon, radius_m: float, end: datetime
) -> list[Fix]:
    """``count`` fixes of a car wandering at 40 km/h within ``radius_m`` of ``centre``, one
    second apart, the last at ``end``."""
    rng = seeded_rng(seed)
    here = destination(centre, rng.uniform(0, 360), radius_m * math.sqrt(rng.random()))
    heading = rng.uniform(0, 360)
    step_m = _SPEED_KMH / 3.6
    fixes: list[Fix] = []
    for k in range(count):
        if distance_m(centre, here) > radius_m:
            heading = heading_deg(here, centre)
        heading = (heading + rng.gauss(0.0, 15.0)) % 360.0
        here = destination(here, heading, step_m)
        time_k = end - timedelta(seconds=count - 1 - k)
        fixes.append(Fix(here.lat, here.lon, _SPEED_KMH, heading, True, k * step_m / 1000, time_k))
    return fixes


async def run_load(
    host: str,
    port: int,
    *,
    devices: int,
    reports_per_device: int,
    pipeline_depth: int = 32,
    centre: LatLon = SHENZHEN,
    radius_m: float = 10_000.0,
    seed: int = 0,
    handshake_concurrency: int = 100,
    ack_timeout_s: float = 30.0,
) -> LoadStats:
    """Connect ``devices`` terminals, then send ``reports_per_device`` reports from each.

    Returns counts, the acknowledged positions per second over the blasting phase and the
    ack latencies. A connection that fails or stalls for ``ack_timeout_s`` counts as failed.
    """
    stats = LoadStats(devices=devices)
    end = datetime.now(UTC)
    gate = asyncio.Semaphore(handshake_concurrency)
    start = asyncio.Event()
    ready = [_prepare(host, port, i, gate, stats, reports_per_device, centre, radius_m,
                      seed, end, ack_timeout_s) for i in range(devices)]  # fmt: skip
    prepared = [p for p in await asyncio.gather(*ready) if p is not None]
    stats.connected = len(prepared)
    blasts = [asyncio.create_task(_blast(link, frames, pipeline_depth, start, stats,
                                         ack_timeout_s)) for link, frames in prepared]  # fmt: skip
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*blasts)
    stats.elapsed_s = time.perf_counter() - began
    await asyncio.gather(*(link.close() for link, _ in prepared))
    return stats


async def _prepare(
    host: str,
    port: int,
    index: int,
    gate: asyncio.Semaphore,
    stats: LoadStats,
    count: int,
    centre: LatLon,
    radius_m: float,
    seed: int,
    end: datetime,
    timeout_s: float,
) -> tuple[Jt808Link, list[tuple[int, bytes]]] | None:
    """Connect, register, authenticate and pre-encode the frames of one terminal."""
    identity = TerminalIdentity(load_phone(index))
    try:
        async with gate:
            link = await Jt808Link.open(host, port, identity, SerialCounter(), timeout_s=timeout_s)
            code = await link.register(timeout_s=timeout_s)
            await link.authenticate(code, timeout_s=timeout_s)
    except (OSError, TimeoutError, LinkClosed, HandshakeRefused):
        stats.failed += 1
        return None
    track = wandering_track(seed * 1_000_003 + index, count, centre=centre, radius_m=radius_m,
                            end=end)  # fmt: skip
    frames = [link.frame(LOCATION, encode_location(location_report(fix))) for fix in track]
    return link, frames


async def _blast(
    link: Jt808Link,
    frames: list[tuple[int, bytes]],
    depth: int,
    start: asyncio.Event,
    stats: LoadStats,
    timeout_s: float,
) -> None:
    """Send ``frames`` keeping at most ``depth`` un-acked; count acks and their latency."""
    await start.wait()
    sent_at: dict[int, float] = {}
    position = 0
    try:
        while position < len(frames) or sent_at:
            room = depth - len(sent_at)
            if room > 0 and position < len(frames):
                burst = frames[position : position + room]
                now = time.perf_counter()
                for serial, _ in burst:
                    sent_at[serial] = now
                link.writer.write(b"".join(data for _, data in burst))
                position += len(burst)
                stats.sent += len(burst)
                await link.writer.drain()
            async with asyncio.timeout(timeout_s):
                messages = await link.receive()
            now = time.perf_counter()
            for message in messages:
                ack = message.body
                if not isinstance(ack, jt808.PlatformResponse):
                    continue
                sent = sent_at.pop(ack.reply_serial, None)
                if sent is None:
                    continue
                if ack.result == 0:
                    stats.acked += 1
                    stats.latencies_s.append(now - sent)
                else:
                    stats.refused += 1
    except (OSError, TimeoutError, LinkClosed):
        stats.failed += 1
