"""Map decoded GT06 messages onto :class:`Observation` records.

* locations (0x10/0x12/0x22/0xA0/0x1A/0x2A) and alarms (0x16/0x26/0x27/0xA4): a position,
  valid when the course/status "positioned" bit is set; alarms also carry canonical codes;
* LBS-only packets (0x28/0xA1): a position observation without a fix, with the cells;
* 0x13 status: a heartbeat, or an event when its terminal-information bits raise an alarm;
* 0x94 information: an event carrying the decoded values;
* 0x15/0x21 answers that spell out a position (``WHERE#``): a position; an ICCID: an event.

Cells go in ``attributes["cells"]`` as ``{"mcc", "mnc", "lac", "ci", "signal_dbm"}``,
serving cell first. ``idem`` hashes protocol number and content (not the serial), so a
retransmission of the same report gets the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from hashlib import blake2b
from typing import Any, Final

from assetwatch.model.observation import FixSource, Observation, ObservationKind
from assetwatch.protocols.gt06.alarm import Alarm, Status
from assetwatch.protocols.gt06.clock import device_time_ms, local_to_epoch_ms, packet_zone
from assetwatch.protocols.gt06.decoder import Message
from assetwatch.protocols.gt06.info import Information
from assetwatch.protocols.gt06.lbs import CellScan, signal_dbm
from assetwatch.protocols.gt06.location import Location
from assetwatch.protocols.gt06.status import (
    alarm_meaning,
    gsm_attributes,
    terminal_alarm,
    terminal_attributes,
    voltage_attributes,
)
from assetwatch.protocols.gt06.text import CommandReply, text_position
from assetwatch.protocols.gt06.wire import CellTower, GpsFix, TimeEncoding

PROTOCOL: Final = "gt06"
MIN_TIME_MS: Final = 946_684_800_000
"""2000-01-01T00:00:00Z. Earlier or invalid device times are replaced by server time."""
MAX_AHEAD_MS: Final = 25 * 3600 * 1000
"""A device time further ahead of the server than any time zone explains is not a time."""
NO_FENCE: Final = 0xFF


class Context:
    """What mapping one message needs besides the message (built per call, cheap)."""

    __slots__ = ("message", "device_key", "tz", "login_zone", "encoding", "server_time_ms")

    def __init__(
        self,
        message: Message,
        device_key: str,
        tz: tzinfo,
        login_zone: tzinfo | None,
        encoding: TimeEncoding,
        server_time_ms: int,
    ) -> None:
        self.message, self.device_key, self.tz = message, device_key, tz
        self.login_zone, self.encoding, self.server_time_ms = login_zone, encoding, server_time_ms

    @property
    def idem(self) -> int:
        frame = self.message.frame
        digest = blake2b(bytes((frame.protocol,)) + frame.content, digest_size=8).digest()
        return int.from_bytes(digest, "big") >> 1

    def time_ms(self, raw: bytes, attributes: dict[str, Any]) -> int:
        """Device time of ``raw`` in UTC ms; server time when it is invalid, before 2000 or
        more than 25 h ahead of the server (flagged ``raw.time_invalid``)."""
        zone = packet_zone(self.message.protocol, self.tz, self.login_zone)
        time_ms, as_bcd = device_time_ms(
            raw, zone, encoding=self.encoding, server_time_ms=self.server_time_ms
        )
        attributes["raw.time"] = raw.hex()
        if as_bcd:
            attributes["raw.time_encoding"] = "bcd"
        ahead = 0 < self.server_time_ms and self.server_time_ms + MAX_AHEAD_MS < (time_ms or 0)
        if time_ms is None or time_ms < MIN_TIME_MS or ahead:
            attributes["raw.time_invalid"] = True
            return self.server_time_ms
        return time_ms

    def without_position(
        self, kind: ObservationKind, attributes: dict[str, Any], alarms: tuple[str, ...] = ()
    ) -> Observation:
        now = self.server_time_ms
        return Observation(
            device_key=self.device_key,
            protocol=PROTOCOL,
            time_ms=now,
            server_time_ms=now,
            kind=kind,
            valid=False,
            fix_source=FixSource.NONE,
            alarms=alarms,
            attributes=attributes,
            idem=self.idem,
        )


def cell_dicts(cells: tuple[CellTower, ...] | list[CellTower]) -> list[dict[str, Any]]:
    """The ``attributes["cells"]`` shape of the cells actually present, serving first."""
    return [
        {"mcc": c.mcc, "mnc": c.mnc, "lac": c.lac, "ci": c.ci, "signal_dbm": signal_dbm(c.rssi)}
        for c in cells
        if c.present
    ]


def _fix_observation(
    ctx: Context,
    gps: GpsFix,
    cell: CellTower | None,
    attributes: dict[str, Any],
    alarms: tuple[str, ...] = (),
    *,
    batch: bool = False,
) -> Observation:
    attributes["satellites"] = gps.satellites
    attributes["raw.course_status"] = gps.course_status
    attributes["raw.gps_info_length"] = gps.info_length
    if gps.differential:
        attributes["gps_differential"] = True
    if "ignition" not in attributes and gps.acc is not None:
        attributes["ignition"] = gps.acc
    if cell is not None and cell.present:
        attributes["cells"] = cell_dicts([cell])
    lat_deg, lon_deg = gps.lat, gps.lon
    lat: float | None = lat_deg
    lon: float | None = lon_deg
    valid = gps.positioned
    if gps.lat_raw == 0 and gps.lon_raw == 0:
        lat = lon = None  # no fix was ever made: 0/0 is not a place
        valid = False
    elif not (-90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0):
        attributes["raw.lat"], attributes["raw.lon"] = lat_deg, lon_deg
        lat = lon = None
        valid = False
    return Observation(
        device_key=ctx.device_key,
        protocol=PROTOCOL,
        time_ms=ctx.time_ms(gps.time_raw, attributes),
        server_time_ms=ctx.server_time_ms,
        lat=lat,
        lon=lon,
        speed_kmh=float(gps.speed_kmh),
        course=float(gps.course),
        valid=valid,
        fix_source=FixSource.GPS if valid else FixSource.NONE,
        alarms=alarms,
        attributes=attributes,
        idem=ctx.idem,
        batch=batch,
    )


def _location(ctx: Context, body: Location) -> list[Observation]:
    attributes: dict[str, Any] = {}
    if body.acc is not None:
        attributes["raw.acc"] = body.acc
        if body.acc in (0, 1):
            attributes["ignition"] = body.acc == 1
    if body.upload_mode is not None:
        attributes["raw.upload_mode"] = body.upload_mode
    reupload = body.reupload == 1
    if body.reupload is not None:
        attributes["backfill"] = reupload
    if body.mileage is not None:
        attributes["mileage_km"] = body.mileage / 1000
        attributes["raw.mileage"] = body.mileage
    if body.phone is not None:
        attributes["raw.phone"] = body.phone
    if body.trailing:
        attributes["raw.trailing"] = body.trailing.hex()
    return [_fix_observation(ctx, body.gps, body.cell, attributes, batch=reupload)]


def _status_part(terminal_info: int, voltage: int, gsm: int) -> dict[str, Any]:
    attributes = terminal_attributes(terminal_info)
    attributes.update(voltage_attributes(voltage))
    attributes.update(gsm_attributes(gsm))
    return attributes


def _alarm(ctx: Context, body: Alarm) -> list[Observation]:
    attributes = _status_part(body.terminal_info, body.voltage, body.gsm)
    meaning = alarm_meaning(body.alarm)
    from_bits = terminal_alarm(body.terminal_info)
    attributes["raw.alarm"] = body.alarm
    attributes["raw.alarm_name"] = meaning.name
    attributes["raw.alarm_bits"] = from_bits.value
    attributes["raw.language"] = body.language
    codes = [m.code.value for m in (meaning, from_bits) if m.code is not None]
    if body.fence is not None:
        attributes["raw.fence"] = body.fence
        if body.fence != NO_FENCE:
            attributes["geofence_no"] = body.fence + 1
    if body.mileage is not None:
        attributes["mileage_km"] = body.mileage / 1000
        attributes["raw.mileage"] = body.mileage
    if body.trailing:
        attributes["raw.trailing"] = body.trailing.hex()
    alarms = tuple(dict.fromkeys(codes))
    return [_fix_observation(ctx, body.gps, body.cell, attributes, alarms)]


def _status(ctx: Context, body: Status) -> list[Observation]:
    attributes = _status_part(body.terminal_info, body.voltage, body.gsm)
    attributes["raw.alarm"] = body.alarm  # JM-VL03: language / extended port status
    attributes["raw.language"] = body.language
    if body.extra:
        attributes["raw.extra"] = body.extra.hex()
    meaning = terminal_alarm(body.terminal_info)
    attributes["raw.alarm_bits"] = meaning.value
    if meaning.code is None:
        return [ctx.without_position(ObservationKind.HEARTBEAT, attributes)]
    return [ctx.without_position(ObservationKind.EVENT, attributes, (meaning.code.value,))]


def _cell_scan(ctx: Context, body: CellScan) -> list[Observation]:
    attributes: dict[str, Any] = {"cells": cell_dicts(body.cells)}
    if body.timing_advance is not None:
        attributes["raw.timing_advance"] = body.timing_advance
    if body.language is not None:
        attributes["raw.language"] = body.language
    if body.trailing:
        attributes["raw.trailing"] = body.trailing.hex()
    return [
        Observation(
            device_key=ctx.device_key,
            protocol=PROTOCOL,
            time_ms=ctx.time_ms(body.time_raw, attributes),
            server_time_ms=ctx.server_time_ms,
            valid=False,
            fix_source=FixSource.NONE,
            attributes=attributes,
            idem=ctx.idem,
        )
    ]


def _information(ctx: Context, body: Information) -> list[Observation]:
    attributes: dict[str, Any] = dict(body.values)
    attributes["raw.info_type"] = body.info_type
    attributes["raw.info_data"] = body.data.hex()
    return [ctx.without_position(ObservationKind.EVENT, attributes)]


def _command_reply(ctx: Context, body: CommandReply) -> list[Observation]:
    attributes: dict[str, Any] = {"raw.reply_text": body.text}
    if body.text.startswith("<ICCID:"):
        attributes["iccid"] = body.text[7:].rstrip(">").strip()
        return [ctx.without_position(ObservationKind.EVENT, attributes)]
    spelled = text_position(body.text)
    if spelled is None:
        return []
    time_ms = ctx.server_time_ms
    if spelled.time is not None:
        time_ms = local_to_epoch_ms(spelled.time, ctx.tz)
    return [
        Observation(
            device_key=ctx.device_key,
            protocol=PROTOCOL,
            time_ms=time_ms if time_ms >= MIN_TIME_MS else ctx.server_time_ms,
            server_time_ms=ctx.server_time_ms,
            lat=spelled.lat,
            lon=spelled.lon,
            speed_kmh=spelled.speed_kmh,
            course=spelled.course,
            attributes=attributes,
            idem=ctx.idem,
        )
    ]


_MAPPERS: Final[dict[type[Any], Callable[[Context, Any], list[Observation]]]] = {
    Location: _location,
    Alarm: _alarm,
    Status: _status,
    CellScan: _cell_scan,
    Information: _information,
    CommandReply: _command_reply,
}


def to_observations(
    message: Message,
    *,
    device_key: str,
    tz: tzinfo,
    server_time_ms: int,
    login_zone: tzinfo | None = None,
    time_encoding: TimeEncoding = "auto",
) -> list[Observation]:
    """The observations of ``message`` (none for logins, acks, commands, time requests).

    ``tz`` is the device's configured time zone, ``login_zone`` the one its login
    announced (see :mod:`~.clock` for which applies); ``server_time_ms`` (UTC epoch ms) is
    the time of heartbeats and events, and of reports whose device time is invalid.
    """
    mapper = _MAPPERS.get(type(message.body))
    if mapper is None:
        return []
    ctx = Context(message, device_key, tz, login_zone, time_encoding, server_time_ms)
    return mapper(ctx, message.body)
