"""0x8003 re-send sub-packets request (2013+; the 2019 0x0005 terminal request is alike).

Body: serial of the first piece WORD, count BYTE n, packet ids WORD x n (1-based indices).
The 2013 table prints the offsets 0/4/5; the real offsets are 0/2/3 (spec §3).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

import msgspec

from assetwatch.errors import ProtocolError

_HEAD = struct.Struct(">HB")
_WORD = struct.Struct(">H")


class ResendRequest(msgspec.Struct, frozen=True):
    """Pieces ``packet_ids`` (indices from 1) of the message whose first piece had
    ``first_serial``."""

    first_serial: int
    packet_ids: tuple[int, ...]

    @property
    def serials(self) -> tuple[int, ...]:
        """Serial of each requested piece (pieces of one message use consecutive serials)."""
        return tuple((self.first_serial + index - 1) & 0xFFFF for index in self.packet_ids)


def parse_resend_request(body: bytes, version: str = "2013") -> ResendRequest:
    if len(body) < _HEAD.size:
        raise ProtocolError(f"0x8003 body too short: {len(body)} bytes, needs 3")
    first_serial, count = _HEAD.unpack_from(body)
    if len(body) < _HEAD.size + 2 * count:
        raise ProtocolError(f"0x8003 lists {count} packets, body holds {len(body) - 3} bytes")
    ids = tuple(_WORD.unpack_from(body, _HEAD.size + 2 * i)[0] for i in range(count))
    return ResendRequest(first_serial, ids)


def encode_resend_request(first_serial: int, packet_ids: Iterable[int]) -> bytes:
    """0x8003 body. Raises ``ValueError`` for more than 255 ids or values out of range."""
    ids = tuple(packet_ids)
    if len(ids) > 0xFF:
        raise ValueError(f"{len(ids)} packet ids exceed the count byte (255)")
    try:
        return _HEAD.pack(first_serial, len(ids)) + b"".join(_WORD.pack(i) for i in ids)
    except struct.error as err:
        raise ValueError(f"0x8003 field out of range: {err}") from err
