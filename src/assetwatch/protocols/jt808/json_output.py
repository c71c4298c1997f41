"""JSON view of decoded messages for ``assetwatch decode --protocol jt808`` (one object each)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import tzinfo
from typing import Any, Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.json_view import position_json
from assetwatch.protocols.jt808 import json_bodies as jb
from assetwatch.protocols.jt808.alarms import alarm_names
from assetwatch.protocols.jt808.attributes import QueryAttributes, TerminalAttributes
from assetwatch.protocols.jt808.batch import BatchUpload
from assetwatch.protocols.jt808.control import TerminalControl, VehicleControl
from assetwatch.protocols.jt808.decoder import Message, decode_frame, frames_from_hex
from assetwatch.protocols.jt808.extras import describe_extras
from assetwatch.protocols.jt808.information import (
    ElectronicWaybill,
    TextMessage,
    TransparentData,
)
from assetwatch.protocols.jt808.location import LocationReply, LocationReport
from assetwatch.protocols.jt808.messages import Body
from assetwatch.protocols.jt808.observations import PROTOCOL, to_observations
from assetwatch.protocols.jt808.parameters import (
    ParameterReply,
    QueryAllParameters,
    QueryParameters,
    SetParameters,
)
from assetwatch.protocols.jt808.registration import (
    Authentication,
    Registration,
    RegistrationReply,
)
from assetwatch.protocols.jt808.resend import ResendRequest
from assetwatch.protocols.jt808.responses import (
    Heartbeat,
    Logout,
    PlatformResponse,
    RawBody,
    TerminalResponse,
)
from assetwatch.protocols.jt808.tracking import LocationQuery, TemporaryTracking

JsonDict = dict[str, Any]


def message_to_json(message: Message, *, tz: tzinfo) -> JsonDict:
    """``{"protocol", "message_id", "version", "device_id", "serial", "checksum_ok",
    "positions": [...], "body": {...}}``.

    ``positions`` has one entry per location (none for other messages), exactly as the
    Observation records would hold it: ``time`` in ISO-8601 UTC (``None`` when the device
    time is invalid), signed degrees (``None`` when out of range), canonical alarm codes.
    """
    header = message.header
    observations = to_observations(message, device_key=header.phone, tz=tz, server_time_ms=0)
    return {
        "protocol": PROTOCOL,
        "message_id": f"0x{header.msg_id:04x}",
        "version": header.version,
        "device_id": header.phone,
        "serial": header.serial,
        "checksum_ok": message.checksum_ok,
        "positions": [
            position_json(o, time_valid="raw.time_bcd" not in o.attributes) for o in observations
        ],
        "body": body_to_json(message.body, header.version),
    }


def _location(body: LocationReport, version: str) -> JsonDict:
    local = body.time_local
    return {
        "alarm_flags": body.alarm_flags,
        "status": body.status,
        "alarm_names": list(alarm_names(body.alarm_flags, version)),
        "time_local": local.isoformat(sep=" ") if local is not None else None,
        "extras": describe_extras(body.extras),
        "trailer": body.trailer.hex(),
    }


def _batch(body: BatchUpload, version: str) -> JsonDict:
    items = [_location(item, version) for item in body.items]
    return {"count": body.count, "batch_type": body.batch_type, "items": items}


def _location_reply(body: LocationReply, version: str) -> JsonDict:
    return {"reply_serial": body.reply_serial, "location": _location(body.location, version)}


def _response(body: TerminalResponse | PlatformResponse, version: str) -> JsonDict:
    return {
        "reply_serial": body.reply_serial,
        "reply_msg_id": f"0x{body.reply_msg_id:04x}",
        "result": body.result,
    }


def _fields(body: Any, version: str) -> JsonDict:
    fields: JsonDict = msgspec.structs.asdict(body)
    return fields


_BODY_JSON: Final[dict[type[Any], Callable[[Any, str], JsonDict]]] = {
    LocationReport: _location,
    LocationReply: _location_reply,
    BatchUpload: _batch,
    TerminalResponse: _response,
    PlatformResponse: _response,
    Registration: _fields,
    RegistrationReply: _fields,
    Authentication: _fields,
    Heartbeat: _fields,
    Logout: _fields,
    RawBody: _fields,
    ResendRequest: jb.resend_json,
    SetParameters: jb.set_parameters_json,
    QueryAllParameters: _fields,
    QueryParameters: jb.query_parameters_json,
    ParameterReply: jb.parameter_reply_json,
    TerminalControl: jb.terminal_control_json,
    QueryAttributes: _fields,
    TerminalAttributes: _fields,
    LocationQuery: _fields,
    TemporaryTracking: _fields,
    TextMessage: jb.text_message_json,
    VehicleControl: jb.vehicle_control_json,
    TransparentData: jb.transparent_json,
    ElectronicWaybill: jb.waybill_json,
}


def body_to_json(body: Body, version: str) -> JsonDict:
    """Message-specific fields of ``body`` as a JSON-ready dict."""
    return _BODY_JSON[type(body)](body, version)


def decode_lines(
    lines: Iterable[str], tz: tzinfo, *, assume_version: str | None = None
) -> Iterator[tuple[JsonDict, bool]]:
    """Decode hex frames, one or more per line; yield ``(json, ok)`` per frame.

    Blank lines and ``#`` comments are skipped. Undecodable input yields
    ``({"error": "line N: <reason>"}, False)`` and decoding goes on with the next frame.
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
        for content in frames:
            try:
                message = decode_frame(content, assume_version=assume_version)
            except ProtocolError as err:
                yield {"error": f"line {number}: {err}"}, False
                continue
            yield message_to_json(message, tz=tz), True
