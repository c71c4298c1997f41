"""What ``decode.py`` measures: per protocol, one real location frame, the decode path and a
floor (fixed-offset ``struct`` reads of the same fields, no validation)."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path

from assetwatch.protocols import jt808

TESTS = Path(__file__).resolve().parent.parent / "tests" / "protocols"
GMT8 = timezone(timedelta(hours=8))
SERVER_MS = 1_780_000_000_000


@dataclass(frozen=True)
class DecodeTarget:
    decode: Callable[[], object]
    decode_and_observe: Callable[[], object]
    floor: Callable[[], object]
    target_us: float


def _vector(protocol: str, vector_id: str) -> bytes:
    vectors = json.loads((TESTS / protocol / "vectors.json").read_text())["vectors"]
    return bytes.fromhex(next(v["hex"] for v in vectors if v["id"] == vector_id))


# -- JT/T 808: a real tracker's 0x0200 with mileage, signal, satellites and vendor items -------
JT808_FRAME = _vector("jt808", "JT-TRC-L126")
JT808_CONTENT = jt808.unescape(JT808_FRAME[1:-1])
_JT808_BASIC = struct.Struct(">IIIIHHH6s")  # alarm, status, lat, lon, alt, speed, course, time


def _jt808_decode() -> object:
    return jt808.decode_frame(JT808_CONTENT)


def _jt808_observe() -> object:
    message = jt808.decode_frame(JT808_CONTENT)
    return jt808.to_observations(message, device_key="k", tz=GMT8, server_time_ms=SERVER_MS)


def _jt808_floor() -> object:
    msg_id, props = struct.unpack_from(">HH", JT808_CONTENT)
    return msg_id, props, _JT808_BASIC.unpack_from(JT808_CONTENT, 12)


TARGETS: dict[str, DecodeTarget] = {
    "jt808 0x0200 (97 B)": DecodeTarget(_jt808_decode, _jt808_observe, _jt808_floor, 3.0),
}
