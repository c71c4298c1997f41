"""Jt808Terminal against a real socket: handshake, acks, retransmission, backfill."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from assetwatch.protocols import jt808
from assetwatch.simulate.jt808_client import Jt808Terminal, TerminalSettings
from assetwatch.simulate.jt808_link import (
    SerialCounter,
    TerminalIdentity,
    backfill_batches,
    encode_backfill,
    location_report,
)
from assetwatch.simulate.vehicle import Fix
from tests.simulate.conftest import AUTH_CODE, FakePlatform

pytestmark = pytest.mark.integration

PHONE = "013900000042"
VIN = "LSVAU2182R6681536"
T0 = datetime(2026, 3, 1, 1, 0, 0, tzinfo=UTC)  # 09:00:00 in GMT+8
FAST = TerminalSettings(
    heartbeat_s=60.0, ack_timeout_s=0.05, max_retries=50, reconnect_min_s=0.01,
    reconnect_max_s=0.05,
)  # fmt: skip


def fix(k: int, *, ignition: bool = True) -> Fix:
    return Fix(
        lat=22.54 + k * 1e-4,
        lon=114.05 + k * 1e-4,
        speed_kmh=36.0 if ignition else 0.0,
        course=45.0,
        ignition=ignition,
        mileage_km=1000.0 + k / 10,
        time=T0 + timedelta(seconds=5 * k),
    )


def local(k: int) -> datetime:
    return (T0 + timedelta(seconds=5 * k, hours=8)).replace(tzinfo=None)


@pytest.fixture
async def terminal(platform: FakePlatform) -> AsyncIterator[Jt808Terminal]:
    term = Jt808Terminal(
        TerminalIdentity(PHONE, vehicle_id=VIN),
        "127.0.0.1",
        platform.port,
        settings=FAST,
        on_event=platform.notify,
    )
    term.start()
    yield term
    await term.stop()


async def online(platform: FakePlatform, terminal: Jt808Terminal) -> None:
    await platform.wait_for(lambda: terminal.online)


async def test_registers_authenticates_and_reports(
    platform: FakePlatform, terminal: Jt808Terminal
) -> None:
    await online(platform, terminal)
    for k in range(3):
        terminal.report(fix(k, ignition=k > 0), alarm_flags=1 << 8 if k == 2 else 0)
    assert await terminal.drain(10)

    ids = [m.header.msg_id for m in platform.messages]
    assert ids == [jt808.REGISTRATION, jt808.AUTHENTICATION] + [jt808.LOCATION] * 3
    registration = platform.messages[0].body
    assert isinstance(registration, jt808.Registration)
    assert (registration.plate_color, registration.plate) == (0, VIN)
    assert platform.messages[1].body == jt808.Authentication(AUTH_CODE)
    assert terminal.auth_code == AUTH_CODE
    serials = [m.header.serial for m in platform.messages]
    assert serials == list(range(5))
    reports = platform.locations()
    assert [r.time_local for r in reports] == [local(0), local(1), local(2)]
    assert [r.status & 1 for r in reports] == [0, 1, 1]  # ACC
    assert all(r.status & 2 for r in reports)  # positioned
    assert [r.alarm_flags for r in reports] == [0, 0, 256]
    assert reports[1].lat == pytest.approx(22.5401) and reports[1].lon == pytest.approx(114.0501)
    assert (terminal.metrics.sent, terminal.metrics.acked) == (3, 3)
    assert terminal.metrics.retransmitted == 0


async def test_retransmits_until_acknowledged(
    platform: FakePlatform, terminal: Jt808Terminal
) -> None:
    await online(platform, terminal)
    platform.ack_locations = False
    terminal.report(fix(0))
    await platform.wait_for(lambda: len(platform.locations()) >= 3)
    platform.ack_locations = True
    assert await terminal.drain(10)

    resent = platform.of(jt808.LOCATION)
    assert len({m.header.serial for m in resent}) == 1  # the same message, again
    assert len({m.raw_body for m in resent}) == 1
    assert terminal.metrics.acked == 1
    assert terminal.metrics.retransmitted == len(resent) - 1 >= 2


async def test_reconnects_after_the_platform_hangs_up_and_resends(
    platform: FakePlatform, terminal: Jt808Terminal
) -> None:
    await online(platform, terminal)
    platform.ack_locations = False
    terminal.report(fix(0))
    terminal.report(fix(1))
    await platform.wait_for(lambda: len(platform.locations()) >= 2)
    platform.ack_locations = True
    platform.drop_connections()
    assert await terminal.drain(10)

    assert platform.connections >= 2
    assert len(platform.of(jt808.REGISTRATION)) == 1  # registered once, keeps its code
    assert len(platform.of(jt808.AUTHENTICATION)) == platform.connections
    times = {r.time_local for r in platform.locations()}
    assert times == {local(0), local(1)}
    assert terminal.metrics.acked == 2


async def test_silence_is_backfilled_as_blind_zone_batches(
    platform: FakePlatform, terminal: Jt808Terminal
) -> None:
    await online(platform, terminal)
    terminal.report(fix(0))
    assert await terminal.drain(10)
    terminal.go_silent()
    await platform.wait_for(lambda: not terminal.online and not platform._writers)
    for k in range(1, 26):
        terminal.report(fix(k))
    assert terminal.outstanding == 25
    terminal.resume()
    terminal.report(fix(26))  # live: it follows the backfill once the link is up
    assert await terminal.drain(10)

    batches = platform.batches()
    assert all(b.batch_type == jt808.BATCH_BACKFILL for b in batches)
    assert [b.count for b in batches] == [20, 5]
    backfilled = [item.time_local for b in batches for item in b.items]
    assert backfilled == [local(k) for k in range(1, 26)]  # the original times, in order
    ids = [m.header.msg_id for m in platform.messages]
    assert ids.index(jt808.LOCATION, 3) > max(
        i for i, m in enumerate(ids) if m == jt808.BATCH_LOCATION
    )  # live reports resume after the backfill
    assert [r.time_local for r in platform.locations()] == [local(0), local(26)]
    assert terminal.metrics.backfilled == 25


async def test_answers_platform_commands(platform: FakePlatform, terminal: Jt808Terminal) -> None:
    await online(platform, terminal)
    query = platform.send(PHONE, 0x8201, b"")  # position query before any fix: failed
    platform.send(PHONE, 0x8F01, b"")  # a vendor command it does not know: not supported
    await platform.wait_for(lambda: len(platform.of(jt808.TERMINAL_RESPONSE)) >= 2)
    answers = [m.body for m in platform.of(jt808.TERMINAL_RESPONSE)]
    assert [(a.reply_msg_id, a.result) for a in answers] == [(0x8201, 1), (0x8F01, 3)]  # type: ignore[union-attr]
    terminal.report(fix(0))
    second = platform.send(PHONE, 0x8201, b"")
    await platform.wait_for(lambda: bool(platform.of(jt808.LOCATION_QUERY_REPLY)))
    reply = platform.of(jt808.LOCATION_QUERY_REPLY)[0].body
    assert isinstance(reply, jt808.LocationReply)
    assert reply.reply_serial == second != query
    assert reply.location.time_local == local(0)


async def test_heartbeats_when_idle(platform: FakePlatform) -> None:
    idle = Jt808Terminal(
        TerminalIdentity(PHONE), "127.0.0.1", platform.port,
        settings=replace(FAST, heartbeat_s=0.05), on_event=platform.notify,
    )  # fmt: skip
    idle.start()
    await platform.wait_for(lambda: len(platform.of(jt808.HEARTBEAT)) >= 2)
    await idle.stop()
    assert idle.metrics.heartbeats >= 2 and idle.metrics.sent == 0


async def test_reopens_a_link_that_never_answers(platform: FakePlatform) -> None:
    impatient = Jt808Terminal(
        TerminalIdentity(PHONE), "127.0.0.1", platform.port,
        settings=replace(FAST, ack_timeout_s=0.02, max_retries=1), on_event=platform.notify,
    )  # fmt: skip
    impatient.start()
    await online(platform, impatient)
    platform.ack_locations = False
    impatient.report(fix(0))
    await platform.wait_for(lambda: platform.connections >= 2)
    platform.ack_locations = True
    assert await impatient.drain(10)
    await impatient.stop()
    assert impatient.metrics.acked == 1 and impatient.metrics.connects >= 2
    assert {r.time_local for r in platform.locations()} == {local(0)}


def test_serials_wrap() -> None:
    serials = SerialCounter(0xFFFE)
    assert [serials.take() for _ in range(3)] == [0xFFFE, 0xFFFF, 0]


def test_backfill_batches_respect_the_body_limit() -> None:
    bulky = [
        jt808.build_location(lat=22.5, lon=114.0, time_local=local(k), extras=((0xE1, bytes(200)),))
        for k in range(12)
    ]
    batches = backfill_batches(bulky, max_items=20)
    assert sum(len(b) for b in batches) == 12
    assert all(len(encode_backfill(b)) <= 1023 for b in batches)
    assert len(batches) == 3  # 4 items of 2 + 239 bytes fit, 5 do not


def test_report_time_uses_the_device_time_zone() -> None:
    assert location_report(fix(0)).time_local == local(0)  # GMT+8 by default
    assert location_report(fix(0), tz=UTC).time_local == T0.replace(tzinfo=None)
