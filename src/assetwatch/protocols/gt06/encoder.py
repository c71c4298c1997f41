"""Build GT06 frames: the server's replies and commands, and (for tests and the simulator)
every terminal packet this codec decodes.

Server side: :func:`encode_ack` (login, status and alarm acknowledgements echo the serial of
the packet they answer), :func:`encode_time_reply` (0x8A, UTC) and
:func:`encode_server_command` (0x80). Terminal side: :func:`encode_message` encodes any
decoded body back, so that ``decode(encode(x)) == x`` can be tested.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from assetwatch.protocols.gt06.alarm import ALARM_FENCES_4G, Alarm, Status
from assetwatch.protocols.gt06.frame import wrap_frame
from assetwatch.protocols.gt06.info import Information
from assetwatch.protocols.gt06.lbs import LBS_MULTI_4G, CellScan
from assetwatch.protocols.gt06.location import GPS_LBS_4G, PHONE_SIZE, Location
from assetwatch.protocols.gt06.messages import LOGIN, SERVER_COMMAND, TIME, Body
from assetwatch.protocols.gt06.session import Empty, Login, RawBody, TimeReply
from assetwatch.protocols.gt06.text import (
    COMMAND_REPLY_LONG,
    ENCODING_ASCII,
    ENCODING_UTF16,
    CommandReply,
    ServerCommand,
)
from assetwatch.protocols.gt06.wire import (
    DEGREE_UNITS,
    NORTH,
    POSITIONED,
    WEST,
    CellTower,
    GpsFix,
    encode_binary_time,
    encode_cell,
    encode_gps,
)

MAX_SHORT_CONTENT: Final = 0xFF - 5
LONG_ONLY: Final = frozenset({COMMAND_REPLY_LONG, 0x94})
"""Packets that always travel in a ``7979`` frame."""


def encode_ack(protocol: int, serial: int) -> bytes:
    """The generic acknowledgement ``78 78 05 <protocol> <serial> <crc> 0D 0A``."""
    return wrap_frame(protocol, b"", serial)


def encode_login_ack(serial: int) -> bytes:
    """Answer to a 0x01 login with ``serial``."""
    return encode_ack(LOGIN, serial)


def encode_time_reply(moment: datetime, serial: int) -> bytes:
    """0x8A: ``moment`` in UTC (a naive ``moment`` is taken as UTC) as binary date/time."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return wrap_frame(TIME, encode_binary_time(moment), serial)


def server_command_content(text: str, server_flag: int, language: int | None = None) -> bytes:
    """0x80 content: length (4 + text), server flag (4), ASCII text, [language (2)]."""
    raw = text.encode("ascii")
    if len(raw) + 4 > 0xFF:
        raise ValueError(f"command text of {len(raw)} bytes is longer than 251")
    content = bytes((len(raw) + 4,)) + (server_flag & 0xFFFFFFFF).to_bytes(4, "big") + raw
    if language is not None:
        content += language.to_bytes(2, "big")
    return content


def encode_server_command(
    text: str, server_flag: int, serial: int, *, language: int | None = None
) -> bytes:
    """0x80 carrying ``text`` (e.g. ``Relay,1#``); the device echoes ``server_flag``.

    Without ``language`` no language word is sent (as traccar does by default); JM-VL03
    documents one, and devices accept both.
    """
    content = server_command_content(text, server_flag, language)
    return wrap_frame(SERVER_COMMAND, content, serial, long=len(content) > MAX_SHORT_CONTENT)


def build_gps(
    *,
    lat: float,
    lon: float,
    time: datetime,
    speed_kmh: float = 0.0,
    course: float = 0.0,
    satellites: int = 9,
    positioned: bool = True,
    acc: bool | None = None,
) -> GpsFix:
    """A GPS block from signed degrees; ``time`` is written as its wall clock (pass UTC
    for the packets defined as UTC). ``acc`` sets the vendor bits 14/15."""
    status = round(course) % 360
    status |= NORTH if lat >= 0 else 0
    status |= WEST if lon < 0 else 0
    status |= POSITIONED if positioned else 0
    if acc is not None:
        status |= 0x4000 | (0x8000 if acc else 0)
    return GpsFix(
        time_raw=encode_binary_time(time),
        info_length=12,
        satellites=min(satellites, 15),
        lat_raw=round(abs(lat) * DEGREE_UNITS),
        lon_raw=round(abs(lon) * DEGREE_UNITS),
        speed_kmh=min(max(round(speed_kmh), 0), 255),
        course_status=status,
    )


def _login(protocol: int, body: Login) -> bytes:
    content = bytes.fromhex(body.terminal_id)
    if body.type_code is not None:
        content += body.type_code.to_bytes(2, "big")
        if body.zone_word is not None:
            content += body.zone_word.to_bytes(2, "big")
    return content + body.trailing


