"""Bad input and unknown devices against the real gateway process."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assetwatch.protocols import jt808
from assetwatch.simulate.jt808_link import (
    Jt808Link,
    SerialCounter,
    TerminalIdentity,
    encode_location,
    location_report,
)
from assetwatch.simulate.vehicle import Fix
from tests.e2e.server import start_server, wait_for

pytestmark = pytest.mark.integration
UNKNOWN = "018888888888"


def location_frame(phone: str, serial: int, *, corrupt: bool = False) -> bytes:
    fix = Fix(
        lat=22.545,
        lon=114.065,
        speed_kmh=0.0,
        course=0.0,
        ignition=False,
        mileage_km=1.0,
        time=datetime.now(UTC),
    )
    frame = bytearray(
        jt808.encode_frame(
            0x0200, phone, serial, encode_location(location_report(fix, alarm_flags=1))
        )
    )
    if corrupt:
        frame[-2] ^= 0x01 if frame[-2] not in (0x7C, 0x7D, 0x7E, 0x7F) else 0x10
    return bytes(frame)


async def read_replies(reader: asyncio.StreamReader, want: int) -> list[jt808.Message]:
    splitter, replies = jt808.FrameSplitter(), []
    async with asyncio.timeout(10):
        while len(replies) < want:
            data = await reader.read(4096)
            if not data:
                break
            replies += [jt808.decode_frame(c) for c in splitter.feed(data)]
    return replies


async def test_garbage_is_skipped_and_never_crashes_the_server(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.jt808_port)
        writer.write(b"\x00GET / HTTP/1.1\r\n\r\n" + b"\x7e\x01\x02\x7e" + b"\x7e" * 50)
        writer.write(location_frame(UNKNOWN, 1, corrupt=True))  # bad checksum: no ack
        writer.write(b"junk-before" + location_frame(UNKNOWN, 2) + location_frame(UNKNOWN, 3))
        replies = await read_replies(reader, 2)
        assert [(r.header.msg_id, r.body.reply_serial, r.body.result) for r in replies] == [  # type: ignore[union-attr]
            (0x8001, 2, 0),
            (0x8001, 3, 0),
        ]
        for _ in range(30):  # a flood of bad frames closes this connection only
            writer.write(location_frame(UNKNOWN, 9, corrupt=True))
        # the server may close before the flood is out
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            await writer.drain()
        async with asyncio.timeout(10):
            try:
                while await reader.read(4096):
                    pass  # acks for nothing arrive; the server closes after the flood
            except (ConnectionResetError, BrokenPipeError):
                pass  # closed with our frames still unread: also a close
        writer.close()
        assert server.get("/healthz")["status"] == "ok"
        metrics = await asyncio.to_thread(server.get_text, "/metrics")
        assert 'assetwatch_frames_total{protocol="jt808",result="bad"}' in metrics
    finally:
        assert server.stop() == 0


async def test_unknown_device_is_quarantined_stored_and_raises_nothing(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        link = await Jt808Link.open(
            "127.0.0.1", server.jt808_port, TerminalIdentity(UNKNOWN), SerialCounter()
        )
        code = await link.register(timeout_s=10)
        await link.authenticate(code, timeout_s=10)
        link.writer.write(location_frame(UNKNOWN, 50))
        replies = await read_replies(link.reader, 1)
        assert replies[0].body.result == 0  # type: ignore[union-attr]
        await link.close()
        server.tenant = "_quarantine"
        devices = server.get("/api/v1/devices", status="quarantined")
        assert [d["key"] for d in devices] == [UNKNOWN]
        assert server.get("/api/v1/alarms") == []  # its SOS bit raised nothing
    finally:
        assert server.stop() == 0


async def test_reject_policy_refuses_unknown_devices(tmp_path: Path) -> None:
    server = start_server(tmp_path, "--unknown-devices", "reject")
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.jt808_port)
        writer.write(location_frame(UNKNOWN, 7))
        replies = await read_replies(reader, 1)
        assert replies[0].body.result == 1  # type: ignore[union-attr]
        writer.close()
        server.tenant = "_quarantine"
        wait_for(lambda: server.get("/healthz")["status"] == "ok")
        assert server.get("/api/v1/devices", status="quarantined") == []
    finally:
        assert server.stop() == 0


def encrypted(frame: bytes) -> bytes:
    """``frame`` with body-properties bit 10 (RSA) set and its checksum fixed."""
    content = bytearray(jt808.unescape(frame[1:-1])[:-1])
    content[2] |= 0x04
    return jt808.wrap_frame(bytes(content) + bytes([jt808.xor_checksum(bytes(content))]))


async def test_a_location_the_codec_cannot_read_is_never_acked_ok(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.jt808_port)
        whole = jt808.decode_frame(jt808.unescape(location_frame(UNKNOWN, 1)[1:-1]))
        piece = jt808.encode_frame(0x0200, UNKNOWN, 4, whole.raw_body[:20], packet=(2, 1))
        writer.write(piece)  # held until its other piece comes: not answered, not stored
        writer.write(encrypted(location_frame(UNKNOWN, 5)))  # no key to read it with
        replies = await read_replies(reader, 1)
        assert [(r.body.reply_serial, r.body.result) for r in replies] == [(5, 3)]  # type: ignore[union-attr]
        writer.close()
        server.tenant = "_quarantine"
        assert [d["key"] for d in server.get("/api/v1/devices", status="quarantined")] == [UNKNOWN]
        with contextlib.closing(sqlite3.connect(tmp_path / "assetwatch.db")) as db:
            assert db.execute("SELECT count(*) FROM observations").fetchone() == (0,)
        metrics = await asyncio.to_thread(server.get_text, "/metrics")
        assert 'result="unsupported"} 1.0' in metrics
    finally:
        assert server.stop() == 0


async def test_a_device_that_sends_utc_is_decoded_with_its_own_time_zone(tmp_path: Path) -> None:
    from datetime import timedelta

    from assetwatch.registry.provisioning import apply_text
    from assetwatch.simulate.jt808_client import Jt808Terminal, TerminalSettings
    from assetwatch.storage.engine import migrate, open_engine, sqlite_url

    fleet = """
tenant: tz-bank
assets:
  - {key: VIN-UTC, kind: vehicle}
  - {key: VIN-CST, kind: vehicle}
devices:
  - {key: "013900000077", protocol: jt808, asset: VIN-UTC, timezone: UTC}
  - {key: "013900000078", protocol: jt808, asset: VIN-CST}
"""
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_text(engine, fleet, "tz.yaml")
    engine.dispose()
    server = start_server(tmp_path)
    server.tenant = "tz-bank"
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
    try:
        for phone, zone in (("013900000077", UTC), ("013900000078", None)):
            settings = TerminalSettings(tz=zone) if zone else TerminalSettings()  # GMT+8
            t = Jt808Terminal(
                TerminalIdentity(phone), "127.0.0.1", server.jt808_port, settings=settings
            )
            t.start()
            assert await t.wait_online(10)
            t.report(
                Fix(
                    lat=22.5,
                    lon=114.0,
                    speed_kmh=0.0,
                    course=0.0,
                    ignition=False,
                    mileage_km=0.0,
                    time=moment,
                )
            )
            assert await t.drain(10)
            await t.stop()
        expected = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        for vin in ("VIN-UTC", "VIN-CST"):
            assert [p["time"] for p in server.get(f"/api/v1/assets/{vin}/track")] == [expected]
    finally:
        assert server.stop() == 0
