"""GT06 fuzz target for ``fuzz_codecs.py``: the vector frames as seeds, a frame-aware mutator
(lying length fields, junk prefixes, concatenations), the whole pure decode path, and a repair
that makes the length field and CRC right again so that mutations reach the parsers."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

from assetwatch.errors import ProtocolError
from assetwatch.protocols import gt06

VECTORS = Path(__file__).parents[1] / "tests" / "protocols" / "gt06" / "vectors.json"


def mutate(rng: random.Random, frame: bytes, others: list[bytes]) -> bytes:
    """One random mutation of a whole frame (framing included)."""
    data = bytearray(frame)
    how = rng.randrange(7)
    at = rng.randrange(len(data))
    if how == 0:
        data[at] ^= 1 << rng.randrange(8)
    elif how == 1:
        data.insert(at, rng.randrange(256))
    elif how == 2:
        del data[at]
    elif how == 3:
        del data[at:]
    elif how == 4:  # a lying length field
        data[2] = rng.choice([0, 1, 5, rng.randrange(256)])
    elif how == 5:
        data[:0] = rng.randbytes(rng.randrange(1, 8))
    else:
        data += rng.choice(others)[: rng.randrange(1, 40)]
    return bytes(data)


def gt06_seeds() -> list[bytes]:
    """The 76 vector frames and the quirk frame (fuzz seeds)."""
    document = json.loads(VECTORS.read_text())
    return [bytes.fromhex(v["hex"]) for v in document["vectors"] + document["quirk_frames"]]


def gt06_run(data: bytes, rng: random.Random | None = None) -> int:
    """Split ``data`` (in random chunks when ``rng`` is given), decode, map and render every
    frame; returns how many decoded. Only ``ProtocolError`` may be raised by the codec."""
    splitter = gt06.FrameSplitter()
    size = len(data) if rng is None else max(1, rng.randrange(1, 64))
    decoded = 0
    for at in range(0, max(len(data), 1), size):
        for frame in splitter.feed(data[at : at + size]):
            try:
                message = gt06.decode_frame(frame)
            except ProtocolError:
                continue
            gt06.to_observations(message, device_key="k", tz=UTC, server_time_ms=1_800_000_000_000)
            json.dumps(gt06.message_to_json(message, tz=UTC))
            decoded += 1
    return decoded


def gt06_repair(data: bytes) -> bytes:
    """A mutated frame with its length field and CRC made right again, so mutations reach
    the parsers (inputs that are not a frame are returned unchanged)."""
    if len(data) < 10 or data[:2] not in (b"\x78\x78", b"\x79\x79") or data[-2:] != b"\r\n":
        return data
    head = 4 if data[0] == 0x79 else 3
    content = data[head + 1 : -6]
    if head == 3 and len(content) > 250:
        return data
    return gt06.wrap_frame(data[head], content, data[-6] << 8 | data[-5], long=head == 4)


def gt06_target(target: Callable[..., Any]) -> dict[str, Any]:
    """The GT06 target, built with ``fuzz_targets.FuzzTarget``."""
    return {"gt06": target("gt06", gt06_seeds(), gt06_run, gt06_repair, mutate=mutate)}
