"""Decode un-escaped JT/T 808 frame content (or hex text) into typed messages.

Errors: truncated headers/bodies and undecodable input raise
:class:`~assetwatch.errors.ProtocolError` with the reason; library exceptions from a body
parser are converted here, in one place. A bad checksum does not raise: it is reported as
``Message.checksum_ok = False`` so the caller decides.
"""

from __future__ import annotations

import struct
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808.frame import unescape, xor_checksum
from assetwatch.protocols.jt808.header import Header, split_header
from assetwatch.protocols.jt808.location import parse_location
from assetwatch.protocols.jt808.messages import LOCATION, PARSERS, Body
from assetwatch.protocols.jt808.responses import RawBody

ASSUMABLE_VERSIONS: Final = (None, "2011", "2013")


class Message(msgspec.Struct, frozen=True, gc=False):
    """A decoded frame: header, typed body, checksum verdict and the un-escaped body bytes."""

    header: Header
    body: Body
    checksum_ok: bool
    raw_body: bytes = b""


def decode_frame(content: bytes, *, assume_version: str | None = None) -> Message:
    """Decode ``content`` as returned by :class:`~.frame.FrameSplitter` (header + body +
    checksum, un-escaped, no delimiters).

    ``assume_version`` ("2011"/"2013") is a per-device override for the 2011/2013 choice;
    2019 headers are always recognised. Encrypted bodies, sub-packet pieces and message ids
    without a parser decode to :class:`RawBody`.
    """
    if assume_version not in ASSUMABLE_VERSIONS:
        raise ValueError(f"assume_version must be '2011', '2013' or None, not {assume_version!r}")
    header, offset = split_header(content, assume_version)
    raw_body = content[offset : offset + header.body_len]
    if header.msg_id == LOCATION and header.packet_total is None and not header.encrypted:
        body: Body = parse_location(raw_body)  # most traffic: skip the dispatch (0.15 µs)
    else:
        body = parse_body(header, raw_body)
    return Message(header, body, xor_checksum(content) == 0, raw_body)


def parse_body(header: Header, raw_body: bytes) -> Body:
    """The typed body of ``raw_body`` under ``header`` (also used for reassembled bodies).

    Raises :class:`ProtocolError` when the parser of ``header.msg_id`` cannot decode it.
    """
    if header.encrypted:
        return RawBody(raw_body.hex(), "encrypted body")
    if header.packet_total is not None and header.packet_total > 1:
        reason = f"sub-packet {header.packet_index} of {header.packet_total}"
        return RawBody(raw_body.hex(), reason)
    parser = PARSERS.get(header.msg_id)
    if parser is None:
        return RawBody(raw_body.hex(), "message id not decoded by this codec")
    try:
        return parser(raw_body, header.version)
    except ProtocolError:
        raise
    except (struct.error, IndexError, KeyError, ValueError) as err:
        raise ProtocolError(f"message 0x{header.msg_id:04X}: undecodable body: {err}") from err


def frames_from_hex(text: str) -> list[bytes]:
    """Un-escaped content of every frame in hex ``text``.

    Whitespace, a ``0x`` prefix and missing 0x7E delimiters are tolerated; several frames
    in one text are split on their delimiters. Raises :class:`ProtocolError` for text that
    is not hex or holds no frame.
    """
    cleaned = "".join(text.split())
    if cleaned[:2] in ("0x", "0X"):
        cleaned = cleaned[2:]
    try:
        data = bytes.fromhex(cleaned)
    except ValueError as err:
        raise ProtocolError(f"invalid hex: {err}") from None
    frames = [unescape(piece) for piece in data.split(b"\x7e") if piece]
    if not frames:
        raise ProtocolError("no frame in input")
    return frames


def decode_hex(hex_frame: str, *, assume_version: str | None = None) -> Message:
    """Decode one complete escaped frame given as hex (see :func:`frames_from_hex`)."""
    frames = frames_from_hex(hex_frame)
    if len(frames) > 1:
        raise ProtocolError(f"input holds {len(frames)} frames, expected one")
    return decode_frame(frames[0], assume_version=assume_version)
