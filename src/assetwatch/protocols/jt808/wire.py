"""Field codecs shared by the JT/T 808 message parsers: packed BCD times and GBK strings."""

from __future__ import annotations

from datetime import datetime

_INVALID = 0x80
BCD_VALUE: tuple[int, ...] = tuple(
    (b >> 4) * 10 + (b & 0x0F) if (b >> 4) < 10 and (b & 0x0F) < 10 else _INVALID
    for b in range(256)
)
"""Packed BCD byte -> 0..99, or 0x80 when a nibble is not a decimal digit."""

_PAD = "\x00 "
ZERO_TIME = bytes(6)


_TIMES: dict[bytes, datetime | None] = {}
_TIMES_MAX = 4096
_MISSING = object()


def decode_bcd_time(raw: bytes) -> datetime | None:
    """BCD[6] ``YY MM DD hh mm ss`` -> naive wall-clock datetime (years 2000–2099).

    Returns ``None`` for invalid BCD digits or an impossible date (a device with no time
    yet sends all zeros): an unusable timestamp is not a reason to drop the message.

    A fleet's live reports share their seconds (thousands of trackers report within the
    same second), so the datetimes are memoised: a hit costs a dict lookup (0.04 µs)
    instead of building a datetime (0.33 µs). The memo is bounded (cleared when full).
    """
    cached = _TIMES.get(raw, _MISSING)
    if cached is not _MISSING:
        return cached  # type: ignore[return-value]
    value = _bcd_time(raw)
    if len(_TIMES) >= _TIMES_MAX:
        _TIMES.clear()
    _TIMES[bytes(raw)] = value
    return value


def _bcd_time(raw: bytes) -> datetime | None:
    bcd = BCD_VALUE
    year, month, day = bcd[raw[0]], bcd[raw[1]], bcd[raw[2]]
    hour, minute, second = bcd[raw[3]], bcd[raw[4]], bcd[raw[5]]
    if (year | month | day | hour | minute | second) & _INVALID:
        return None
    try:
        return datetime(2000 + year, month, day, hour, minute, second)
    except ValueError:
        return None


def encode_bcd_time(value: datetime | None) -> bytes:
    """Naive (or aware, wall clock taken as is) datetime -> BCD[6]; ``None`` -> six zeros."""
    if value is None:
        return ZERO_TIME
    if not 2000 <= value.year <= 2099:
        raise ValueError(f"BCD time holds years 2000-2099, got {value.year}")
    digits = value.strftime("%y%m%d%H%M%S")
    return bytes.fromhex(digits)


def decode_text(raw: bytes) -> str:
    """GBK string field -> str, with NUL and space padding stripped on both ends (spec §12).

    Undecodable bytes become U+FFFD; the raw bytes stay available in the message body.
    """
    return raw.decode("gbk", errors="replace").strip(_PAD)


def encode_text(text: str, width: int | None = None, *, field: str = "text") -> bytes:
    """str -> GBK bytes, right-padded with NUL to ``width`` when given.

    Raises ``ValueError`` when the text cannot be encoded in GBK or is longer than ``width``.
    """
    try:
        raw = text.encode("gbk")
    except UnicodeEncodeError as err:
        raise ValueError(f"{field}: {text!r} is not encodable in GBK") from err
    if width is None:
        return raw
    if len(raw) > width:
        raise ValueError(f"{field}: {len(raw)} bytes do not fit the {width}-byte field")
    return raw.ljust(width, b"\x00")
