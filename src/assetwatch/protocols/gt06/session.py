"""Session messages: 0x01 login, 0x8A time, empty acknowledgements and undecoded bodies."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.gt06.wire import binary_time, need

TERMINAL_ID: Final = 8
ZONE_WEST: Final = 0x0008
LANGUAGE_BITS: Final = 0x0003


class Empty(msgspec.Struct, frozen=True):
    """A frame without content: a server acknowledgement (protocol + serial only), or a
    terminal request that needs no content (0x8A time request)."""


class RawBody(msgspec.Struct, frozen=True):
    """Content this codec does not decode (unknown or vendor protocol numbers), kept as
    hex with the reason."""

    content_hex: str
    reason: str


class Login(msgspec.Struct, frozen=True):
    """0x01 login: the only packet that carries the device identity.

    ``terminal_id`` is the 8 BCD bytes as sent; ``imei`` drops its leading nibble.
    ``type_code`` (2 bytes, the model) and ``zone_word`` (time zone and language) are
    optional: GT06N/JM-VL devices send them, classic GT06 devices do not.
    """

    imei: str
    terminal_id: str
    type_code: int | None = None
    zone_word: int | None = None
    trailing: bytes = b""

    @property
    def tz_offset_minutes(self) -> int | None:
        """Offset of the device's time zone from UTC in minutes (east positive).

        Bits 15–4 hold hours × 100 + minutes (0x320 = 800 = GMT+8:00, 0x4DD = 12:45);
        bit 3 set means west.
        """
        if self.zone_word is None:
            return None
        hhmm = self.zone_word >> 4
        minutes = (hhmm // 100) * 60 + hhmm % 100
        return -minutes if self.zone_word & ZONE_WEST else minutes

    @property
    def language(self) -> int | None:
        """Bits 1–0 of the zone word (device-defined language select)."""
        return None if self.zone_word is None else self.zone_word & LANGUAGE_BITS

    @property
    def zone(self) -> timezone | None:
        """The time zone announced at login (None without a zone word)."""
        offset = self.tz_offset_minutes
        if offset is None or not -24 * 60 < offset < 24 * 60:
            return None
        return timezone(timedelta(minutes=offset))


def parse_login(protocol: int, content: bytes) -> Login:
    """Terminal id (8), then optional type code (2) and zone/language word (2)."""
    need(content, 0, TERMINAL_ID, "login terminal id")
    terminal_id = content[:TERMINAL_ID].hex()
    rest = content[TERMINAL_ID:]
    type_code = int.from_bytes(rest[:2], "big") if len(rest) >= 2 else None
    zone_word = int.from_bytes(rest[2:4], "big") if len(rest) >= 4 else None
    trailing = rest[4:] if len(rest) >= 4 else rest[2:] if len(rest) >= 2 else rest
    return Login(terminal_id[1:], terminal_id, type_code, zone_word, trailing)


def format_offset(minutes: int) -> str:
    """``+8:00`` / ``-4:00`` / ``+12:45`` (the notation of the protocol documents)."""
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


class TimeReply(msgspec.Struct, frozen=True):
    """0x8A from the server: the current UTC time (a 0x8A from a terminal is empty)."""

    time_raw: bytes


def parse_time(protocol: int, content: bytes) -> TimeReply:
    need(content, 0, 6, "time reply")
    if binary_time(content) is None:
        raise ProtocolError(f"time reply holds no valid date/time: {content[:6].hex()}")
    return TimeReply(content[:6])
