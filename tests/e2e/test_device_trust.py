"""Device trust over real TCP, against the real server process: a wrong JT/T 808 auth code
is refused, a revoked device is refused (also one revoked while it is connected), and a
frame replayed on the wire (in one write, and again after a reconnect) is stored and
alarmed once. The real frames are from ``shared/protocols/*_vectors.json``."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from assetwatch.protocols import gt06, jt808
from assetwatch.registry.provisioning import apply_text
from assetwatch.simulate.gt06_client import Gt06Tracker, TrackerClosed
from assetwatch.simulate.jt808_link import encode_location, location_report
from assetwatch.simulate.vehicle import Fix
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from assetwatch.storage.schema import alarms
from tests.e2e.ingest_support import count
from tests.e2e.server import Server, start_server

pytestmark = pytest.mark.integration

TENANT = "trust-bank"
CAMERA = "013511221122"  # JT-TRC-L319 / JT-TRC-L325 (a real terminal)
REPLAYER = "013578888888"  # JT-TRC-L301 (a real terminal)
REVOKED = "013900000009"
IMEI = "123456789012345"  # GT06-058 (a real tracker's login)
REAL_REGISTRATION = bytes.fromhex(
    "7e0100002d013511221122000500000000373031303748422d52303347424400000000000000000000"
    "003233363631303402cbd5424136383630387e"
)  # JT-TRC-L319: 0x0100 of 013511221122
REAL_AUTHENTICATION = bytes.fromhex(
    "7e0102000e013511221122000661757468656e7469636174696f6e3f7e"
)  # JT-TRC-L325: 0x0102 of 013511221122 with the code "authentication"
REAL_LOCATION = bytes.fromhex(
    "7e0200002f01357888888800b60000000000000003015972b406cbf6b802230000000116061317571301"
    "040000000003020000eb0700050001016708b37e"
)  # JT-TRC-L301: 0x0200 of 013578888888 (2016-06-13 17:57:13 +08:00)
GT06_LOGIN = bytes.fromhex("78780d01012345678901234500018cdd0d0a")  # GT06-058
GT06_LOCATION = bytes.fromhex(
    "78781f120b081d112e10cf027ac7eb0c46584900148f01cc00287d001fb8000380810d0a"
)  # GT06-109: 0x12 location (2011-08-29 17:46:16)
FLEET = f"""
tenant: {TENANT}
assets:
  - {{key: VIN-CAMERA, kind: vehicle}}
  - {{key: VIN-REPLAY, kind: vehicle}}
  - {{key: VIN-GT06, kind: vehicle}}
devices:
  - {{key: "{CAMERA}", protocol: jt808, asset: VIN-CAMERA, report_interval_s: 60}}
  - {{key: "{REPLAYER}", protocol: jt808, asset: VIN-REPLAY, report_interval_s: 60}}
  - {{key: "{REVOKED}", protocol: jt808, status: revoked}}
  - {{key: "{IMEI}", protocol: gt06, asset: VIN-GT06, report_interval_s: 60, timezone: UTC}}
"""
SOS = 1  # JT/T 808 alarm bit 0


@pytest.fixture
def trust(tmp_path: Path) -> Iterator[tuple[Server, Engine]]:
    engine = open_engine(sqlite_url(tmp_path))
    migrate(engine)
    apply_text(engine, FLEET, "trust.yaml")
    server = start_server(tmp_path)
    server.tenant = TENANT
    yield server, engine
    engine.dispose()
    assert server.stop() == 0, "".join(server.output or [])


class Terminal:
    """A raw JT/T 808 socket: write frames, read the platform's answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.splitter = jt808.FrameSplitter()
        self.serial = 100

    @classmethod
    async def open(cls, server: Server) -> Terminal:
        return cls(*await asyncio.open_connection("127.0.0.1", server.jt808_port))

    def send(self, msg_id: int, phone: str, body: bytes) -> None:
        self.serial += 1
        self.writer.write(jt808.encode_frame(msg_id, phone, self.serial, body))

    async def answers(self, want: int) -> list[Any]:
        """The bodies of the next ``want`` answers (fewer if the platform hangs up)."""
        bodies: list[Any] = []
        async with asyncio.timeout(10):
            while len(bodies) < want:
                data = await self.reader.read(4096)
                if not data:
                    break
                bodies += [jt808.decode_frame(c).body for c in self.splitter.feed(data)]
        return bodies

    async def hung_up(self) -> bool:
        async with asyncio.timeout(10):
            with contextlib.suppress(ConnectionResetError):
                while await self.reader.read(4096):
                    pass
        return True

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def location(*, alarm_flags: int = 0) -> bytes:
    fix = Fix(22.5431, 114.0579, 20.0, 90.0, True, 10.0, datetime.now(UTC).replace(microsecond=0))
    return encode_location(location_report(fix, alarm_flags=alarm_flags))


