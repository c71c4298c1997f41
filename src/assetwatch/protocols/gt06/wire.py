"""Field layouts shared by several GT06 packets: date/time, the GPS block, cell towers.

All values are big-endian. Readers take the content and an offset and return the value and
the next offset; they raise :class:`~assetwatch.errors.ProtocolError` for content that is
too short, so every parser fails with a clear reason.
"""

from __future__ import annotations

import struct
from datetime import datetime
from typing import Final, Literal

import msgspec

from assetwatch.errors import ProtocolError

TimeEncoding = Literal["binary", "bcd", "auto"]
"""How a device writes its 6 date/time bytes: ``binary`` (the spec), ``bcd`` (clones: each
byte as BCD when both nibbles are 0–9, else binary) or ``auto`` (binary unless that reading
is impossible or in the future and the BCD reading is not; see ``observations``)."""

GPS_BLOCK: Final = 18
"""date/time 6, GPS info 1, latitude 4, longitude 4, speed 1, course/status 2."""
DEGREE_UNITS: Final = 1_800_000.0
"""Latitude/longitude units per degree (minutes × 30 000)."""

COURSE_MASK: Final = 0x03FF
NORTH: Final = 1 << 10
WEST: Final = 1 << 11
POSITIONED: Final = 1 << 12
DIFFERENTIAL: Final = 1 << 13
ACC_VALID: Final = 1 << 14  # vendor extension (traccar): bit 15 then holds ACC
ACC_ON: Final = 1 << 15


def need(content: bytes, offset: int, size: int, what: str) -> None:
    """Raise unless ``content`` holds ``size`` bytes of ``what`` at ``offset``."""
    if len(content) < offset + size:
        raise ProtocolError(
            f"{what} truncated: needs {offset + size} bytes of content, got {len(content)}"
        )


def binary_time(raw: bytes) -> datetime | None:
    """``YY MM DD hh mm ss`` as binary bytes (2000-based) → naive datetime; None if invalid."""
    try:
        return datetime(2000 + raw[0], raw[1], raw[2], raw[3], raw[4], raw[5])
    except ValueError:
        return None


def _bcd_or_binary(byte: int) -> int:
    return (byte >> 4) * 10 + (byte & 0x0F) if byte & 0x0F <= 9 and byte >> 4 <= 9 else byte


def bcd_time(raw: bytes) -> datetime | None:
    """The clone reading: each byte BCD when both nibbles are 0–9, else binary (so a
    binary year 0x1A still reads 26). None if the result is not a valid time."""
    if len(raw) < 6:
        return None
    year, month, day, hour, minute, second = (_bcd_or_binary(byte) for byte in raw[:6])
    try:
        return datetime(2000 + year, month, day, hour, minute, second)
    except ValueError:
        return None


