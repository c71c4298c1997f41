"""Crash safety: SIGKILL the server mid-ingest; every position it acknowledged is stored.

Terminals stream locations with many frames in flight. Each 0x8001 ack received is recorded
with the (device, device time) of the frame it answers. The server is killed without warning
while frames are still flowing, restarted on the same data directory, and the database must
hold every acknowledged position.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from assetwatch.registry.provisioning import apply_text
from assetwatch.simulate.jt808_link import (
    Jt808Link,
    LinkClosed,
    SerialCounter,
    TerminalIdentity,
    encode_location,
    location_report,
)
from assetwatch.simulate.vehicle import Fix
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.e2e.server import Server, start_server, wait_for

pytestmark = pytest.mark.integration
DEVICES = 8
IN_FLIGHT = 64
KILL_AFTER_ACKS = 3000
LOCATION, PLATFORM_RESPONSE = 0x0200, 0x8001


def fleet_yaml() -> str:
    lines = ["tenant: crash-bank", "assets:"]
    lines += [f"  - {{key: VIN{i:014d}, kind: vehicle}}" for i in range(DEVICES)]
    lines.append("devices:")
    lines += [
        f'  - {{key: "0139000{i:05d}", protocol: jt808, asset: VIN{i:014d}, '
        "report_interval_s: 600}"
        for i in range(DEVICES)
    ]
    return "\n".join(lines) + "\n"


async def stream(port: int, n: int, acked: set[tuple[str, int]], stop: asyncio.Event) -> None:
    """One terminal: register, authenticate, then keep IN_FLIGHT locations in flight."""
    identity = TerminalIdentity(f"0139000{n:05d}")
    link = await Jt808Link.open("127.0.0.1", port, identity, SerialCounter())
    code = await link.register(timeout_s=10)
    await link.authenticate(code, timeout_s=10)
    start = datetime.now(UTC) - timedelta(hours=1)
    pending: dict[int, int] = {}  # serial → device time (ms)
    sent = 0
    window = asyncio.Semaphore(IN_FLIGHT)

    async def sender() -> None:
        nonlocal sent
        while not stop.is_set():
            await window.acquire()
            moment = start + timedelta(seconds=sent)
            fix = Fix(
                lat=22.54 + sent * 1e-6,
                lon=114.05,
                speed_kmh=40.0,
                course=90.0,
                ignition=True,
                mileage_km=100.0,
                time=moment,
            )
            serial = link.send(LOCATION, encode_location(location_report(fix)))
            pending[serial] = int(moment.timestamp()) * 1000
            sent += 1
            if sent % 16 == 0:
                await link.writer.drain()

    task = asyncio.create_task(sender())
    try:
        while True:
            for message in await link.receive():
                body: Any = message.body
                if message.header.msg_id == PLATFORM_RESPONSE and body.result == 0:
                    time_ms = pending.pop(body.reply_serial, None)
                    if time_ms is not None:
                        acked.add((identity.phone, time_ms))
                        window.release()
    except (LinkClosed, ConnectionError):
        pass
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, LinkClosed, ConnectionError):
            await task
        link.writer.close()


async def ingest_until_killed(server: Server) -> set[tuple[str, int]]:
    acked: set[tuple[str, int]] = set()
    stop = asyncio.Event()
    terminals = [
        asyncio.create_task(stream(server.jt808_port, n, acked, stop)) for n in range(DEVICES)
    ]
    while len(acked) < KILL_AFTER_ACKS:
        await asyncio.sleep(0.01)
        failed = [t for t in terminals if t.done() and t.exception()]
        assert not failed, failed[0].exception()
    server.kill()  # SIGKILL while frames are in flight
    stop.set()
    await asyncio.wait_for(asyncio.gather(*terminals, return_exceptions=True), 15)
    return acked


def stored(data_dir: Path) -> set[tuple[str, int]]:
    with contextlib.closing(sqlite3.connect(data_dir / "assetwatch.db")) as db:
        rows = db.execute(
            "SELECT d.key, o.time_ms FROM observations o JOIN devices d ON d.id = o.device_id"
        ).fetchall()
    return {(key, time_ms) for key, time_ms in rows}


def test_every_acked_position_survives_sigkill(tmp_path: Path) -> None:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_text(engine, fleet_yaml(), "crash.yaml")
    engine.dispose()
    server = start_server(tmp_path)
    acked = asyncio.run(ingest_until_killed(server))
    assert server.process.returncode == -9
    assert len(acked) >= KILL_AFTER_ACKS
    restarted = start_server(tmp_path)  # recovery: the WAL is replayed on open
    try:
        assert restarted.get("/healthz")["status"] == "ok"
        missing = acked - stored(tmp_path)
        assert not missing, (
            f"{len(missing)} acknowledged positions lost, e.g. {sorted(missing)[:3]}"
        )
        # and the platform keeps working on the recovered database
        wait_for(lambda: restarted.get("/healthz")["status"] == "ok")
    finally:
        assert restarted.stop() == 0
