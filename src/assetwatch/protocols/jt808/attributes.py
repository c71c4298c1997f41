"""0x8107 query terminal attributes and its 0x0107 reply (spec §5.7).

0x0107: terminal type WORD, maker id, model, terminal id (fixed widths per layout, padded),
ICCID BCD[10], hardware version (length BYTE + STRING), firmware version (length BYTE +
STRING), GNSS module properties BYTE, communication module properties BYTE.
"""

from __future__ import annotations

import struct
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808.wire import decode_text, encode_text

_WORD = struct.Struct(">H")
ATTRIBUTE_WIDTHS: Final = {"2011": (5, 20, 7), "2013": (5, 20, 7), "2019": (11, 30, 30)}
"""Fixed widths of (maker id, model, terminal id) per layout (0x0107 is 2013+; 2011 reads
as 2013)."""
ICCID_LEN: Final = 10


class QueryAttributes(msgspec.Struct, frozen=True):
    """0x8107 query terminal attributes (empty body)."""


class TerminalAttributes(msgspec.Struct, frozen=True, kw_only=True):
    """0x0107. Strings have NUL/space padding stripped; ``iccid`` is the BCD digits."""

    terminal_type: int
    maker_id: str
    model: str
    terminal_id: str
    iccid: str
    hardware_version: str
    firmware_version: str
    gnss_properties: int
    comm_properties: int


def parse_query_attributes(body: bytes, version: str = "2013") -> QueryAttributes:
    return QueryAttributes()


def parse_terminal_attributes(body: bytes, version: str = "2013") -> TerminalAttributes:
    """Decode 0x0107 in the layout of ``version``."""
    maker_len, model_len, id_len = ATTRIBUTE_WIDTHS[version]
    pos = 2 + maker_len + model_len + id_len
    fixed = pos + ICCID_LEN
    if len(body) < fixed + 4:
        raise ProtocolError(f"0x0107 body too short for the {version} layout: {len(body)}")
    model_at = 2 + maker_len
    iccid = body[pos:fixed].hex()
    hardware, pos = _short_string(body, fixed)
    firmware, pos = _short_string(body, pos)
    if len(body) < pos + 2:
        raise ProtocolError("0x0107 body ends before the GNSS/communication properties")
    return TerminalAttributes(
        terminal_type=_WORD.unpack_from(body)[0],
        maker_id=decode_text(body[2:model_at]),
        model=decode_text(body[model_at : model_at + model_len]),
        terminal_id=decode_text(body[model_at + model_len : fixed - ICCID_LEN]),
        iccid=iccid,
        hardware_version=hardware,
        firmware_version=firmware,
        gnss_properties=body[pos],
        comm_properties=body[pos + 1],
    )


def _short_string(body: bytes, pos: int) -> tuple[str, int]:
    if pos >= len(body):
        raise ProtocolError("0x0107 body ends inside a version string")
    end = pos + 1 + body[pos]
    if end > len(body):
        raise ProtocolError(f"0x0107 version string declares {body[pos]} bytes, body ends")
    return decode_text(body[pos + 1 : end]), end


def encode_terminal_attributes(attributes: TerminalAttributes, version: str = "2013") -> bytes:
    """0x0107 body in the layout of ``version``; fixed-width strings right-padded with NUL."""
    maker_len, model_len, id_len = ATTRIBUTE_WIDTHS[version]
    hardware = encode_text(attributes.hardware_version, field="hardware_version")
    firmware = encode_text(attributes.firmware_version, field="firmware_version")
    if len(hardware) > 0xFF or len(firmware) > 0xFF:
        raise ValueError("a version string longer than 255 bytes does not fit its length byte")
    iccid = bytes.fromhex(attributes.iccid.rjust(ICCID_LEN * 2, "0"))
    if len(iccid) != ICCID_LEN:
        raise ValueError(f"ICCID {attributes.iccid!r} has more than 20 digits")
    return b"".join(
        (
            _WORD.pack(attributes.terminal_type),
            encode_text(attributes.maker_id, maker_len, field="maker_id"),
            encode_text(attributes.model, model_len, field="model"),
            encode_text(attributes.terminal_id, id_len, field="terminal_id"),
            iccid,
            bytes((len(hardware),)) + hardware,
            bytes((len(firmware),)) + firmware,
            bytes((attributes.gnss_properties, attributes.comm_properties)),
        )
    )