def encode_binary_time(moment: datetime) -> bytes:
    """Naive (or aware, taken at face value) ``moment`` → 6 binary bytes."""
    if not 2000 <= moment.year <= 2255:
        raise ValueError(f"year {moment.year} does not fit a GT06 date")
    return bytes(
        (moment.year - 2000, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    )


class GpsFix(msgspec.Struct, frozen=True):
    """The 18-byte GPS block of locations and alarms.

    ``lat_raw``/``lon_raw`` are unsigned units of 1/1 800 000 degree; the hemisphere is in
    ``course_status`` (bit 10 set = **north**, bit 11 set = west). ``time_raw`` is the date
    and time exactly as sent: its encoding and zone are decided when mapping to UTC.
    """

    time_raw: bytes
    info_length: int
    satellites: int
    lat_raw: int
    lon_raw: int
    speed_kmh: int
    course_status: int

    @property
    def lat(self) -> float:
        """Signed degrees (negative = south)."""
        value = self.lat_raw / DEGREE_UNITS
        return value if self.course_status & NORTH else -value

    @property
    def lon(self) -> float:
        """Signed degrees (negative = west)."""
        value = self.lon_raw / DEGREE_UNITS
        return -value if self.course_status & WEST else value

    @property
    def course(self) -> int:
        """Degrees clockwise from north (10 bits)."""
        return self.course_status & COURSE_MASK

    @property
    def positioned(self) -> bool:
        return bool(self.course_status & POSITIONED)

    @property
    def differential(self) -> bool:
        return bool(self.course_status & DIFFERENTIAL)

    @property
    def acc(self) -> bool | None:
        """ACC from bits 14/15 (vendor extension), None when bit 14 does not vouch for it."""
        return bool(self.course_status & ACC_ON) if self.course_status & ACC_VALID else None


_GPS: Final = struct.Struct(">6sBIIBH")


def read_gps(content: bytes, offset: int = 0) -> tuple[GpsFix, int]:
    """The GPS block at ``offset``."""
    if len(content) < offset + GPS_BLOCK:
        need(content, offset, GPS_BLOCK, "GPS block")
    time_raw, info, lat_raw, lon_raw, speed, status = _GPS.unpack_from(content, offset)
    fix = GpsFix(time_raw, info >> 4, info & 0x0F, lat_raw, lon_raw, speed, status)
    return fix, offset + GPS_BLOCK


def encode_gps(fix: GpsFix) -> bytes:
    """The 18 bytes of ``fix`` (inverse of :func:`read_gps`)."""
    return (
        fix.time_raw
        + bytes(((fix.info_length & 0x0F) << 4 | (fix.satellites & 0x0F),))
        + fix.lat_raw.to_bytes(4, "big")
        + fix.lon_raw.to_bytes(4, "big")
        + bytes((fix.speed_kmh,))
        + fix.course_status.to_bytes(2, "big")
    )


class CellTower(msgspec.Struct, frozen=True):
    """One GSM/LTE cell. ``rssi`` is the raw signal byte of multi-cell packets (0x28,
    higher = stronger), None where the packet carries none. ``wide_mnc`` records that the
    MCC's bit 15 announced a 2-byte MNC."""

    mcc: int
    mnc: int
    lac: int
    ci: int
    rssi: int | None = None
    wide_mnc: bool = False

    @property
    def present(self) -> bool:
        """False for the zero-filled slots devices send when they see no cell."""
        return self.mcc != 0 and (self.lac != 0 or self.ci != 0)


WIDE_MNC: Final = 0x8000


_CELL_2G: Final = struct.Struct(">HBHBH")


def read_cell(
    content: bytes, offset: int, *, lac_size: int = 2, ci_size: int = 3
) -> tuple[CellTower, int]:
    """MCC (2; bit 15 set = 2-byte MNC), MNC (1 or 2), LAC, CI at ``offset``.

    2G/3G packets use a 2-byte LAC and 3-byte CI; the 4G packets (0xA0/0xA1/0xA4) 4 and 8.
    """
    if len(content) < offset + 2:
        need(content, offset, 2, "cell MCC")
    mcc = content[offset] << 8 | content[offset + 1]
    mnc_size = 2 if mcc & WIDE_MNC else 1
    size = 2 + mnc_size + lac_size + ci_size
    if len(content) < offset + size:
        need(content, offset, size, "cell tower")
    if size == 8:  # the common 2G/3G layout, in one call
        mcc, mnc, lac, ci_high, ci_low = _CELL_2G.unpack_from(content, offset)
        return CellTower(mcc, mnc, lac, ci_high << 16 | ci_low), offset + 8
    o = offset + 2
    mnc = int.from_bytes(content[o : o + mnc_size], "big")
    o += mnc_size
    lac = int.from_bytes(content[o : o + lac_size], "big")
    o += lac_size
    ci = int.from_bytes(content[o : o + ci_size], "big")
    cell = CellTower(mcc & ~WIDE_MNC, mnc, lac, ci, wide_mnc=bool(mcc & WIDE_MNC))
    return cell, o + ci_size


def encode_cell(cell: CellTower, *, lac_size: int = 2, ci_size: int = 3) -> bytes:
    """Inverse of :func:`read_cell`."""
    mnc_size = 2 if cell.wide_mnc else 1
    mcc = cell.mcc | (WIDE_MNC if cell.wide_mnc else 0)
    return (
        mcc.to_bytes(2, "big")
        + cell.mnc.to_bytes(mnc_size, "big")
        + cell.lac.to_bytes(lac_size, "big")
        + cell.ci.to_bytes(ci_size, "big")
    )


def ascii_text(raw: bytes) -> str:
    """Printable text of ``raw``: NUL padding stripped, undecodable bytes replaced."""
    return raw.rstrip(b"\x00").decode("ascii", errors="replace")
