"""Location packets: 0x10 GPS, 0x12 GPS+LBS, 0x22 / 0xA0 GPS+LBS+ACC, 0x1A / 0x2A GPS+phone.

Every layout is the GPS block followed by optional fields. Firmware adds vendor bytes after
the documented fields; they are kept in ``trailing`` rather than rejected or dropped.
"""

from __future__ import annotations

from typing import Final

import msgspec

from assetwatch.protocols.gt06.wire import (
    CellTower,
    GpsFix,
    ascii_text,
    read_cell,
    read_gps,
)

GPS_LBS_4G: Final = 0xA0
PHONE_SIZE: Final = 21
CELL_2G: Final = 8
"""Size of a 2G/3G cell (MCC 2, MNC 1, LAC 2, CI 3) with a 1-byte MNC."""


class Location(msgspec.Struct, frozen=True):
    """A GPS fix with whatever the packet adds.

    ``acc`` (0 off, 1 on), ``upload_mode`` (why the fix was sent: 0 interval, 1 distance,
    2 cornering, 3 ACC change, 5 reconnect, …) and ``reupload`` (1 = buffered fix sent
    again) come with 0x22/0xA0; ``mileage`` (device units, metres on the devices seen) is
    optional there. ``phone`` and ``language`` come with 0x1A/0x2A (address requests).
    """

    gps: GpsFix
    cell: CellTower | None = None
    acc: int | None = None
    upload_mode: int | None = None
    reupload: int | None = None
    mileage: int | None = None
    phone: str | None = None
    language: int | None = None
    trailing: bytes = b""


def parse_gps_only(protocol: int, content: bytes) -> Location:
    """0x10: the GPS block (devices seen add 2 bytes, kept as trailing)."""
    gps, offset = read_gps(content)
    return Location(gps, trailing=content[offset:])


def parse_gps_lbs(protocol: int, content: bytes) -> Location:
    """0x12: GPS block + MCC, MNC, LAC, CI (+ vendor bytes)."""
    gps, offset = read_gps(content)
    if len(content) - offset < CELL_2G:
        return Location(gps, trailing=content[offset:])
    cell, offset = read_cell(content, offset)
    return Location(gps, cell, trailing=content[offset:])


def parse_gps_lbs_acc(protocol: int, content: bytes) -> Location:
    """0x22 (2G cell) / 0xA0 (4G cell: LAC 4, CI 8): GPS + cell + ACC, upload mode,
    re-upload, then optional mileage (4)."""
    gps, offset = read_gps(content)
    sizes = (4, 8) if protocol == GPS_LBS_4G else (2, 3)
    if len(content) - offset < CELL_2G:
        return Location(gps, trailing=content[offset:])
    cell, offset = read_cell(content, offset, lac_size=sizes[0], ci_size=sizes[1])
    if len(content) - offset < 3:
        return Location(gps, cell, trailing=content[offset:])
    acc, mode, reupload = content[offset], content[offset + 1], content[offset + 2]
    offset += 3
    mileage = None
    if len(content) - offset >= 4:
        mileage = int.from_bytes(content[offset : offset + 4], "big")
        offset += 4
    return Location(gps, cell, acc, mode, reupload, mileage, trailing=content[offset:])


def parse_gps_phone(protocol: int, content: bytes) -> Location:
    """0x1A (query address by phone) / 0x2A (address request): GPS + phone number
    (21 ASCII bytes, NUL padded) + alarm/language (2)."""
    gps, offset = read_gps(content)
    if len(content) - offset < PHONE_SIZE + 2:
        return Location(gps, trailing=content[offset:])
    phone = ascii_text(content[offset : offset + PHONE_SIZE])
    offset += PHONE_SIZE
    language = int.from_bytes(content[offset : offset + 2], "big")
    return Location(gps, phone=phone, language=language, trailing=content[offset + 2 :])
