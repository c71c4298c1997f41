"""0x0100 registration, 0x8100 registration reply and 0x0102 authentication (spec §5.2–5.4)."""

from __future__ import annotations

import struct
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808.wire import decode_text

_REGION = struct.Struct(">HH")
_REPLY = struct.Struct(">HB")

REGISTRATION_WIDTHS: Final = {"2011": (5, 8, 7), "2013": (5, 20, 7), "2019": (11, 30, 30)}
"""Fixed widths of (maker id, terminal model, terminal id) per layout."""

IMEI_LEN: Final = 15
SOFTWARE_VERSION_LEN: Final = 20

REGISTRATION_OK: Final = 0
"""0x8100 result: 0 ok, 1 vehicle registered, 2 no such vehicle, 3 terminal registered,
4 no such terminal."""


class Registration(msgspec.Struct, frozen=True, kw_only=True):
    """0x0100 terminal registration. Strings have NUL/space padding stripped on both ends.

    ``layout`` is "2011", "2013" or "2019"; ``plate`` holds the VIN when ``plate_color`` is
    0 (2013+). ``province_id``/``city_id`` are GB/T 2260 codes (0 = platform default).
    """

    layout: str
    province_id: int
    city_id: int
    maker_id: str
    model: str
    terminal_id: str
    plate_color: int
    plate: str


class RegistrationReply(msgspec.Struct, frozen=True):
    """0x8100: ``auth_code`` is present only when ``result`` is 0."""

    reply_serial: int
    result: int
    auth_code: str = ""


class Authentication(msgspec.Struct, frozen=True):
    """0x0102. 2011/2013 carry only the code; 2019 adds IMEI and software version."""

    auth_code: str
    imei: str = ""
    software_version: str = ""


def parse_registration(body: bytes, version: str) -> Registration:
    """Decode 0x0100 with the layout of ``version`` (the header picks 2011 by body length)."""
    maker_len, model_len, id_len = REGISTRATION_WIDTHS[version]
    fixed = 4 + maker_len + model_len + id_len + 1
    if len(body) < fixed:
        raise ProtocolError(
            f"registration body too short for the {version} layout: "
            f"{len(body)} bytes, needs {fixed}"
        )
    province_id, city_id = _REGION.unpack_from(body)
    model_at = 4 + maker_len
    id_at = model_at + model_len
    return Registration(
        layout=version,
        province_id=province_id,
        city_id=city_id,
        maker_id=decode_text(body[4:model_at]),
        model=decode_text(body[model_at:id_at]),
        terminal_id=decode_text(body[id_at : fixed - 1]),
        plate_color=body[fixed - 1],
        plate=decode_text(body[fixed:]),
    )


def parse_registration_reply(body: bytes, version: str = "2013") -> RegistrationReply:
    """Decode 0x8100: reply serial WORD, result BYTE, auth code (rest, if result is 0)."""
    if len(body) < _REPLY.size:
        raise ProtocolError(f"registration reply too short: {len(body)} bytes, needs 3")
    reply_serial, result = _REPLY.unpack_from(body)
    code = decode_text(body[3:]) if result == REGISTRATION_OK else ""
    return RegistrationReply(reply_serial, result, code)


def parse_authentication(body: bytes, version: str) -> Authentication:
    """Decode 0x0102.

    2019: code length BYTE, code, IMEI BYTE[15], software version BYTE[20]. A 2019 body too
    short for that layout is read as a 2013 body (the whole body is the code).
    """
    if version == "2019" and body:
        code_end = 1 + body[0]
        if len(body) >= code_end + IMEI_LEN + SOFTWARE_VERSION_LEN:
            imei_end = code_end + IMEI_LEN
            return Authentication(
                decode_text(body[1:code_end]),
                decode_text(body[code_end:imei_end]),
                decode_text(body[imei_end : imei_end + SOFTWARE_VERSION_LEN]),
            )
    return Authentication(decode_text(body))
