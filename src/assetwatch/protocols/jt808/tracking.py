"""0x8201 location query and 0x8202 temporary location tracking (spec §6.5, §6.6).

The terminal answers 0x8201 with 0x0201 (reply serial + location, see :mod:`.location`)
and 0x8202 with 0x0001, then reports 0x0200 every ``interval_s`` until ``validity_s`` ends.
"""

from __future__ import annotations

import struct
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError

_TRACKING = struct.Struct(">HI")
_WORD = struct.Struct(">H")
STOP_TRACKING: Final = 0
"""``interval_s`` 0 stops temporary tracking (the validity may then be left out)."""


class LocationQuery(msgspec.Struct, frozen=True):
    """0x8201 location query (empty body)."""


class TemporaryTracking(msgspec.Struct, frozen=True):
    """0x8202: report every ``interval_s`` seconds for ``validity_s`` seconds.

    ``validity_s`` is None when the body holds only the interval (a stop command).
    """

    interval_s: int
    validity_s: int | None = None


def parse_location_query(body: bytes, version: str = "2013") -> LocationQuery:
    return LocationQuery()


def parse_temporary_tracking(body: bytes, version: str = "2013") -> TemporaryTracking:
    """Decode 0x8202: interval WORD + validity DWORD (the validity may be missing)."""
    if len(body) >= _TRACKING.size:
        return TemporaryTracking(*_TRACKING.unpack_from(body))
    if len(body) >= _WORD.size:
        return TemporaryTracking(_WORD.unpack_from(body)[0])
    raise ProtocolError(f"temporary tracking body too short: {len(body)} bytes")


def encode_temporary_tracking(tracking: TemporaryTracking) -> bytes:
    """0x8202 body (interval only when ``validity_s`` is None)."""
    try:
        if tracking.validity_s is None:
            return _WORD.pack(tracking.interval_s)
        return _TRACKING.pack(tracking.interval_s, tracking.validity_s)
    except struct.error as err:
        raise ValueError(f"temporary tracking {tracking} does not fit WORD/DWORD") from err
