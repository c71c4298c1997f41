"""End to end for GT06 over real TCP: the real server, a tracker client, the REST API.

A tracker logs in, reports locations, a heartbeat and a power-cut alarm; its positions (with
their cells) and a canonical alarm must come out of the API, and every packet that waits
for an answer must have been answered. Unknown trackers are quarantined or refused, garbage
closes only its own connection, and a command travels to the tracker as 0x80 and its 0x15
answer comes back as an outcome.
"""

from __future__ import annotations

import asyncio
import gc
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from assetwatch.model.commands import CommandKind, CommandOutcome, CommandResult
from assetwatch.platform import EmbeddedPlatform
from assetwatch.protocols import gt06
from assetwatch.registry.provisioning import apply_text
from assetwatch.settings import Settings
from assetwatch.simulate.gt06_client import Gt06Tracker, TrackerClosed
from assetwatch.simulate.vehicle import Fix
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from tests.e2e.server import Server, start_server, wait_for

pytestmark = pytest.mark.integration
IMEI = "868120000000001"
UNKNOWN = "868120000000999"
VIN = "LGWEF4A59NF000001"
POWER_CUT = 0x02
FLEET = f"""
tenant: gt06-bank
assets:
  - {{key: {VIN}, kind: vehicle}}
devices:
  - {{key: "{IMEI}", protocol: gt06, asset: {VIN}, report_interval_s: 60}}
"""


def provision(data_dir: Path) -> None:
    engine = open_engine(sqlite_url(data_dir))
    migrate(engine)
    apply_text(engine, FLEET, "gt06.yaml")
    engine.dispose()


def gt06_port(server: Server) -> int:
    match = re.search(r"gt06_port=(\d+)", "".join(server.output or []))
    assert match, "serve did not print gt06_port="
    return int(match[1])


def fix(lat: float, seconds_ago: int, *, ignition: bool = True) -> Fix:
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=seconds_ago)
    return Fix(lat, 114.0579, 36.0, 90.0, ignition, 1234.5, moment)


async def test_a_tracker_reports_positions_and_a_power_cut_through_the_api(
    tmp_path: Path,
) -> None:
    provision(tmp_path)
    server = start_server(tmp_path)
    server.tenant = "gt06-bank"
    try:
        tracker = await Gt06Tracker.connect("127.0.0.1", gt06_port(server), IMEI)
        await tracker.login(zone_word=0x3200)  # announces GMT+8; its 0x22/0x26 stay UTC
        fixes = [fix(22.5431, 30), fix(22.5441, 20), fix(22.5451, 10, ignition=False)]
        for location in fixes[:2]:
            tracker.report(location)  # no answer expected
        await tracker.heartbeat(voltage=3)  # answered after commit
        await tracker.alarm(fixes[2], POWER_CUT)  # answered after commit
        before = datetime.now(UTC).replace(microsecond=0)
        told = await tracker.request_time()
        assert before <= told <= datetime.now(UTC)
        await tracker.close()
        path = f"/api/v1/assets/{VIN}/track"
        track = await asyncio.to_thread(wait_for, lambda: len(server.get(path)) == 3 or None, 20)
        assert track
        points = server.get(path)
        assert [p["time"] for p in points] == [f.time.strftime("%Y-%m-%dT%H:%M:%SZ") for f in fixes]
        assert [round(p["lat"], 4) for p in points] == [22.5431, 22.5441, 22.5451]
        assert all(p["device"] == IMEI and p["valid"] and p["speed_kmh"] == 36 for p in points)
        assert points[0]["attributes"]["cells"] == [
            {"mcc": 460, "mnc": 0, "lac": 10365, "ci": 8049, "signal_dbm": None}
        ]
        assert points[2]["alarms"] == ["power_cut"] and points[2]["attributes"]["ignition"] is False
        alarms = server.get("/api/v1/alarms", type="power_cut")
        assert [(a["asset"], a["subject"], a["status"]) for a in alarms] == [(VIN, IMEI, "open")]
        metrics = await asyncio.to_thread(server.get_text, "/metrics")
        assert 'assetwatch_frames_total{protocol="gt06",result="ok"} 6.0' in metrics
    finally:
        assert server.stop() == 0, "".join(server.output or [])


async def test_unknown_trackers_are_quarantined_or_refused(tmp_path: Path) -> None:
    server = start_server(tmp_path / "quarantine")
    try:
        tracker = await Gt06Tracker.connect("127.0.0.1", gt06_port(server), UNKNOWN)
        await tracker.login()
        await tracker.alarm(fix(22.5, 5), 0x01)  # SOS: stored, acked, raises nothing
        await tracker.close()
        server.tenant = "_quarantine"
        devices = server.get("/api/v1/devices", status="quarantined")
        assert [(d["key"], d["protocol"], d["timezone"]) for d in devices] == [
            (UNKNOWN, "gt06", "UTC")
        ]
        assert server.get("/api/v1/alarms") == []
    finally:
        assert server.stop() == 0
    strict = start_server(tmp_path / "reject", "--unknown-devices", "reject")
    try:
        tracker = await Gt06Tracker.connect("127.0.0.1", gt06_port(strict), UNKNOWN)
        with pytest.raises(TrackerClosed):
            await tracker.login(timeout_s=10)  # no answer: the link is closed
        await tracker.close()
        strict.tenant = "_quarantine"
        assert strict.get("/api/v1/devices", status="quarantined") == []
    finally:
        assert strict.stop() == 0


