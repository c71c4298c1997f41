"""0x0200 location report (also the payload of 0x0201 and 0x0500), spec §6.1 and §6.4."""

from __future__ import annotations

import struct
from datetime import datetime
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808.wire import decode_bcd_time

BASIC_BLOCK: Final = struct.Struct(">IIIIHHH6s")
"""alarm, status, lat, lon (DWORD, degrees x 1e6), altitude, speed (1/10 km/h), course, BCD time."""
BASIC_LEN: Final = BASIC_BLOCK.size  # 28
_WORD = struct.Struct(">H")

STATUS_POSITIONED: Final = 1 << 1
STATUS_SOUTH: Final = 1 << 2
STATUS_WEST: Final = 1 << 3

ALTITUDE_SIGNED_FLOOR: Final = -1000
"""Altitude WORDs from 0xFC18 up decode as small negative metres (two's complement).

The spec says WORD (unsigned); traccar reads int16 (§12 pitfall 8). Below-sea-level sites
(down to about -430 m) then come out right, while larger values such as 48243 stay unsigned.
"""


class LocationReport(msgspec.Struct, frozen=True):
    """A decoded location block.

    ``lat``/``lon`` are signed degrees (raw / 1e6, south/west from status bits 2/3);
    ``altitude_m`` metres; ``speed_kmh`` km/h; ``course`` degrees clockwise from north;
    ``time_local`` the device's naive wall clock (GMT+8 by spec), ``None`` if the BCD is not
    a valid time. ``extras`` holds the raw additional items in order (ids may repeat);
    ``trailer`` the bytes after the last complete item (vendor non-TLV data).
    """

    alarm_flags: int
    status: int
    lat: float
    lon: float
    altitude_m: int
    speed_kmh: float
    course: int
    time_local: datetime | None
    extras: tuple[tuple[int, bytes], ...] = ()
    trailer: bytes = b""

    @property
    def positioned(self) -> bool:
        """Status bit 1: the coordinates come from a valid fix."""
        return bool(self.status & STATUS_POSITIONED)


class LocationReply(msgspec.Struct, frozen=True):
    """0x0201 position-query reply or 0x0500 vehicle-control reply: serial + location."""

    reply_serial: int
    location: LocationReport


def parse_location(body: bytes, version: str = "2013") -> LocationReport:
    """Decode a 0x0200 body. Raises :class:`ProtocolError` if shorter than 28 bytes."""
    if len(body) < BASIC_LEN:
        raise ProtocolError(f"location body too short: {len(body)} bytes, needs {BASIC_LEN}")
    alarm, status, lat_raw, lon_raw, alt, speed, course, time_bcd = BASIC_BLOCK.unpack_from(body)
    lat = -lat_raw / 1e6 if status & STATUS_SOUTH else lat_raw / 1e6
    lon = -lon_raw / 1e6 if status & STATUS_WEST else lon_raw / 1e6
    if alt >= 0x10000 + ALTITUDE_SIGNED_FLOOR:
        alt -= 0x10000
    extras: list[tuple[int, bytes]] = []
    pos = BASIC_LEN
    end = len(body)
    while end - pos >= 2:
        stop = pos + 2 + body[pos + 1]
        if stop > end:
            break
        extras.append((body[pos], body[pos + 2 : stop]))
        pos = stop
    return LocationReport(
        alarm, status, lat, lon, alt, speed / 10, course, decode_bcd_time(time_bcd),
        tuple(extras), body[pos:],
    )  # fmt: skip


def parse_location_reply(body: bytes, version: str = "2013") -> LocationReply:
    """Decode a 0x0201/0x0500 body: reply serial WORD + a 0x0200 body."""
    if len(body) < 2 + BASIC_LEN:
        raise ProtocolError(f"location reply too short: {len(body)} bytes, needs 30")
    (reply_serial,) = _WORD.unpack_from(body)
    return LocationReply(reply_serial, parse_location(body[2:], version))
