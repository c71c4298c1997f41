"""0x8300 text message, 0x0900/0x8900 transparent data, 0x0701 e-waybill (spec §8).

Vendors use these to carry commands and their answers: a 0x8300 text such as "RELAY,1#"
may be answered by a 0x0900 or 0x0701 holding "…OK" (traccar's ``result``).
"""

from __future__ import annotations

import struct
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808.wire import encode_text

_DWORD = struct.Struct(">I")

TEXT_FLAGS: Final = {
    "2013": {0: "emergency", 2: "display", 3: "tts", 4: "advertising_screen", 5: "can_fault_info"},
    "2019": {2: "display", 3: "tts", 5: "can_fault_info"},
}
"""0x8300 flag bits per layout (2011 = 2013). 2019 bits 0-1 are the kind (TEXT_KINDS_2019)."""
TEXT_KINDS_2019: Final = {1: "service", 2: "emergency", 3: "notice"}
TEXT_TYPES_2019: Final = {1: "notice", 2: "service"}
"""The 2019 text-type BYTE after the flag."""
TEXT_DISPLAY_TTS: Final = 0x0C
"""Flag bits 2 (show on the display) and 3 (read out by TTS)."""

TRANSPARENT_TYPES: Final = {
    0x00: "gnss_detail",
    0x0B: "ic_card",
    0x41: "serial_port_1",
    0x42: "serial_port_2",
}
"""0x0900/0x8900 standard types; 0xF0-0xFF are user-defined (vendors use others too)."""
GNSS_DETAIL: Final = 0x00
_PRINTABLE: Final = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D}


class TextMessage(msgspec.Struct, frozen=True):
    """0x8300. ``text_type`` (1 notice, 2 service) exists only in the 2019 layout."""

    flag: int
    text: str
    text_type: int | None = None

    def flag_names(self) -> tuple[str, ...]:
        layout = "2019" if self.text_type is not None else "2013"
        names = tuple(n for bit, n in TEXT_FLAGS[layout].items() if self.flag >> bit & 1)
        if layout == "2019" and self.flag & 0b11:
            return (TEXT_KINDS_2019[self.flag & 0b11], *names)
        return names


def parse_text_message(body: bytes, version: str = "2013") -> TextMessage:
    """Decode 0x8300: flag BYTE (+ text type BYTE in 2019) + GBK text to the end."""
    head = 2 if version == "2019" else 1
    if len(body) < head:
        raise ProtocolError(f"text message body too short: {len(body)} bytes")
    text = body[head:].decode("gbk", errors="replace")
    return TextMessage(body[0], text, body[1] if version == "2019" else None)


def encode_text_message(message: TextMessage) -> bytes:
    """0x8300 body; the 2019 layout is written when ``text_type`` is set."""
    head = [message.flag] if message.text_type is None else [message.flag, message.text_type]
    if not all(0 <= value <= 0xFF for value in head):
        raise ValueError(f"text flag/type {head} do not fit a BYTE")
    return bytes(head) + encode_text(message.text)


class TransparentData(msgspec.Struct, frozen=True):
    """0x0900 (uplink) or 0x8900 (downlink) pass-through: type BYTE + content."""

    data_type: int
    content: bytes

    @property
    def type_name(self) -> str:
        if self.data_type in TRANSPARENT_TYPES:
            return TRANSPARENT_TYPES[self.data_type]
        return "user_defined" if self.data_type >= 0xF0 else "vendor"

    @property
    def text(self) -> str | None:
        """The content as text when it is printable ASCII (NMEA, vendor answers), else None."""
        if self.content and _PRINTABLE.issuperset(self.content):
            return self.content.decode("ascii")
        return None

    def nmea_sentences(self) -> list[str]:
        """NMEA sentences (``$…``) of a GNSS-detail (type 0x00) text content."""
        text = self.text if self.data_type == GNSS_DETAIL else None
        if text is None:
            return []
        return [line.strip() for line in text.splitlines() if line.strip().startswith("$")]


def parse_transparent(body: bytes, version: str = "2013") -> TransparentData:
    """Decode 0x0900/0x8900: type BYTE + content (kept as bytes)."""
    if not body:
        raise ProtocolError("transparent data body is empty")
    return TransparentData(body[0], body[1:])


def encode_transparent(data_type: int, content: bytes) -> bytes:
    """0x0900/0x8900 body."""
    if not 0 <= data_type <= 0xFF:
        raise ValueError(f"transparent type {data_type} does not fit a BYTE")
    return bytes((data_type,)) + content


class ElectronicWaybill(msgspec.Struct, frozen=True):
    """0x0701 e-waybill: length DWORD + content. Vendors answer text commands with it."""

    length: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("gbk", errors="replace")


def parse_waybill(body: bytes, version: str = "2013") -> ElectronicWaybill:
    """Decode 0x0701; the content is what follows the length (as much as there is)."""
    if len(body) < _DWORD.size:
        raise ProtocolError(f"0x0701 body too short: {len(body)} bytes, needs 4")
    (length,) = _DWORD.unpack_from(body)
    return ElectronicWaybill(length, body[4:])


def encode_waybill(content: bytes, length: int | None = None) -> bytes:
    """0x0701 body; ``length`` defaults to the content length."""
    return _DWORD.pack(len(content) if length is None else length) + content