async def test_garbage_closes_only_its_connection(tmp_path: Path) -> None:
    provision(tmp_path)
    server = start_server(tmp_path)
    port = gt06_port(server)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"\x00GET / HTTP/1.1\r\n\r\n" + b"\x78\x78\x03\x01\x02\x0d\x0a")
        login = bytearray(gt06.encode_message(gt06.LOGIN, gt06.login_body(IMEI), 1))
        corrupt = bytes(login[:-4]) + bytes([login[-4] ^ 0xFF, login[-3]]) + b"\r\n"
        writer.write(corrupt)  # bad CRC: no answer
        writer.write(b"vendor-junk" + bytes(login))  # junk, then a good login: answered
        ack = gt06.FrameSplitter().feed(await asyncio.wait_for(reader.read(64), 10))
        assert [(f.protocol, f.serial) for f in ack] == [(gt06.LOGIN, 1)]
        for _ in range(30):
            writer.write(corrupt)
        await writer.drain()
        async with asyncio.timeout(10):
            try:
                while await reader.read(4096):
                    pass  # the server closes after the flood
            except ConnectionResetError:
                pass
        writer.close()
        healthy = await Gt06Tracker.connect("127.0.0.1", port, IMEI)
        await healthy.login()  # the server still serves everyone else
        await healthy.close()
        metrics = await asyncio.to_thread(server.get_text, "/metrics")
        assert 'assetwatch_frames_total{protocol="gt06",result="bad"}' in metrics
    finally:
        assert server.stop() == 0


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[EmbeddedPlatform]:
    provision(tmp_path)
    settings = Settings(
        data_dir=tmp_path, jt808_port=0, gt06_port=0, api_port=0, environment="development"
    )
    running = EmbeddedPlatform(settings)
    yield running
    await running.stop()
    gc.unfreeze()  # start() froze the test process's heap


async def test_a_command_round_trip_through_the_sessions(platform: EmbeddedPlatform) -> None:
    endpoints = await platform.start()
    outcomes: list[tuple[str, str, CommandOutcome]] = []
    platform.sessions.on_outcome(lambda *outcome: outcomes.append(outcome))
    tracker = await Gt06Tracker.connect("127.0.0.1", endpoints.gt06_port, IMEI)
    await tracker.login()
    link = platform.sessions.get("gt06", IMEI)
    assert link is not None and link.device_key == IMEI
    flag = link.send_command(CommandKind.CUT_OIL, {})
    command = await tracker.next_command()
    assert (command.text, command.server_flag) == ("Relay,1#", flag)
    tracker.answer(command, "Cut off the fuel supply: Success!")
    where = link.send_command(CommandKind.QUERY_LOCATION, {})
    assert where != flag
    answer = await tracker.next_command()
    tracker.answer(answer, "Lat:N22.543100,Lon:E114.057900,Course:0.00,Speed:0.00")
    async with asyncio.timeout(10):
        while len(outcomes) < 2:
            await asyncio.sleep(0.02)
    assert [(p, k, o.correlation, o.result) for p, k, o in outcomes] == [
        ("gt06", IMEI, flag, CommandResult.OK),
        ("gt06", IMEI, where, CommandResult.OK),
    ]
    assert outcomes[1][2].details["position"] == {"lat": 22.5431, "lon": 114.0579}
    await tracker.close()
    async with asyncio.timeout(10):
        while platform.sessions.get("gt06", IMEI) is not None:
            await asyncio.sleep(0.02)
    headers = {"X-Assetwatch-Tenant": "gt06-bank"}
    async with httpx.AsyncClient(base_url=endpoints.api_url, headers=headers) as api:
        track = (await api.get(f"/api/v1/assets/{VIN}/track")).json()
    assert [(round(p["lat"], 4), p["device"]) for p in track] == [(22.5431, IMEI)]


async def test_a_command_queued_through_the_api_waits_for_the_login(
    platform: EmbeddedPlatform,
) -> None:
    endpoints = await platform.start()
    headers = {"X-Assetwatch-Tenant": "gt06-bank"}
    async with httpx.AsyncClient(base_url=endpoints.api_url, headers=headers) as api:
        created = await api.post(
            f"/api/v1/devices/{IMEI}/commands",
            json={"kind": "set_report_interval", "params": {"seconds": 10}},
        )
        assert created.status_code == 201, created.text
        command_id = created.json()["id"]
        tracker = await Gt06Tracker.connect("127.0.0.1", endpoints.gt06_port, IMEI)
        await tracker.login()  # online: the queued command goes out at once
        command = await tracker.next_command()
        assert command.text == "TIMER,10#"
        tracker.answer(command, "TIMER OK")
        async with asyncio.timeout(10):
            while (view := (await api.get(f"/api/v1/commands/{command_id}")).json())[
                "status"
            ] != "acked":
                await asyncio.sleep(0.05)
        await tracker.close()
    assert view["attempts"] == 1 and view["protocol"] == "gt06"
    assert "TIMER OK" in str(view["reply"])