def results(bodies: list[Any]) -> list[tuple[int, int]]:
    return [(b.reply_msg_id, b.result) for b in bodies]


def refusals(server: Server, protocol: str, reason: str) -> float:
    pattern = rf'assetwatch_device_refusals_total{{protocol="{protocol}",reason="{reason}"}} (\S+)'
    match = re.search(pattern, server.get_text("/metrics"))
    return float(match[1]) if match else 0.0


def open_alarms(engine: Engine) -> list[tuple[str, str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(select(alarms.c.type, alarms.c.subject, alarms.c.count)).all()
    return [(r.type, r.subject, r.count) for r in rows]


async def test_a_wrong_auth_code_is_refused_and_so_is_data_before_authentication(
    trust: tuple[Server, Engine],
) -> None:
    server, engine = trust
    terminal = await Terminal.open(server)
    terminal.writer.write(REAL_REGISTRATION)
    (registered,) = await terminal.answers(1)
    assert registered.result == 0 and re.fullmatch(r"[0-9a-f]{16}", registered.auth_code)
    terminal.writer.write(REAL_AUTHENTICATION)  # the code it had from another platform
    terminal.send(0x0200, CAMERA, location())  # data before a successful authentication
    assert results(await terminal.answers(2)) == [(0x0102, 1), (0x0200, 1)]
    terminal.send(0x0102, CAMERA, jt808.encode_authentication(registered.auth_code))
    terminal.send(0x0200, CAMERA, location())
    assert results(await terminal.answers(2)) == [(0x0102, 0), (0x0200, 0)]
    await terminal.close()
    assert count(engine, CAMERA) == 1
    assert refusals(server, "jt808", "wrong_auth_code") == 1
    assert refusals(server, "jt808", "not_authenticated") == 1

    guesser = await Terminal.open(server)  # three wrong guesses: the platform hangs up
    for guess in ("0000000000000000", "1111111111111111", "authentication"):
        guesser.send(0x0102, CAMERA, jt808.encode_authentication(guess))
    assert results(await guesser.answers(3)) == [(0x0102, 1)] * 3
    assert await guesser.hung_up()
    await guesser.close()
    again = await Terminal.open(server)  # the registered code still works, from anywhere
    again.writer.write(REAL_REGISTRATION)
    (same,) = await again.answers(1)
    assert same.auth_code == registered.auth_code
    await again.close()


async def test_a_revoked_terminal_is_refused(trust: tuple[Server, Engine]) -> None:
    server, engine = trust
    registering = await Terminal.open(server)
    real = jt808.decode_frame(jt808.unescape(REAL_REGISTRATION[1:-1]))
    registering.send(0x0100, REVOKED, real.raw_body)  # the real body under its phone
    (refused,) = await registering.answers(1)
    assert (refused.result, refused.auth_code) == (4, "")  # "no such terminal"
    await registering.close()
    reporting = await Terminal.open(server)
    reporting.send(0x0200, REVOKED, location(alarm_flags=SOS))
    assert results(await reporting.answers(1)) == [(0x0200, 1)]
    assert await reporting.hung_up()
    await reporting.close()
    assert count(engine, REVOKED) == 0 and open_alarms(engine) == []
    assert refusals(server, "jt808", "revoked") == 2


async def test_a_terminal_revoked_while_connected_is_hung_up_on(
    trust: tuple[Server, Engine],
) -> None:
    server, engine = trust
    terminal = await Terminal.open(server)
    terminal.writer.write(REAL_REGISTRATION)
    (registered,) = await terminal.answers(1)
    terminal.send(0x0102, CAMERA, jt808.encode_authentication(registered.auth_code))
    terminal.send(0x0200, CAMERA, location())
    assert results(await terminal.answers(2)) == [(0x0102, 0), (0x0200, 0)]
    revoked = await asyncio.to_thread(
        server.patch, f"/api/v1/devices/{CAMERA}", {"status": "revoked"}
    )
    assert revoked.status_code == 200, revoked.text
    terminal.send(0x0200, CAMERA, location())
    assert results(await terminal.answers(1)) == [(0x0200, 1)]
    assert await terminal.hung_up()
    await terminal.close()
    assert count(engine, CAMERA) == 1


async def test_a_replayed_jt808_frame_is_stored_and_alarmed_once(
    trust: tuple[Server, Engine],
) -> None:
    server, engine = trust
    sos = jt808.encode_frame(0x0200, REPLAYER, 7, location(alarm_flags=SOS))
    for _connection in range(2):  # the second time: after a reconnect
        terminal = await Terminal.open(server)
        terminal.writer.write(REAL_LOCATION + REAL_LOCATION)  # one write: one batch
        terminal.writer.write(sos + sos)
        answers = await terminal.answers(4)
        assert results(answers) == [(0x0200, 0)] * 4  # every copy is acknowledged
        await terminal.close()
    assert count(engine, REPLAYER) == 2  # the 2016 report and the SOS report
    assert open_alarms(engine) == [("sos", REPLAYER, 1)]
    metrics = server.get_text("/metrics")
    assert "assetwatch_duplicate_observations_total 6.0" in metrics


async def test_a_replayed_gt06_frame_is_stored_and_alarmed_once(
    trust: tuple[Server, Engine],
) -> None:
    server, engine = trust
    port = int(re.findall(r"gt06_port=(\d+)", "".join(server.output or []))[0])
    fix = Fix(22.5431, 114.0579, 20.0, 90.0, True, 10.0, datetime.now(UTC).replace(microsecond=0))
    power_cut = gt06.Alarm(
        gt06.build_gps(lat=fix.lat, lon=fix.lon, time=fix.time.replace(tzinfo=None),
                       speed_kmh=20, course=90, satellites=9),
        gt06.CellTower(460, 0, 10365, 8049), 9, 0x42, 5, 4, 0x02, 2,
    )  # fmt: skip
    alarm = gt06.encode_message(gt06.ALARM_UTC, power_cut, 40)
    for _connection in range(2):
        tracker = await Gt06Tracker.connect("127.0.0.1", port, IMEI)
        tracker.writer.write(GT06_LOGIN)
        await tracker.acknowledged(gt06.LOGIN, 1)
        tracker.writer.write(GT06_LOCATION + GT06_LOCATION + alarm + alarm)
        await tracker.acknowledged(gt06.ALARM_UTC, 40)
        await tracker.acknowledged(gt06.ALARM_UTC, 40)  # both copies are acknowledged
        await tracker.close()
    assert count(engine, IMEI) == 2
    assert open_alarms(engine) == [("power_cut", IMEI, 1)]

    tracker = await Gt06Tracker.connect("127.0.0.1", port, IMEI)
    await tracker.login()
    revoked = await asyncio.to_thread(
        server.patch, f"/api/v1/devices/{IMEI}?protocol=gt06", {"status": "revoked"}
    )
    assert revoked.status_code == 200, revoked.text
    with pytest.raises(TrackerClosed):
        await tracker.heartbeat()  # revoked while connected: hung up on, no answer
    await tracker.close()
    assert refusals(server, "gt06", "revoked") == 1