def login_body(imei: str, *, type_code: int | None = None, zone_word: int | None = None) -> Login:
    """The login of a device with a 15-digit ``imei``."""
    terminal_id = imei.rjust(16, "0")
    return Login(terminal_id[1:], terminal_id, type_code, zone_word)


def _location(protocol: int, body: Location) -> bytes:
    four_g = protocol == GPS_LBS_4G
    content = encode_gps(body.gps)
    if body.phone is not None:
        phone = body.phone.encode("ascii")[:PHONE_SIZE].ljust(PHONE_SIZE, b"\x00")
        return content + phone + (body.language or 0).to_bytes(2, "big") + body.trailing
    if body.cell is not None:
        content += encode_cell(body.cell, **_cell_sizes(four_g))
    if body.acc is not None:
        content += bytes((body.acc, body.upload_mode or 0, body.reupload or 0))
        if body.mileage is not None:
            content += body.mileage.to_bytes(4, "big")
    return content + body.trailing


def _cell_sizes(four_g: bool) -> dict[str, int]:
    return {"lac_size": 4, "ci_size": 8} if four_g else {"lac_size": 2, "ci_size": 3}


def _status(protocol: int, body: Status) -> bytes:
    head = (body.terminal_info, body.voltage, body.gsm, body.alarm, body.language)
    return bytes(head) + body.extra


def _alarm(protocol: int, body: Alarm) -> bytes:
    sizes = _cell_sizes(protocol == ALARM_FENCES_4G)
    cell = b"" if body.cell is None else encode_cell(body.cell, **sizes)
    if body.lbs_length is None:
        block = cell
    elif body.lbs_length == 0:
        block = b"\x00" + bytes(len(cell) or (3 + sizes["lac_size"] + sizes["ci_size"]))
    else:
        block = bytes((body.lbs_length,)) + cell.ljust(body.lbs_length - 1, b"\x00")
    status = (body.terminal_info, body.voltage, body.gsm, body.alarm, body.language)
    content = encode_gps(body.gps) + block + bytes(status)
    if body.fence is not None:
        content += bytes((body.fence,))
    if body.mileage is not None:
        content += body.mileage.to_bytes(4, "big")
    return content + body.trailing


def _cell_scan(protocol: int, body: CellScan) -> bytes:
    sizes = _cell_sizes(protocol == LBS_MULTI_4G)
    first = body.cells[0] if body.cells else CellTower(0, 0, 0, 0)
    content = body.time_raw + encode_cell(first, **sizes)[: 3 + first.wide_mnc]
    for cell in body.cells:
        lac_ci = encode_cell(cell, **sizes)[3 + cell.wide_mnc :]
        content += lac_ci + bytes((cell.rssi or 0,))
    if body.timing_advance is not None:
        content += bytes((body.timing_advance,))
        if body.language is not None:
            content += body.language.to_bytes(2, "big")
    return content + body.trailing


def _information(protocol: int, body: Information) -> bytes:
    return bytes((body.info_type,)) + body.data


def _command_reply(protocol: int, body: CommandReply) -> bytes:
    flag = body.server_flag.to_bytes(4, "big")
    if protocol == COMMAND_REPLY_LONG:
        encoding = body.encoding or ENCODING_ASCII
        text = body.text.encode("utf-16-be" if encoding == ENCODING_UTF16 else "ascii")
        return flag + bytes((encoding,)) + text
    raw = body.text.encode("ascii")
    length = len(raw) + 4 if body.length_field is None else body.length_field
    language = b"" if body.language is None else body.language.to_bytes(2, "big")
    return bytes((length,)) + flag + raw + language + body.trailing


def _server_command(protocol: int, body: ServerCommand) -> bytes:
    return server_command_content(body.text, body.server_flag, body.language)


_ENCODERS: Final[dict[type[Any], Callable[[int, Any], bytes]]] = {
    Login: _login,
    Location: _location,
    Status: _status,
    Alarm: _alarm,
    CellScan: _cell_scan,
    Information: _information,
    CommandReply: _command_reply,
    ServerCommand: _server_command,
    TimeReply: lambda protocol, body: body.time_raw,
    Empty: lambda protocol, body: b"",
    RawBody: lambda protocol, body: bytes.fromhex(body.content_hex),
}


def encode_body(protocol: int, body: Body) -> bytes:
    """The content bytes of ``body`` sent as ``protocol`` (inverse of ``parse_content``)."""
    return _ENCODERS[type(body)](protocol, body)


def encode_message(protocol: int, body: Body, serial: int, *, long: bool | None = None) -> bytes:
    """A complete frame; ``long`` defaults to ``7979`` when the content needs it (or the
    packet always uses it)."""
    content = encode_body(protocol, body)
    if long is None:
        long = protocol in LONG_ONLY or len(content) > MAX_SHORT_CONTENT
    return wrap_frame(protocol, content, serial, long=long)
