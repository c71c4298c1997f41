"""What ``fuzz_codecs.py`` fuzzes: per codec, real seed frames, the full pure decode path and
a checksum repair so that half the mutants reach the body parsers."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path

from assetwatch.protocols import jt808
from fuzz_gt06_targets import gt06_target
from fuzz_ingest_targets import ingest_targets

TESTS = Path(__file__).resolve().parent.parent / "tests" / "protocols"
GMT8 = timezone(timedelta(hours=8))
SERVER_MS = 1_780_000_000_000


@dataclass(frozen=True)
class FuzzTarget:
    name: str
    seeds: list[bytes]
    run: Callable[[bytes, random.Random], int]  # messages decoded; ProtocolError on garbage
    repair: Callable[[bytes], bytes] | None = None
    mutate: Callable[[random.Random, bytes, list[bytes]], bytes] | None = None  # text formats


def _chunks(data: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(1, len(data)), min(3, len(data) - 1))) if len(data) > 1 else []
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:], strict=False)]


# -- JT/T 808 ----------------------------------------------------------------------------------
def _jt808_seeds() -> list[bytes]:
    vectors = json.loads((TESTS / "jt808" / "vectors.json").read_text())["vectors"]
    return [bytes.fromhex(v["hex"]) for v in vectors if v.get("hex", "").lower().startswith("7e")]


def _jt808_run(data: bytes, rng: random.Random) -> int:
    splitter, decoded = jt808.FrameSplitter(), 0
    for chunk in _chunks(data, rng):
        for content in splitter.feed(chunk):
            message = jt808.decode_frame(content)
            jt808.to_observations(message, device_key="x", tz=GMT8, server_time_ms=SERVER_MS)
            jt808.message_to_json(message, tz=GMT8)
            decoded += 1
    return decoded


def _jt808_repair(data: bytes) -> bytes:
    """Re-frame the content between the first two delimiters with the body length its header
    should say and a correct checksum."""
    pieces = [p for p in data.split(b"\x7e") if p]
    if not pieces:
        return data
    content = bytearray(jt808.unescape(pieces[0])[:-1] or b"\x00")
    if len(content) >= 4:
        props = int.from_bytes(content[2:4], "big")
        header_len = (17 if props & 0x4000 else 12) + (4 if props & 0x2000 else 0)
        body_len = max(0, min(0x3FF, len(content) - header_len))
        content[2:4] = ((props & ~0x3FF) | body_len).to_bytes(2, "big")
    checksum = 0
    for byte in content:
        checksum ^= byte
    return jt808.wrap_frame(bytes(content) + bytes([checksum]))


TARGETS: dict[str, FuzzTarget] = {
    "jt808": FuzzTarget("jt808", _jt808_seeds(), _jt808_run, _jt808_repair),
    **gt06_target(FuzzTarget),
    **ingest_targets(FuzzTarget),
}
