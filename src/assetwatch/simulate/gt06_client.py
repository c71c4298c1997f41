"""A simulated GT06 (JM-VL03 style) tracker on one TCP connection.

:class:`Gt06Tracker` logs in with its IMEI, then sends what a battery tracker sends: 0x22
locations (UTC, no answer expected), 0x26 alarms and 0x13 heartbeats (each waits for the
server's acknowledgement, which echoes its serial), 0x8A time requests. It receives 0x80
commands and answers them with 0x15, echoing the server flag, as real firmware does.
Serials count up from 1 and wrap at 0xFFFF.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from assetwatch.errors import ProtocolError
from assetwatch.protocols import gt06
from assetwatch.simulate.vehicle import Fix


class TrackerClosed(ConnectionError):
    """The platform closed the connection, or it broke."""


class Gt06Tracker:
    """One tracker connection. Use :meth:`connect`, then :meth:`login`."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, imei: str
    ) -> None:
        self.reader, self.writer, self.imei = reader, writer, imei
        self.splitter = gt06.FrameSplitter()
        self.received: deque[gt06.Message] = deque()
        self._serial = 0

    @classmethod
    async def connect(cls, host: str, port: int, imei: str) -> Gt06Tracker:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, imei)

    def next_serial(self) -> int:
        self._serial = self._serial % 0xFFFF + 1
        return self._serial

    def send(self, protocol: int, body: gt06.Body) -> int:
        """Write one packet; returns its serial."""
        serial = self.next_serial()
        self.writer.write(gt06.encode_message(protocol, body, serial))
        return serial

    async def expect(
        self, match: Callable[[gt06.Message], bool], timeout_s: float = 10.0
    ) -> gt06.Message:
        """The first received message that ``match`` accepts (others stay queued)."""
        async with asyncio.timeout(timeout_s):
            while True:
                for message in self.received:
                    if match(message):
                        self.received.remove(message)
                        return message
                data = await self.reader.read(4096)
                if not data:
                    raise TrackerClosed(f"tracker {self.imei}: the platform closed the link")
                for frame in self.splitter.feed(data):
                    try:
                        self.received.append(gt06.decode_frame(frame))
                    except ProtocolError:
                        continue

    async def acknowledged(self, protocol: int, serial: int, timeout_s: float = 10.0) -> None:
        """Wait for the server's acknowledgement of our ``protocol`` packet ``serial``."""
        await self.expect(lambda m: (m.protocol, m.serial) == (protocol, serial), timeout_s)

    async def login(self, *, zone_word: int | None = None, timeout_s: float = 10.0) -> None:
        body = gt06.login_body(self.imei, type_code=0x7000, zone_word=zone_word)
        await self.acknowledged(gt06.LOGIN, self.send(gt06.LOGIN, body), timeout_s)

    def report(self, fix: Fix, *, cell: gt06.CellTower | None = None) -> int:
        """A 0x22 location of ``fix`` (UTC); no answer is expected."""
        body = gt06.Location(
            _gps(fix),
            cell or gt06.CellTower(460, 0, 10365, 8049),
            acc=int(fix.ignition),
            upload_mode=0,
            reupload=0,
            mileage=round(fix.mileage_km * 1000),
        )
        return self.send(gt06.GPS_LBS_ACC, body)

    async def alarm(self, fix: Fix, alarm: int, *, voltage: int = 5, gsm: int = 4) -> None:
        """A 0x26 alarm with ``alarm`` (e.g. 0x02 power cut); waits for its ack."""
        terminal_info = 0x40 | (0x02 if fix.ignition else 0)  # GPS on, ACC
        body = gt06.Alarm(
            _gps(fix), gt06.CellTower(460, 0, 10365, 8049), 9, terminal_info, voltage, gsm,
            alarm, 2,
        )  # fmt: skip
        await self.acknowledged(gt06.ALARM_UTC, self.send(gt06.ALARM_UTC, body))

    async def heartbeat(self, *, voltage: int = 4, gsm: int = 4, charging: bool = False) -> None:
        """A 0x13 status; waits for its ack."""
        body = gt06.Status(0x40 | (0x04 if charging else 0), voltage, gsm, 0, 2)
        await self.acknowledged(gt06.STATUS, self.send(gt06.STATUS, body))

    async def request_time(self) -> datetime:
        """0x8A: the platform's UTC time."""
        serial = self.send(gt06.TIME, gt06.Empty())
        reply = await self.expect(lambda m: (m.protocol, m.serial) == (gt06.TIME, serial))
        assert isinstance(reply.body, gt06.TimeReply)
        raw = reply.body.time_raw
        return datetime(2000 + raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], tzinfo=UTC)

    async def next_command(self, timeout_s: float = 10.0) -> gt06.ServerCommand:
        message = await self.expect(lambda m: m.protocol == gt06.SERVER_COMMAND, timeout_s)
        assert isinstance(message.body, gt06.ServerCommand)
        return message.body

    def answer(self, command: gt06.ServerCommand, text: str) -> int:
        """The 0x15 answer to ``command``, echoing its server flag."""
        reply = gt06.CommandReply(command.server_flag, text, 2, length_field=len(text) + 4)
        return self.send(gt06.COMMAND_REPLY, reply)

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except ConnectionError:
            pass


def _gps(fix: Fix) -> gt06.GpsFix:
    return gt06.build_gps(
        lat=fix.lat,
        lon=fix.lon,
        time=fix.time.astimezone(UTC).replace(tzinfo=None, microsecond=0),
        speed_kmh=fix.speed_kmh,
        course=fix.course,
        satellites=9,
    )
