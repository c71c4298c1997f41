"""Encode JT/T 808 frames and message bodies (both directions).

Bodies come from the typed messages so that ``decode(encode(x)) == x``. Invalid arguments
(values that do not fit their fields) raise ``ValueError``: they are programming errors, not
bad device input.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Final

from assetwatch.protocols.jt808.attributes import (
    QueryAttributes,
    TerminalAttributes,
    encode_terminal_attributes,
)
from assetwatch.protocols.jt808.batch import BatchUpload
from assetwatch.protocols.jt808.control import (
    TerminalControl,
    VehicleControl,
    encode_vehicle_control,
)
from assetwatch.protocols.jt808.frame import wrap_frame, xor_checksum
from assetwatch.protocols.jt808.header import Header, encode_header
from assetwatch.protocols.jt808.information import (
    ElectronicWaybill,
    TextMessage,
    TransparentData,
    encode_text_message,
    encode_transparent,
    encode_waybill,
)
from assetwatch.protocols.jt808.location import (
    ALTITUDE_SIGNED_FLOOR,
    BASIC_BLOCK,
    STATUS_POSITIONED,
    STATUS_SOUTH,
    STATUS_WEST,
    LocationReply,
    LocationReport,
)
from assetwatch.protocols.jt808.messages import Body
from assetwatch.protocols.jt808.parameters import (
    ParameterReply,
    QueryAllParameters,
    QueryParameters,
    SetParameters,
    encode_parameter_reply,
    encode_query_parameters,
    encode_set_parameters,
)
from assetwatch.protocols.jt808.registration import (
    IMEI_LEN,
    REGISTRATION_OK,
    REGISTRATION_WIDTHS,
    SOFTWARE_VERSION_LEN,
    Authentication,
    Registration,
    RegistrationReply,
)
from assetwatch.protocols.jt808.resend import ResendRequest, encode_resend_request
from assetwatch.protocols.jt808.responses import (
    Heartbeat,
    Logout,
    PlatformResponse,
    RawBody,
    TerminalResponse,
)
from assetwatch.protocols.jt808.tracking import (
    LocationQuery,
    TemporaryTracking,
    encode_temporary_tracking,
)
from assetwatch.protocols.jt808.wire import encode_bcd_time, encode_text

_WORD = struct.Struct(">H")
_GENERAL = struct.Struct(">HHB")
_REPLY = struct.Struct(">HB")
_REGION = struct.Struct(">HH")
_BATCH_HEAD = struct.Struct(">HB")
_ALTITUDE_MAX: Final = 0xFFFF + ALTITUDE_SIGNED_FLOOR


def encode_frame(
    msg_id: int,
    phone: str,
    serial: int,
    body: bytes,
    *,
    version: str = "2013",
    protocol_version: int = 1,
    packet: tuple[int, int] | None = None,
) -> bytes:
    """Complete wire frame: header + body + checksum, escaped, with both 0x7E delimiters.

    ``version`` "2019" writes the 2019 header (version flag, ``protocol_version`` byte and a
    20-digit phone); "2011"/"2013" the 12-byte header. ``packet`` = ``(total, index)``.
    """
    header = encode_header(
        msg_id, phone, serial, len(body),
        version=version, protocol_version=protocol_version, packet=packet,
    )  # fmt: skip
    content = header + body
    return wrap_frame(content + bytes((xor_checksum(content),)))


def encode_reply(request: Header, msg_id: int, serial: int, body: bytes) -> bytes:
    """A frame to the terminal of ``request``, mirroring its phone and header version."""
    return encode_frame(
        msg_id, request.phone, serial, body,
        version=request.version, protocol_version=request.protocol_version or 1,
    )  # fmt: skip


def build_location(
    *,
    lat: float,
    lon: float,
    time_local: datetime | None,
    alarm_flags: int = 0,
    status: int = 0,
    positioned: bool = True,
    altitude_m: int = 0,
    speed_kmh: float = 0.0,
    course: int = 0,
    extras: Iterable[tuple[int, bytes]] = (),
    trailer: bytes = b"",
) -> LocationReport:
    """A :class:`LocationReport` from signed degrees, as the device would send it.

    Sets status bits 1 (positioned), 2 (south) and 3 (west) from ``positioned`` and the
    signs; rounds lat/lon to 1e-6 degree and speed to 0.1 km/h, as the wire does.
    """
    status &= ~(STATUS_POSITIONED | STATUS_SOUTH | STATUS_WEST)
    status |= STATUS_POSITIONED if positioned else 0
    status |= STATUS_SOUTH if lat < 0 else 0
    status |= STATUS_WEST if lon < 0 else 0
    lat_q = round(abs(lat) * 1e6) / 1e6
    lon_q = round(abs(lon) * 1e6) / 1e6
    items = tuple(extras)
    return LocationReport(
        alarm_flags, status, -lat_q if lat < 0 else lat_q, -lon_q if lon < 0 else lon_q,
        altitude_m, round(speed_kmh * 10) / 10, course, time_local,
        tuple(item_id for item_id, _ in items), tuple(value for _, value in items), trailer,
    )  # fmt: skip


def encode_location(report: LocationReport) -> bytes:
    """0x0200 body. The hemisphere bits come from ``report.status``, as decoded."""
    altitude = report.altitude_m
    if not ALTITUDE_SIGNED_FLOOR <= altitude <= _ALTITUDE_MAX:
        raise ValueError(f"altitude {altitude} m outside {ALTITUDE_SIGNED_FLOOR}..{_ALTITUDE_MAX}")
    try:
        basic = BASIC_BLOCK.pack(
            report.alarm_flags, report.status,
            round(abs(report.lat) * 1e6), round(abs(report.lon) * 1e6),
            altitude & 0xFFFF, round(report.speed_kmh * 10), report.course,
            encode_bcd_time(report.time_local),
        )  # fmt: skip
    except struct.error as err:
        raise ValueError(f"location field out of range: {err}") from err
    return basic + encode_extras(report.extras) + report.trailer


def encode_extras(extras: Iterable[tuple[int, bytes]]) -> bytes:
    """Additional items as ``id BYTE, length BYTE, value``."""
    parts = []
    for item_id, value in extras:
        if not 0 <= item_id <= 0xFF or len(value) > 0xFF:
            raise ValueError(f"extra item 0x{item_id:02x} with {len(value)} bytes does not fit")
        parts.append(bytes((item_id, len(value))) + value)
    return b"".join(parts)


def encode_batch(reports: Iterable[LocationReport], batch_type: int = 0) -> bytes:
    """0x0704 body: count WORD, type BYTE (0 normal, 1 back-fill), ``length WORD + body``."""
    items = [encode_location(report) for report in reports]
    parts = [_BATCH_HEAD.pack(len(items), batch_type)]
    parts.extend(_WORD.pack(len(item)) + item for item in items)
    return b"".join(parts)


def encode_registration(registration: Registration) -> bytes:
    """0x0100 body in ``registration.layout``; fixed-width strings right-padded with NUL."""
    maker_len, model_len, id_len = REGISTRATION_WIDTHS[registration.layout]
    return b"".join(
        (
            _REGION.pack(registration.province_id, registration.city_id),
            encode_text(registration.maker_id, maker_len, field="maker_id"),
            encode_text(registration.model, model_len, field="model"),
            encode_text(registration.terminal_id, id_len, field="terminal_id"),
            bytes((registration.plate_color,)),
            encode_text(registration.plate, field="plate"),
        )
    )


def encode_registration_reply(reply_serial: int, result: int, auth_code: str = "") -> bytes:
    """0x8100 body; the auth code is written only when ``result`` is 0 (success)."""
    code = encode_text(auth_code, field="auth_code") if result == REGISTRATION_OK else b""
    return _REPLY.pack(reply_serial, result) + code


def encode_authentication(
    code: str, version: str = "2013", imei: str = "", software: str = ""
) -> bytes:
    """0x0102 body: the code (2011/2013), or length + code + IMEI[15] + software[20] (2019)."""
    raw = encode_text(code, field="auth_code")
    if version != "2019":
        return raw
    if len(raw) > 0xFF:
        raise ValueError(f"auth_code of {len(raw)} bytes does not fit a length byte")
    return b"".join(
        (
            bytes((len(raw),)),
            raw,
            encode_text(imei, IMEI_LEN, field="imei"),
            encode_text(software, SOFTWARE_VERSION_LEN, field="software_version"),
        )
    )


def encode_platform_response(reply_serial: int, reply_msg_id: int, result: int) -> bytes:
    """0x8001 body: reply serial, reply message id, result (0 ok … 4 alarm confirmed)."""
    return _GENERAL.pack(reply_serial, reply_msg_id, result)


def encode_terminal_response(reply_serial: int, reply_msg_id: int, result: int) -> bytes:
    """0x0001 body (same layout as 0x8001)."""
    return _GENERAL.pack(reply_serial, reply_msg_id, result)


def _location_reply(body: LocationReply, version: str) -> bytes:
    return _WORD.pack(body.reply_serial) + encode_location(body.location)


def _general(body: TerminalResponse | PlatformResponse, version: str) -> bytes:
    return _GENERAL.pack(body.reply_serial, body.reply_msg_id, body.result)


_BODY_ENCODERS: Final[dict[type[Any], Callable[[Any, str], bytes]]] = {
    LocationReport: lambda body, version: encode_location(body),
    LocationReply: _location_reply,
    BatchUpload: lambda body, version: encode_batch(body.items, body.batch_type),
    Registration: lambda body, version: encode_registration(body),
    RegistrationReply: lambda body, version: encode_registration_reply(
        body.reply_serial, body.result, body.auth_code
    ),
    Authentication: lambda body, version: encode_authentication(
        body.auth_code, version, body.imei, body.software_version
    ),
    TerminalResponse: _general,
    PlatformResponse: _general,
    Heartbeat: lambda body, version: b"",
    Logout: lambda body, version: b"",
    ResendRequest: lambda body, version: encode_resend_request(body.first_serial, body.packet_ids),
    SetParameters: lambda body, version: encode_set_parameters(
        body.parameters, version, body.packet_count
    ),
    QueryAllParameters: lambda body, version: b"",
    QueryParameters: lambda body, version: encode_query_parameters(body.param_ids),
    ParameterReply: lambda body, version: encode_parameter_reply(
        body.reply_serial, body.parameters, body.count
    ),
    TerminalControl: lambda body, version: bytes((body.command,)) + body.params,
    QueryAttributes: lambda body, version: b"",
    TerminalAttributes: encode_terminal_attributes,
    LocationQuery: lambda body, version: b"",
    TemporaryTracking: lambda body, version: encode_temporary_tracking(body),
    TextMessage: lambda body, version: encode_text_message(body),
    VehicleControl: lambda body, version: encode_vehicle_control(body),
    TransparentData: lambda body, version: encode_transparent(body.data_type, body.content),
    ElectronicWaybill: lambda body, version: encode_waybill(body.content, body.length),
    RawBody: lambda body, version: bytes.fromhex(body.hex),
}


def encode_body(body: Body, version: str = "2013") -> bytes:
    """Bytes of any decoded body type (``version`` matters for 0x0102, 0x0107 and the
    2011 0x8103; the 0x8300 and 0x8500 layouts are part of their bodies)."""
    return _BODY_ENCODERS[type(body)](body, version)
