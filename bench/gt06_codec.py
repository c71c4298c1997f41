"""GT06 codec: cost per location frame, and a fuzz run over mutated real frames.

Cost: ``FrameSplitter.feed`` on 32-frame chunks, ``decode_frame``, ``to_observations`` and
the acknowledgement encoder, on 0x22 locations of a wandering fleet, next to the JT/T 808
codec on the same fixes in the same run (the ratio is what to compare across machines).

Fuzz: every vector frame and the generated frames, mutated (bit flips, byte insertions and
deletions, truncations, rewritten length fields, junk prefixes, concatenations; every
second input with its length and CRC made right again, so the mutation reaches the parsers)
and fed in random chunks through the splitter, the decoder, ``to_observations`` and the JSON
view. Anything raised other than ``ProtocolError`` is a failure; so is an input that takes
more than a second. ``gt06_seeds`` / ``gt06_run`` / ``gt06_repair`` are the pieces a shared
fuzz harness needs.

    .venv/bin/python bench/gt06_codec.py                 # 1,000,000 mutated frames
    .venv/bin/python bench/gt06_codec.py --fuzz 20000    # quick
"""

from __future__ import annotations

import argparse
import json
import random
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from assetwatch.errors import ProtocolError
from assetwatch.protocols import gt06, jt808
from assetwatch.simulate.jt808_link import LOCATION, encode_location, location_report
from assetwatch.simulate.load import load_phone, wandering_track
from assetwatch.simulate.routes import LatLon

VECTORS = Path(__file__).parents[1] / "tests" / "protocols" / "gt06" / "vectors.json"
CENTRE = LatLon(22.55, 114.05)


def best_per_item(fn: Callable[[], int], repeat: int) -> float:
    """Best of ``repeat`` runs of ``fn`` (which returns how many items it did), µs/item."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        items = fn()
        best = min(best, (time.perf_counter() - started) / max(items, 1))
    return best * 1e6


def fleet_frames(devices: int, reports: int) -> tuple[list[bytes], list[bytes]]:
    """The same fixes as GT06 0x22 frames and as JT/T 808 0x0200 frames."""
    gt06_frames, jt808_frames = [], []
    end = datetime.now(UTC)
    for i in range(devices):
        track = wandering_track(i, reports, centre=CENTRE, radius_m=5000, end=end)
        for k, fix in enumerate(track):
            gps = gt06.build_gps(
                lat=fix.lat, lon=fix.lon, time=fix.time.astimezone(UTC).replace(tzinfo=None),
                speed_kmh=fix.speed_kmh, course=fix.course,
            )  # fmt: skip
            body = gt06.Location(gps, gt06.CellTower(460, 0, 10365, 8049 + i), 1, 0, 0)
            gt06_frames.append(gt06.encode_message(gt06.GPS_LBS_ACC, body, k + 1))
            report = encode_location(location_report(fix))
            jt808_frames.append(jt808.encode_frame(LOCATION, load_phone(i), k, report))
    return gt06_frames, jt808_frames


def gt06_costs(frames: list[bytes], repeat: int) -> dict[str, float]:
    chunks = [b"".join(frames[i : i + 32]) for i in range(0, len(frames), 32)]
    split = [f for chunk in chunks for f in gt06.FrameSplitter().feed(chunk)]
    messages = [gt06.decode_frame(f) for f in split]
    now = int(time.time() * 1000)

    def feed() -> int:
        splitter = gt06.FrameSplitter()
        return sum(len(splitter.feed(chunk)) for chunk in chunks)

    def decode() -> int:
        for frame in split:
            gt06.decode_frame(frame)
        return len(split)

    def observe() -> int:
        for m in messages:
            gt06.to_observations(m, device_key="868120000000001", tz=UTC, server_time_ms=now)
        return len(messages)

    def ack() -> int:
        for m in messages:
            gt06.encode_ack(m.protocol, m.serial)
        return len(messages)

    steps = {"split": feed, "decode": decode, "to_observations": observe, "encode_ack": ack}
    return {f"{name}_us": best_per_item(fn, repeat) for name, fn in steps.items()}


def jt808_decode_cost(frames: list[bytes], repeat: int) -> float:
    contents = [c for f in frames for c in jt808.FrameSplitter().feed(f)]

    def decode() -> int:
        for content in contents:
            jt808.decode_frame(content)
        return len(contents)

    return best_per_item(decode, repeat)


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


def fuzz(seeds: list[bytes], count: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    failures, slowest = 0, 0.0
    started = time.perf_counter()
    for i in range(count):
        data = mutate(rng, seeds[i % len(seeds)], seeds)
        if i % 2:
            data = gt06_repair(data)
        t0 = time.perf_counter()
        try:
            gt06_run(data, rng)
        except Exception:
            failures += 1
            if failures <= 5:
                print(f"escaped exception on {data.hex()}:\n{traceback.format_exc()}")
        slowest = max(slowest, time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    return {"frames": count, "failures": failures, "seconds": elapsed, "slowest_ms": slowest * 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fuzz", type=int, default=1_000_000, help="mutated frames")
    parser.add_argument("--seed", type=int, default=808)
    args = parser.parse_args()
    gt06_frames, jt808_frames = fleet_frames(args.devices, args.reports)
    costs = gt06_costs(gt06_frames, args.repeat)
    baseline = jt808_decode_cost(jt808_frames, args.repeat)
    print(f"GT06 0x22 location frames: {len(gt06_frames)}")
    for name, value in costs.items():
        print(f"  {name:22} {value:6.2f} µs/frame")
    print(f"  jt808 decode (same run) {baseline:6.2f} µs/frame")
    print(f"  gt06 / jt808 decode     {costs['decode_us'] / baseline:6.2f}")
    result = fuzz(gt06_seeds() + gt06_frames[:200], args.fuzz, args.seed)
    rate = result["frames"] / result["seconds"]
    print(
        f"fuzz: {result['frames']:,.0f} mutated frames in {result['seconds']:.1f} s "
        f"({rate:,.0f}/s), escaped exceptions: {result['failures']:.0f}, "
        f"slowest frame {result['slowest_ms']:.1f} ms"
    )
    if result["failures"] or result["slowest_ms"] > 1000:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
