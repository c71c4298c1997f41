"""One TCP connection of a simulated JT/T 808 terminal: framing, serials and the handshake.

:class:`Jt808Link` wraps an asyncio stream pair. It numbers outgoing messages from a
:class:`SerialCounter` owned by the terminal (serials count up across reconnects and wrap
at 0xFFFF), turns received bytes into decoded messages, and performs the handshake every
terminal does after connecting: 0x0100 registration (answered by 0x8100 with an auth code)
when it has no auth code yet, then 0x0102 authentication (answered by 0x8001).

:func:`location_report` turns a simulated :class:`~assetwatch.simulate.vehicle.Fix` into the
codec's location report: status bit 0 = ACC on, bit 1 = positioned; the time is the device's
local wall-clock time (GMT+8 unless configured otherwise).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo

from assetwatch.errors import ProtocolError
from assetwatch.protocols import jt808
from assetwatch.simulate.vehicle import Fix

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "GMT+8")

HEARTBEAT, REGISTER, AUTHENTICATE = jt808.HEARTBEAT, jt808.REGISTRATION, jt808.AUTHENTICATION
LOCATION, BATCH, TERMINAL_RESPONSE = jt808.LOCATION, jt808.BATCH_LOCATION, jt808.TERMINAL_RESPONSE
BLIND_ZONE_BACKFILL = jt808.BATCH_BACKFILL
"""0x0704 location data type 1: data buffered while the link was down (盲区补报)."""

STATUS_ACC_ON = 1 << 0
STATUS_POSITIONED = 1 << 1
EXTRA_MILEAGE, EXTRA_SIGNAL, EXTRA_SATELLITES = 0x01, 0x30, 0x31
MAX_BODY = 1023


Reply = jt808.RegistrationReply | jt808.PlatformResponse


def _answers(reply: Reply, msg_id: int, serial: int) -> bool:
    """Whether ``reply`` answers our message ``msg_id`` sent with ``serial``."""
    if reply.reply_serial != serial:
        return False
    if isinstance(reply, jt808.RegistrationReply):
        return msg_id == REGISTER
    return reply.reply_msg_id == msg_id


class LinkClosed(ConnectionError):
    """The platform closed the connection, or it broke."""


class HandshakeRefused(ConnectionError):
    """The platform refused registration or authentication."""


class SerialCounter:
    """Message serial numbers: count up from 0 in sending order and wrap at 0xFFFF."""

    __slots__ = ("_next",)

    def __init__(self, start: int = 0):
        self._next = start & 0xFFFF

    def take(self) -> int:
        serial = self._next
        self._next = (serial + 1) & 0xFFFF
        return serial


@dataclass(frozen=True, slots=True)
class TerminalIdentity:
    """What a terminal says about itself in 0x0100 registration (2013 layout).

    ``vehicle_id`` is the plate, or the VIN when ``plate_color`` is 0 (no plate yet, as for
    dealer stock). Province/city ids are GB/T 2260 (44 / 0300 = Guangdong / Shenzhen).
    """

    phone: str
    vehicle_id: str = ""
    plate_color: int = 0
    province: int = 44
    city: int = 300
    maker: str = "AWSIM"
    model: str = "AW-808-SIM"

    @property
    def terminal_id(self) -> str:
        return self.phone[-7:].upper()

    @property
    def imei(self) -> str:
        """A 15-digit module IMEI derived from the phone (sent in 2019 authentication)."""
        return ("86" + self.phone.rjust(13, "0"))[-15:]


def location_report(
    fix: Fix,
    *,
    alarm_flags: int = 0,
    tz: tzinfo = CHINA_STANDARD_TIME,
    altitude_m: int = 12,
    satellites: int = 11,
    signal: int = 24,
) -> jt808.LocationReport:
    """The codec's location report for ``fix`` (time as the device's local wall clock)."""
    mileage = round(fix.mileage_km * 10)
    return jt808.build_location(
        lat=fix.lat,
        lon=fix.lon,
        time_local=fix.time.astimezone(tz).replace(tzinfo=None, microsecond=0),
        alarm_flags=alarm_flags,
        status=STATUS_ACC_ON if fix.ignition else 0,
        positioned=True,
        altitude_m=altitude_m,
        speed_kmh=fix.speed_kmh,
        course=round(fix.course) % 360,
        extras=(
            (EXTRA_MILEAGE, mileage.to_bytes(4, "big")),
            (EXTRA_SIGNAL, bytes([signal])),
            (EXTRA_SATELLITES, bytes([satellites])),
        ),
    )


def encode_location(report: jt808.LocationReport) -> bytes:
    """0x0200 body of a location report."""
    return jt808.encode_location(report)


def encode_backfill(reports: list[jt808.LocationReport]) -> bytes:
    """0x0704 body of type 1 (blind-zone backfill)."""
    return jt808.encode_batch(reports, BLIND_ZONE_BACKFILL)


def backfill_batches(
    reports: list[jt808.LocationReport], *, max_items: int = 20
) -> list[list[jt808.LocationReport]]:
    """Split buffered reports into 0x0704 batches of at most ``max_items`` each whose body
    (count WORD + type BYTE + per item: length WORD + 0x0200 body) fits 1023 bytes."""
    batches: list[list[jt808.LocationReport]] = []
    current: list[jt808.LocationReport] = []
    size = 3
    for report in reports:
        item = 2 + len(encode_location(report))
        if current and (len(current) >= max_items or size + item > MAX_BODY):
            batches.append(current)
            current, size = [], 3
        current.append(report)
        size += item
    if current:
        batches.append(current)
    return batches


class Jt808Link:
    """An open connection to the platform for one terminal phone number."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        identity: TerminalIdentity,
        serials: SerialCounter,
        *,
        version: str = "2013",
    ):
        self.reader, self.writer = reader, writer
        self.identity = identity
        self.serials = serials
        self.version = version
        self._splitter = jt808.FrameSplitter()
        self._inbox: list[jt808.Message] = []

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        identity: TerminalIdentity,
        serials: SerialCounter,
        *,
        timeout_s: float = 10.0,
        version: str = "2013",
    ) -> Jt808Link:
        async with asyncio.timeout(timeout_s):
            reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, identity, serials, version=version)

    def frame(self, msg_id: int, body: bytes, serial: int | None = None) -> tuple[int, bytes]:
        """``(serial, wire bytes)`` of a message; a new serial unless one is given."""
        if serial is None:
            serial = self.serials.take()
        data = jt808.encode_frame(msg_id, self.identity.phone, serial, body, version=self.version)
        return serial, data

    def send(self, msg_id: int, body: bytes, serial: int | None = None) -> int:
        """Write one message; returns its serial. Raises :class:`LinkClosed` if closed."""
        if self.writer.is_closing():
            raise LinkClosed("connection closed")
        serial, data = self.frame(msg_id, body, serial)
        self.writer.write(data)
        return serial

    async def receive(self) -> list[jt808.Message]:
        """The next decoded messages (at least one). Raises :class:`LinkClosed` on EOF."""
        while not self._inbox:
            data = await self.reader.read(65536)
            if not data:
                raise LinkClosed("the platform closed the connection")
            for content in self._splitter.feed(data):
                try:
                    message = jt808.decode_frame(content)
                except ProtocolError:
                    continue
                if message.checksum_ok:
                    self._inbox.append(message)
        messages, self._inbox = self._inbox, []
        return messages

    def answer(self, message: jt808.Message, result: int = 0) -> None:
        """0x0001 terminal general response to a platform command."""
        header = message.header
        body = jt808.encode_terminal_response(header.serial, header.msg_id, result)
        self.send(TERMINAL_RESPONSE, body)

    async def request(self, msg_id: int, body: bytes, *, timeout_s: float) -> Reply:
        """Send a message and wait for the platform's reply to it (0x8100 or 0x8001 with our
        serial). Platform commands arriving meanwhile are answered "not supported"; other
        messages are ignored. Raises ``TimeoutError`` or :class:`LinkClosed`."""
        serial = self.send(msg_id, body)
        async with asyncio.timeout(timeout_s):
            while True:
                for message in await self.receive():
                    reply = message.body
                    if isinstance(reply, jt808.RegistrationReply | jt808.PlatformResponse):
                        if _answers(reply, msg_id, serial):
                            return reply
                    else:
                        self.answer(message, result=3)

    async def register(self, *, timeout_s: float) -> str:
        """0x0100 → 0x8100; returns the auth code. Raises :class:`HandshakeRefused`."""
        ident = self.identity
        registration = jt808.Registration(
            layout=self.version,
            province_id=ident.province,
            city_id=ident.city,
            maker_id=ident.maker,
            model=ident.model,
            terminal_id=ident.terminal_id,
            plate_color=ident.plate_color,
            plate=ident.vehicle_id,
        )
        body = jt808.encode_registration(registration)
        reply = await self.request(REGISTER, body, timeout_s=timeout_s)
        if not isinstance(reply, jt808.RegistrationReply) or reply.result != 0:
            raise HandshakeRefused(f"registration refused: {reply}")
        return reply.auth_code

    async def authenticate(self, code: str, *, timeout_s: float) -> None:
        """0x0102 → 0x8001. Raises :class:`HandshakeRefused` unless the result is 0."""
        body = jt808.encode_authentication(
            code, self.version, imei=self.identity.imei, software="AWSIM-1.0"
        )
        reply = await self.request(AUTHENTICATE, body, timeout_s=timeout_s)
        if reply.result != 0:
            raise HandshakeRefused(f"authentication refused: result {reply.result}")

    async def close(self) -> None:
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except (ConnectionError, OSError):
            pass
