"""JT/T 808 message header: 2011/2013 (12 bytes) and 2019 (17 bytes) layouts (spec §2).

Body properties (WORD): bits 0–9 body length, 10–12 encryption, 13 sub-packet, 14 the 2019
version flag. Bit 14 is not trusted blindly: some devices set it and still send the 2013
layout, so the layout whose length matches the frame wins (``version_flag_mismatch``).
"""

from __future__ import annotations

import struct
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError

VERSIONS: Final = ("2011", "2013", "2019")

_H2013 = struct.Struct(">HH6sH")
_H2019 = struct.Struct(">HHB10sH")
_PACKET = struct.Struct(">HH")

BODY_LEN_MASK: Final = 0x03FF
ENCRYPTION_MASK: Final = 0x1C00
SUBPACKET_FLAG: Final = 0x2000
VERSION_FLAG: Final = 0x4000
MAX_BODY_LEN: Final = BODY_LEN_MASK
_HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")

REGISTRATION_ID: Final = 0x0100
MIN_2013_REGISTRATION: Final = 37
"""A 0x0100 body shorter than this can only be the 2011 layout (25 + plate bytes)."""


class Header(msgspec.Struct, frozen=True, gc=False):
    """A decoded message header.

    ``phone`` is the terminal phone/id as on the wire: 12 BCD digits (2011/2013) or 20
    (2019), lower-case hex when a device puts non-decimal nibbles in it. ``version`` is
    "2019" for the 2019 layout; otherwise "2013", or "2011" when a 0x0100 body is too short
    for 2013 (or the caller said so). ``packet_total``/``packet_index`` are set for
    sub-packets (index from 1). ``version_flag_mismatch`` marks bit 14 set on a 2013 layout.
    """

    msg_id: int
    props: int
    version: str
    phone: str
    serial: int
    protocol_version: int | None
    packet_total: int | None
    packet_index: int | None
    body_len: int
    encrypted: bool
    version_flag_mismatch: bool = False

    @property
    def header_len(self) -> int:
        """Header length in bytes, including the sub-packet fields."""
        base = 17 if self.version == "2019" else 12
        return base + 4 if self.packet_total is not None else base


def _is_2019_layout(props: int, frame_len: int) -> tuple[bool, bool]:
    """(use 2019 layout, flag mismatch) for a frame of ``frame_len`` bytes incl. checksum."""
    if not props & VERSION_FLAG:
        return False, False
    packet = 4 if props & SUBPACKET_FLAG else 0
    body_len = props & BODY_LEN_MASK
    if 17 + packet + body_len + 1 == frame_len:
        return True, False
    if 12 + packet + body_len + 1 == frame_len:
        return False, True
    return True, False


def decode_header(content: bytes, assume_version: str | None = None) -> Header:
    """Decode the header of un-escaped ``content`` (header + body + checksum).

    ``assume_version`` ("2011" or "2013") overrides the 2011/2013 guess for devices known
    to speak one of them; the 2019 layout is always detected from the frame itself.
    Raises :class:`ProtocolError` when the header or the declared body is truncated.
    """
    return split_header(content, assume_version)[0]


def split_header(content: bytes, assume_version: str | None = None) -> tuple[Header, int]:
    """Like :func:`decode_header`, also returning the body offset (the header length)."""
    size = len(content)
    if size < 13:
        raise ProtocolError(f"frame too short: {size} bytes (a header needs 12 + 1 checksum)")
    msg_id, props, phone_raw, serial = _H2013.unpack_from(content)
    if not props & (VERSION_FLAG | SUBPACKET_FLAG):  # the common case, without detours
        body_len = props & BODY_LEN_MASK
        if size - 13 < body_len:
            raise _truncated_body(msg_id, body_len, size - 13)
        version = assume_version or _guess_2011_2013(msg_id, props)
        header = Header(
            msg_id, props, version, phone_raw.hex(), serial, None, None, None, body_len,
            bool(props & ENCRYPTION_MASK),
        )  # fmt: skip
        return header, 12
    is_2019, mismatch = _is_2019_layout(props, size)
    if is_2019:
        if size < 18:
            raise ProtocolError(f"truncated 2019 header: {size} bytes (needs 17 + 1 checksum)")
        _, _, protocol_version, phone_raw, serial = _H2019.unpack_from(content)
        offset = 17
        version = "2019"
    else:
        protocol_version = None
        offset = 12
        version = assume_version or _guess_2011_2013(msg_id, props)
    total = index = None
    if props & SUBPACKET_FLAG:
        if size < offset + 5:
            raise ProtocolError(f"truncated header: sub-packet fields missing ({size} bytes)")
        total, index = _PACKET.unpack_from(content, offset)
        offset += 4
    body_len = props & BODY_LEN_MASK
    available = size - offset - 1
    if available < body_len:
        raise _truncated_body(msg_id, body_len, available)
    header = Header(
        msg_id, props, version, phone_raw.hex(), serial, protocol_version, total, index,
        body_len, bool(props & ENCRYPTION_MASK), mismatch,
    )  # fmt: skip
    return header, offset


def _truncated_body(msg_id: int, body_len: int, available: int) -> ProtocolError:
    return ProtocolError(
        f"truncated body: message 0x{msg_id:04X} declares {body_len} bytes, frame holds {available}"
    )


def _guess_2011_2013(msg_id: int, props: int) -> str:
    if msg_id == REGISTRATION_ID and (props & BODY_LEN_MASK) < MIN_2013_REGISTRATION:
        return "2011"
    return "2013"


def encode_header(
    msg_id: int,
    phone: str,
    serial: int,
    body_len: int,
    *,
    version: str = "2013",
    protocol_version: int = 1,
    packet: tuple[int, int] | None = None,
) -> bytes:
    """Build a header. ``phone`` is left-padded with zeros to 12 (or 20 for 2019) digits.

    ``packet`` is ``(total, index)`` for a sub-packet (index from 1). Raises ``ValueError``
    for a body longer than 1023 bytes, a phone that does not fit, or an unknown version.
    """
    if version not in VERSIONS:
        raise ValueError(f"unknown JT/T 808 version {version!r}")
    if not 0 <= body_len <= MAX_BODY_LEN:
        raise ValueError(f"body of {body_len} bytes needs sub-packets (max {MAX_BODY_LEN})")
    props = body_len
    if packet is not None:
        props |= SUBPACKET_FLAG
    if version == "2019":
        props |= VERSION_FLAG
        head = _H2019.pack(msg_id, props, protocol_version, _phone_bcd(phone, 10), serial)
    else:
        head = _H2013.pack(msg_id, props, _phone_bcd(phone, 6), serial)
    if packet is not None:
        head += _PACKET.pack(*packet)
    return head


def _phone_bcd(phone: str, width: int) -> bytes:
    if len(phone) > width * 2:
        raise ValueError(f"phone {phone!r} has more than {width * 2} digits")
    if not _HEX_DIGITS.issuperset(phone):
        raise ValueError(f"phone {phone!r} is not a digit string")
    return bytes.fromhex(phone.rjust(width * 2, "0"))
