"""The GT06 gateway on a real socket, with the bus read directly: which packets are
published, and that an answer waits for the commit (the settling of its envelopes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assetwatch.errors import CommandNotSupported
from assetwatch.gateways.gt06 import Gt06Gateway
from assetwatch.model.commands import CommandKind
from assetwatch.model.observation import ObservationKind
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import Envelope, MemoryBus
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.protocols import gt06
from assetwatch.registry.provisioning import apply_text
from assetwatch.simulate.gt06_client import Gt06Tracker, TrackerClosed
from assetwatch.simulate.vehicle import Fix
from assetwatch.storage.engine import migrate, open_engine, sqlite_url

pytestmark = pytest.mark.integration
NOW_MS = int(datetime(2026, 11, 23, 8, 0, tzinfo=UTC).timestamp() * 1000)
IMEI, REVOKED = "868120000000001", "868120000000002"
FLEET = f"""
tenant: gw-bank
assets:
  - {{key: VIN1, kind: vehicle}}
devices:
  - {{key: "{IMEI}", protocol: gt06, asset: VIN1}}
  - {{key: "{REVOKED}", protocol: gt06, status: revoked}}
"""
FIX = Fix(22.5431, 114.0579, 30.0, 90.0, True, 10.0, datetime(2026, 11, 23, 7, 59, 50, tzinfo=UTC))


@dataclass
class Rig:
    gateway: Gt06Gateway
    bus: MemoryBus
    metrics: Metrics
    port: int

    async def published(self, want: int) -> list[Envelope]:
        envelopes: list[Envelope] = []
        async with asyncio.timeout(10):
            while len(envelopes) < want:
                envelopes += await self.bus.next_batch(0, 100, 0.2)
        return envelopes

    def frames(self, result: str) -> float | None:
        labels = {"protocol": "gt06", "result": result}
        return self.metrics.registry.get_sample_value("assetwatch_frames_total", labels)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_text(engine, FLEET, "gw.yaml")
    bus, metrics = MemoryBus(), Metrics()
    gateway = Gt06Gateway(bus, DeviceDirectory(engine), metrics, lambda: NOW_MS)
    port = await gateway.start("127.0.0.1", 0)
    yield Rig(gateway, bus, metrics, port)
    await gateway.stop()
    engine.dispose()


async def tracker(rig: Rig, imei: str = IMEI) -> Gt06Tracker:
    connected = await Gt06Tracker.connect("127.0.0.1", rig.port, imei)
    await connected.login()
    return connected


async def test_alarms_and_heartbeats_are_answered_only_after_their_commit(rig: Rig) -> None:
    device = await tracker(rig)
    heartbeat_serial = device.send(gt06.STATUS, gt06.Status(0x44, 4, 3, 0, 2))
    alarm = asyncio.create_task(device.alarm(FIX, 0x02))
    beat_env, alarm_env = await rig.published(2)
    assert (alarm_env.obs.alarms, beat_env.obs.kind) == (("power_cut",), ObservationKind.HEARTBEAT)
    await asyncio.sleep(0.2)
    assert not alarm.done()  # nothing committed yet: no answer
    assert alarm_env.ack is not None and beat_env.ack is not None
    beat_env.ack.settle(False)  # a failed commit: never answered, the tracker resends
    alarm_env.ack.settle(True)
    await asyncio.wait_for(alarm, 10)
    assert all(m.protocol != gt06.STATUS for m in device.received)
    again = device.send(gt06.STATUS, gt06.Status(0x44, 4, 3, 0, 2))
    (retry,) = await rig.published(1)
    assert retry.ack is not None and retry.obs.idem == beat_env.obs.idem
    retry.ack.settle(True)
    await device.acknowledged(gt06.STATUS, again)
    assert (heartbeat_serial, again) == (2, 4)
    await device.close()


async def test_locations_and_cells_are_published_in_order_without_an_answer(rig: Rig) -> None:
    device = await tracker(rig)
    first = device.report(FIX)
    scan = gt06.CellScan(bytes(6), (gt06.CellTower(460, 0, 10365, 8049, 40),), 0, 2)
    device.send(gt06.LBS_MULTI, scan)
    location, cells = await rig.published(2)
    assert location.ack is None and cells.ack is None
    assert (location.obs.device_key, location.obs.valid, location.obs.lat) == (IMEI, True, 22.5431)
    assert cells.obs.attributes["cells"][0]["signal_dbm"] == -70 and not cells.obs.valid
    device.send(0x69, gt06.RawBody("0102", "Wi-Fi"))  # a vendor packet: counted, not stored
    now = await device.request_time()  # answered at once, from the gateway clock
    assert now == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert [m.serial for m in device.received] == []  # no answer to the location
    assert first == 2 and rig.frames("ok") == 4 and rig.frames("unsupported") == 1
    assert rig.bus.pending == 0
    await device.close()


async def test_nothing_is_accepted_before_login(rig: Rig) -> None:
    device = await Gt06Tracker.connect("127.0.0.1", rig.port, IMEI)
    device.report(FIX)
    await device.login()
    assert rig.bus.pending == 0 and rig.frames("bad") == 1
    await device.close()


async def test_a_revoked_tracker_is_closed_without_an_answer(rig: Rig) -> None:
    device = await Gt06Tracker.connect("127.0.0.1", rig.port, REVOKED)
    with pytest.raises(TrackerClosed):
        await device.login()
    await device.close()
    assert rig.gateway.sessions.get("gt06", REVOKED) is None


async def test_sessions_follow_the_connection(rig: Rig) -> None:
    device = await tracker(rig)
    link = rig.gateway.sessions.get("gt06", IMEI)
    assert link is not None and link.protocol == "gt06"
    with pytest.raises(CommandNotSupported):
        link.send_command(CommandKind.TEXT, {"text": "hello"})
    flag = link.send_command(CommandKind.REBOOT, {})
    command = await device.next_command()
    assert (command.text, command.server_flag) == ("RESET#", flag)
    await device.close()
    async with asyncio.timeout(10):
        while rig.gateway.sessions.get("gt06", IMEI) is not None:
            await asyncio.sleep(0.02)
    with pytest.raises(ConnectionError):
        link.send_command("reboot", {})  # type: ignore[arg-type]


async def test_server_flags_are_fresh_and_never_zero(rig: Rig) -> None:
    flags = [rig.gateway.next_server_flag() for _ in range(3)]
    assert len(set(flags)) == 3 and 0 not in flags
    rig.gateway._flag = 0xFFFFFFFF - 1
    assert [rig.gateway.next_server_flag() for _ in range(2)] == [0xFFFFFFFF, 1]
