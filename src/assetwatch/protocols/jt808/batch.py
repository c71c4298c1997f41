"""0x0704 batch location upload (2013+), spec §6.7."""

from __future__ import annotations

import struct
from typing import Final

import msgspec

from assetwatch.errors import ProtocolError
from assetwatch.protocols.jt808.location import LocationReport, parse_location

_BATCH_HEAD = struct.Struct(">HB")
BATCH_NORMAL: Final = 0
BATCH_BACKFILL: Final = 1
"""Blind-area back-fill: positions buffered while the link was down (historical data)."""


class BatchUpload(msgspec.Struct, frozen=True):
    """Decoded 0x0704: declared ``count``, ``batch_type`` (0 normal, 1 back-fill), the items
    and each item's raw 0x0200 body (``raw_items``, used for idempotency keys)."""

    count: int
    batch_type: int
    items: tuple[LocationReport, ...]
    raw_items: tuple[bytes, ...] = ()

    @property
    def backfill(self) -> bool:
        return self.batch_type == BATCH_BACKFILL


def parse_batch(body: bytes, version: str = "2013") -> BatchUpload:
    """Decode a 0x0704 body; each item is ``length WORD + 0x0200 body`` (length honoured)."""
    if len(body) < _BATCH_HEAD.size:
        raise ProtocolError(f"batch body too short: {len(body)} bytes, needs 3")
    count, batch_type = _BATCH_HEAD.unpack_from(body)
    pos = _BATCH_HEAD.size
    raw_items: list[bytes] = []
    for index in range(count):
        if pos + 2 > len(body):
            raise ProtocolError(f"batch truncated: item {index + 1} of {count} is missing")
        length = int.from_bytes(body[pos : pos + 2], "big")
        item = body[pos + 2 : pos + 2 + length]
        if len(item) < length:
            raise ProtocolError(
                f"batch truncated: item {index + 1} declares {length} bytes, has {len(item)}"
            )
        raw_items.append(item)
        pos += 2 + length
    items = tuple(parse_location(raw, version) for raw in raw_items)
    return BatchUpload(count, batch_type, items, tuple(raw_items))
