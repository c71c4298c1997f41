"""What ``decode.py`` measures: per protocol, one real location frame from the wire bytes to
the typed message (frame splitting, un-escaping, checksum or CRC, parsing), the same plus the
Observation mapping, and a floor (fixed-offset ``struct`` reads of the same fields)."""

from __future__ import annotations

import itertools
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from assetwatch.protocols import gt06, jt808

TESTS = Path(__file__).resolve().parent.parent / "tests" / "protocols"
GMT8 = timezone(timedelta(hours=8))
SERVER_MS = 1_780_000_000_000


@dataclass(frozen=True)
class DecodeTarget:
    split: Callable[[], object]  # wire bytes -> frame (delimiters, escaping, CRC for GT06)
    decode: Callable[[], object]  # frame -> typed message (checksum for JT/T 808)
    decode_and_observe: Callable[[], object]  # frame -> Observations
    floor: Callable[[], object]
    target_us: float


def _vector(protocol: str, vector_id: str) -> bytes:
    vectors = json.loads((TESTS / protocol / "vectors.json").read_text())["vectors"]
    return bytes.fromhex(next(v["hex"] for v in vectors if v["id"] == vector_id))


# -- JT/T 808: a real tracker's 0x0200 with mileage, signal, satellites and vendor items -------
_JT808_BASIC = struct.Struct(">IIIIHHH6s")  # alarm, status, lat, lon, alt, speed, course, time


def _jt808(frame: bytes) -> DecodeTarget:
    splitter = jt808.FrameSplitter()
    [content] = splitter.feed(frame)

    def observe() -> object:
        message = jt808.decode_frame(content)
        return jt808.to_observations(message, device_key="k", tz=GMT8, server_time_ms=SERVER_MS)

    def floor() -> object:
        msg_id, props = struct.unpack_from(">HH", frame, 1)
        return msg_id, props, _JT808_BASIC.unpack_from(frame, 13)

    return DecodeTarget(
        lambda: splitter.feed(frame), lambda: jt808.decode_frame(content), observe, floor, 3.0
    )


def _load_client_frames(count: int) -> list[bytes]:
    """What the simulator (and the ingest benchmark) sends: mileage, signal, satellites; one
    report per second of device time."""
    from assetwatch.simulate.jt808_link import encode_location, location_report
    from assetwatch.simulate.load import load_phone, wandering_track
    from assetwatch.simulate.routes import LatLon

    end = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    track = wandering_track(0, count, centre=LatLon(22.55, 114.05), radius_m=5000, end=end)
    return [
        jt808.encode_frame(0x0200, load_phone(0), i, encode_location(location_report(fix)))
        for i, fix in enumerate(track)
    ]


def _jt808_every_second_new(frames: list[bytes]) -> DecodeTarget:
    """Decoding a stream in which no two reports share a second: the time memos never hit."""
    contents = itertools.cycle([jt808.FrameSplitter().feed(frame)[0] for frame in frames])

    def decode() -> object:
        return jt808.decode_frame(next(contents))

    def observe() -> object:
        message = jt808.decode_frame(next(contents))
        return jt808.to_observations(message, device_key="k", tz=GMT8, server_time_ms=SERVER_MS)

    base = _jt808(frames[0])
    return DecodeTarget(base.split, decode, observe, base.floor, 3.0)


# -- GT06: a real tracker's 0x12 GPS + LBS location ----------------------------------------------
_GT06_GPS = struct.Struct(">6sBIIBHHBHI")  # time, sats, lat, lon, speed, course, mcc, mnc...


def _gt06(wire: bytes) -> DecodeTarget:
    splitter = gt06.FrameSplitter()
    [frame] = splitter.feed(wire)

    def observe() -> object:
        message = gt06.decode_frame(frame)
        return gt06.to_observations(message, device_key="k", tz=UTC, server_time_ms=SERVER_MS)

    def floor() -> object:
        return wire[3], _GT06_GPS.unpack_from(wire, 4)

    return DecodeTarget(
        lambda: splitter.feed(wire), lambda: gt06.decode_frame(frame), observe, floor, 2.0
    )


TARGETS: dict[str, DecodeTarget] = {
    "jt808 0x0200, 3 items": _jt808(_load_client_frames(1)[0]),
    "  … no shared seconds": _jt808_every_second_new(_load_client_frames(20_000)),
    "jt808 0x0200, 8 items": _jt808(_vector("jt808", "JT-TRC-L126")),
    "gt06 0x12 GPS+LBS": _gt06(_vector("gt06", "GT06-065")),
    "gt06 0x22 GPS+LBS": _gt06(_vector("gt06", "GT06-089")),
}
