"""Map decoded JT/T 808 location messages onto :class:`Observation` records (the hot path)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from hashlib import blake2b
from typing import Any, Final

from assetwatch.model.observation import FixSource, Observation
from assetwatch.protocols.jt808.alarms import alarm_codes, status_attributes
from assetwatch.protocols.jt808.batch import BATCH_BACKFILL, BatchUpload
from assetwatch.protocols.jt808.decoder import Message
from assetwatch.protocols.jt808.extras import add_extra_attributes
from assetwatch.protocols.jt808.location import (
    STATUS_POSITIONED,
    LocationReply,
    LocationReport,
)

PROTOCOL: Final = "jt808"
_NAIVE_EPOCH: Final = datetime(1970, 1, 1)
_NO_OFFSET: Final = timedelta(0)
_TIME_BCD: Final = slice(22, 28)
_SIGN_BIT: Final = 1 << 31
MIN_TIME_MS: Final = 946_684_800_000
"""2000-01-01T00:00:00Z. Earlier device times (an unset clock) are replaced by server time."""


def location_idem(location_body: bytes) -> int:
    """Stable 63-bit idempotency key of a 0x0200 body: a retransmission gets the same key."""
    return int.from_bytes(blake2b(location_body, digest_size=8).digest(), "big") >> 1


_EPOCH_MS: dict[tuple[datetime, tzinfo], int] = {}
_EPOCH_MS_MAX = 4096


def local_to_epoch_ms(local: datetime, tz: tzinfo) -> int:
    """Naive wall-clock ``local`` read in ``tz`` -> UTC epoch milliseconds (second precision).

    Five times faster than ``local.replace(tzinfo=tz).timestamp()``; ambiguous DST wall times
    resolve as ``fold=0``. Memoised like :func:`~.wire.decode_bcd_time` (reports share their
    seconds): 0.08 µs on a hit instead of 0.22 µs.
    """
    key = (local, tz)
    cached = _EPOCH_MS.get(key)
    if cached is not None:
        return cached
    delta = local - _NAIVE_EPOCH - (tz.utcoffset(local) or _NO_OFFSET)
    value = (delta.days * 86400 + delta.seconds) * 1000
    if len(_EPOCH_MS) >= _EPOCH_MS_MAX:
        _EPOCH_MS.clear()
    _EPOCH_MS[key] = value
    return value


def to_observations(
    message: Message, *, device_key: str, tz: tzinfo, server_time_ms: int
) -> list[Observation]:
    """Observations of a location message: one for 0x0200 (and 0x0201/0x0500), one per item
    for 0x0704 (``batch=True``; back-fill items also get ``backfill=True``); none otherwise.

    ``tz`` is the device's time zone: its BCD wall-clock time is read in ``tz`` (GMT+8 by
    spec) and converted to UTC epoch milliseconds.
    """
    body = message.body
    version = message.header.version
    if type(body) is LocationReport:
        raw = message.raw_body
        return [_observation(body, raw, version, device_key, tz, server_time_ms, None)]
    if type(body) is BatchUpload:
        return [
            _observation(item, raw, version, device_key, tz, server_time_ms, body.batch_type)
            for item, raw in zip(body.items, body.raw_items, strict=True)
        ]
    if type(body) is LocationReply:
        raw = message.raw_body[2:]
        return [_observation(body.location, raw, version, device_key, tz, server_time_ms, None)]
    return []


def _observation(
    report: LocationReport,
    raw: bytes,
    version: str,
    device_key: str,
    tz: tzinfo,
    server_time_ms: int,
    batch_type: int | None,
) -> Observation:
    attributes = _attributes(report, version, batch_type)
    local = report.time_local
    time_ms = local_to_epoch_ms(local, tz) if local is not None else 0
    if time_ms < MIN_TIME_MS:  # invalid BCD, or a clock that was never set
        time_ms = server_time_ms
        attributes["raw.time_bcd"] = raw[_TIME_BCD].hex()
    lat: float | None = report.lat
    lon: float | None = report.lon
    valid = bool(report.status & STATUS_POSITIONED)
    if not (-90.0 <= report.lat <= 90.0 and -180.0 <= report.lon <= 180.0):
        attributes["raw.lat"] = report.lat
        attributes["raw.lon"] = report.lon
        lat, lon = _twos_complement(report.lat, report.lon)
        valid = valid and lat is not None
    if report.altitude_m < 0:  # a WORD from 0xFC18 up, read as small negative metres
        attributes["raw.altitude"] = report.altitude_m & 0xFFFF
    return Observation(
        device_key=device_key,
        protocol=PROTOCOL,
        time_ms=time_ms,
        server_time_ms=server_time_ms,
        lat=lat,
        lon=lon,
        altitude_m=float(report.altitude_m),
        speed_kmh=report.speed_kmh,
        course=float(report.course),
        valid=valid,
        fix_source=FixSource.GPS if valid else FixSource.NONE,
        alarms=alarm_codes(report.alarm_flags, version),
        attributes=attributes,
        idem=location_idem(raw),
        batch=batch_type is not None,
    )


def _twos_complement(lat: float, lon: float) -> tuple[float | None, float | None]:
    """Coordinates sent as two's-complement negatives (SmallChi; e.g. FF4580F2), or
    ``(None, None)`` when even that reading is out of range (spec §12 pitfall 7)."""
    lat_signed = _signed_degrees(lat)
    lon_signed = _signed_degrees(lon)
    if -90.0 <= lat_signed <= 90.0 and -180.0 <= lon_signed <= 180.0:
        return lat_signed, lon_signed
    return None, None


def _signed_degrees(value: float) -> float:
    raw = round(abs(value) * 1e6)
    if raw < _SIGN_BIT:
        return value
    return -((1 << 32) - raw) / 1e6


def _attributes(report: LocationReport, version: str, batch_type: int | None) -> dict[str, Any]:
    attributes: dict[str, Any] = status_attributes(report.status, version)
    attributes["raw.alarm_flags"] = report.alarm_flags
    attributes["raw.status"] = report.status
    if report.extra_ids:
        add_extra_attributes(attributes, zip(report.extra_ids, report.extra_values, strict=True))
    if report.trailer:
        attributes["raw.trailer"] = report.trailer.hex()
    if batch_type is not None:
        attributes["raw.batch_type"] = batch_type
        attributes["backfill"] = batch_type == BATCH_BACKFILL
    return attributes
