"""JSON view of decoded messages for ``assetwatch decode --protocol gt06`` (one object each),
with the same contract as the JT/T 808 one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import tzinfo
from typing import Any, Final

from assetwatch.errors import ProtocolError
from assetwatch.model.observation import ObservationKind
from assetwatch.protocols.gt06.alarm import Alarm, Status
from assetwatch.protocols.gt06.decoder import Message, decode_frame, frames_from_hex
from assetwatch.protocols.gt06.info import Information
from assetwatch.protocols.gt06.lbs import CellScan
from assetwatch.protocols.gt06.location import Location
from assetwatch.protocols.gt06.messages import Body
from assetwatch.protocols.gt06.observations import PROTOCOL, to_observations
from assetwatch.protocols.gt06.session import (
    Empty,
    Login,
    RawBody,
    TimeReply,
    format_offset,
)
from assetwatch.protocols.gt06.status import alarm_meaning, terminal_alarm
from assetwatch.protocols.gt06.text import CommandReply, ServerCommand
from assetwatch.protocols.gt06.wire import CellTower, GpsFix, binary_time
from assetwatch.protocols.json_view import position_json

JsonDict = dict[str, Any]


def message_to_json(message: Message, *, tz: tzinfo) -> JsonDict:
    """``{"protocol", "message_id", "version", "device_id", "serial", "checksum_ok",
    "positions": [...], "body": {...}}``.

    ``version`` is the framing (``7878``/``7979``); ``device_id`` the IMEI of a login, else
    None (other packets carry no identity). ``positions`` holds one entry per position
    observation, as stored: ``time`` ISO-8601 UTC (None when the device time is invalid).
    Dates are read as binary in ``tz`` (or the packet's own rules, see ``clock``).
    """
    frame = message.frame
    body = message.body
    observations = to_observations(
        message, device_key="", tz=tz, server_time_ms=0, time_encoding="binary"
    )
    document = body_to_json(body)
    if not frame.length_ok:
        document["length_field"] = frame.length_field
        document["length_ok"] = False
    return {
        "protocol": PROTOCOL,
        "message_id": f"0x{frame.protocol:02x}",
        "version": frame.start,
        "device_id": body.imei if isinstance(body, Login) else None,
        "serial": frame.serial,
        "checksum_ok": frame.crc_ok,
        "positions": [
            position_json(o, time_valid=not o.attributes.get("raw.time_invalid"))
            for o in observations
            if o.kind is ObservationKind.POSITION
        ],
        "body": document,
    }


def _datetime(raw: bytes) -> str | None:
    moment = binary_time(raw)
    return None if moment is None else moment.isoformat(sep=" ")


def _gps(gps: GpsFix) -> JsonDict:
    return {
        "datetime": _datetime(gps.time_raw),
        "time_raw": gps.time_raw.hex(),
        "gps_info_len": gps.info_length,
        "satellites": gps.satellites,
        "lat_raw": gps.lat_raw,
        "lon_raw": gps.lon_raw,
        "latitude": round(gps.lat, 6),
        "longitude": round(gps.lon, 6),
        "speed_kmh": gps.speed_kmh,
        "course": gps.course,
        "course_status": gps.course_status,
        "positioned": gps.positioned,
    }


def _cell(cell: CellTower | None) -> JsonDict | None:
    if cell is None:
        return None
    document: JsonDict = {"mcc": cell.mcc, "mnc": cell.mnc, "lac": cell.lac, "ci": cell.ci}
    if cell.rssi is not None:
        document["rssi"] = cell.rssi
    return document


def _location(body: Location) -> JsonDict:
    document: JsonDict = {"gps": _gps(body.gps), "lbs": _cell(body.cell)}
    for name in ("acc", "upload_mode", "reupload", "mileage", "phone", "language"):
        if getattr(body, name) is not None:
            document[name] = getattr(body, name)
    document["trailing_hex"] = body.trailing.hex()
    return document


def _terminal(terminal_info: int, voltage: int, gsm: int) -> JsonDict:
    return {
        "terminal_info": terminal_info,
        "oil_electricity_cut": bool(terminal_info & 0x80),
        "gps_tracking": bool(terminal_info & 0x40),
        "alarm_bits": terminal_alarm(terminal_info).value,
        "alarm_bits_name": terminal_alarm(terminal_info).name,
        "charging": bool(terminal_info & 0x04),
        "acc_on": bool(terminal_info & 0x02),
        "armed": bool(terminal_info & 0x01),
        "voltage": voltage,
        "gsm": gsm,
    }


def _status(body: Status) -> JsonDict:
    document = _terminal(body.terminal_info, body.voltage, body.gsm)
    document.update(alarm=body.alarm, language=body.language, extra_hex=body.extra.hex())
    return document


def _alarm(body: Alarm) -> JsonDict:
    document: JsonDict = {"gps": _gps(body.gps), "lbs_len": body.lbs_length}
    document["lbs"] = _cell(body.cell)
    document.update(_terminal(body.terminal_info, body.voltage, body.gsm))
    document.update(alarm=body.alarm, alarm_name=alarm_meaning(body.alarm).name)
    document.update(language=body.language, fence_no=body.fence, mileage=body.mileage)
    document["trailing_hex"] = body.trailing.hex()
    return document


def _cell_scan(body: CellScan) -> JsonDict:
    return {
        "datetime": _datetime(body.time_raw),
        "cells": [_cell(cell) for cell in body.cells],
        "timing_advance": body.timing_advance,
        "language": body.language,
        "trailing_hex": body.trailing.hex(),
    }


def _login(body: Login) -> JsonDict:
    offset = body.tz_offset_minutes
    return {
        "imei": body.imei,
        "terminal_id": body.terminal_id,
        "type_code": None if body.type_code is None else f"{body.type_code:04x}",
        "zone_word": None if body.zone_word is None else f"{body.zone_word:04x}",
        "tz_offset": None if offset is None else format_offset(offset),
        "language": body.language,
    }


def _information(body: Information) -> JsonDict:
    return {"info_type": f"0x{body.info_type:02x}", "name": body.name,
            "data_hex": body.data.hex(), "values": body.values}  # fmt: skip


def _command_reply(body: CommandReply) -> JsonDict:
    return {"server_flag": f"{body.server_flag:08x}", "text": body.text,
            "language": body.language, "encoding": body.encoding}  # fmt: skip


def _server_command(body: ServerCommand) -> JsonDict:
    return {"server_flag": f"{body.server_flag:08x}", "text": body.text,
            "language": body.language}  # fmt: skip


_BODY_JSON: Final[dict[type[Any], Callable[[Any], JsonDict]]] = {
    Login: _login,
    Location: _location,
    Status: _status,
    Alarm: _alarm,
    CellScan: _cell_scan,
    Information: _information,
    CommandReply: _command_reply,
    ServerCommand: _server_command,
    TimeReply: lambda body: {"datetime": _datetime(body.time_raw)},
    Empty: lambda body: {"empty_content": True},
    RawBody: lambda body: {"content_hex": body.content_hex, "reason": body.reason},
}


def body_to_json(body: Body) -> JsonDict:
    """Message-specific fields of ``body`` as a JSON-ready dict."""
    return _BODY_JSON[type(body)](body)


def decode_lines(lines: Iterable[str], tz: tzinfo) -> Iterator[tuple[JsonDict, bool]]:
    """Decode hex frames, one or more per line; yield ``(json, ok)`` per frame.

    Blank lines and ``#`` comments are skipped. Undecodable input yields
    ``({"error": "line N: <reason>"}, False)`` and decoding goes on with the next line.
    """
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            frames = frames_from_hex(text)
        except ProtocolError as err:
            yield {"error": f"line {number}: {err}"}, False
            continue
        for frame in frames:
            try:
                message = decode_frame(frame)
            except ProtocolError as err:
                yield {"error": f"line {number}: {err}"}, False
                continue
            yield message_to_json(message, tz=tz), True
