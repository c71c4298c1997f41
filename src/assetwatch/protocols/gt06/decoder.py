"""Decode GT06 frames (or hex text) into typed messages.

Errors: content too short for its layout and other undecodable input raise
:class:`~assetwatch.errors.ProtocolError` with the reason; exceptions from a parser are
converted here, in one place. A bad CRC does not raise: it is reported as
``Message.checksum_ok = False`` so the caller decides.
"""

from __future__ import annotations

from typing import Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.gt06.frame import Frame, FrameSplitter
from assetwatch.protocols.gt06.messages import PARSERS, Body
from assetwatch.protocols.gt06.session import Empty, RawBody

_EMPTY: Final = Empty()


class Message(msgspec.Struct, frozen=True):
    """A decoded frame: its fields and the typed body."""

    frame: Frame
    body: Body

    @property
    def protocol(self) -> int:
        return self.frame.protocol

    @property
    def serial(self) -> int:
        return self.frame.serial

    @property
    def checksum_ok(self) -> bool:
        return self.frame.crc_ok


def decode_frame(frame: Frame) -> Message:
    """Decode ``frame`` as returned by :class:`~.frame.FrameSplitter`."""
    return Message(frame, parse_content(frame.protocol, frame.content))


def parse_content(protocol: int, content: bytes) -> Body:
    """The typed body of ``content`` for ``protocol`` (see :data:`~.messages.PARSERS`)."""
    if not content:
        return _EMPTY
    parser = PARSERS.get(protocol)
    if parser is None:
        return RawBody(content.hex(), "protocol number not decoded by this codec")
    try:
        return parser(protocol, content)
    except ProtocolError as err:
        raise ProtocolError(f"protocol 0x{protocol:02X}: {err}") from None
    except (IndexError, KeyError, ValueError, UnicodeDecodeError) as err:
        raise ProtocolError(f"protocol 0x{protocol:02X}: undecodable content: {err}") from err


def bytes_from_hex(text: str) -> bytes:
    """Bytes of hex ``text``; whitespace and a ``0x`` prefix are tolerated."""
    cleaned = "".join(text.split())
    if cleaned[:2] in ("0x", "0X"):
        cleaned = cleaned[2:]
    try:
        return bytes.fromhex(cleaned)
    except ValueError as err:
        raise ProtocolError(f"invalid hex: {err}") from None


def frames_from_hex(text: str) -> list[Frame]:
    """Every frame in hex ``text`` (one or more, back to back).

    Raises :class:`ProtocolError` for text that is not hex, holds no frame, or holds bytes
    that are not part of a complete frame (junk, a truncated frame).
    """
    data = bytes_from_hex(text)
    splitter = FrameSplitter(max_frame=max(4096, len(data)))
    frames = splitter.feed(data)
    if splitter.pending or splitter.junk_bytes:
        left = splitter.pending + splitter.junk_bytes
        what = "an incomplete frame" if frames or splitter.pending else "no complete frame"
        raise ProtocolError(f"{left} of {len(data)} bytes are {what}: not a GT06 frame")
    if not frames:
        raise ProtocolError("no frame in input")
    return frames


def decode_hex(hex_frame: str) -> Message:
    """Decode one complete frame given as hex (see :func:`frames_from_hex`)."""
    frames = frames_from_hex(hex_frame)
    if len(frames) > 1:
        raise ProtocolError(f"input holds {len(frames)} frames, expected one")
    return decode_frame(frames[0])
