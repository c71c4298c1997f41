"""Decode cost per location frame, per protocol, against a same-run floor.

For each protocol, a real location frame from the test vectors is decoded in a tight loop
(best of ``--repeat`` runs of ``--frames`` decodes):

* ``split``: wire bytes → one frame (delimiters, un-escaping; GT06's CRC is checked here);
* ``decode``: frame → typed message (JT/T 808's checksum is checked here), the figure
  DESIGN §6 budgets;
* ``+obs``: decode plus the mapping to :class:`~assetwatch.model.Observation`;
* ``floor``: ``struct.unpack_from`` of the same fields at fixed offsets, with no validation,
  no types and no Observation — the least any Python decoder can do. The ratio to it is the
  machine-independent figure; the µs figures are checked against DESIGN §6's targets
  (JT/T 808 ≤ 3 µs, GT06 ≤ 2 µs per location frame).

Repeating one frame repeats its second, so the JT/T 808 time memos always hit, as they do
for a live fleet whose trackers report within the same seconds; the "no shared seconds"
row decodes 20,000 reports with distinct times, where they never hit.

    .venv/bin/python bench/decode.py [--frames 200000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import struct
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from decode_targets import TARGETS, DecodeTarget  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def best_us(fn: Callable[[], object], frames: int, repeat: int) -> float:
    """Best per-call time in µs over ``repeat`` loops of ``frames`` calls."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(frames):
            fn()
        best = min(best, time.perf_counter() - started)
    return best / frames * 1e6


def measure(target: DecodeTarget, frames: int, repeat: int) -> dict[str, float]:
    return {
        "floor_us": best_us(target.floor, frames, repeat),
        "split_us": best_us(target.split, frames, repeat),
        "decode_us": best_us(target.decode, frames, repeat),
        "decode_obs_us": best_us(target.decode_and_observe, frames, repeat),
        "target_us": target.target_us,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    struct.unpack_from(">I", b"\x00" * 4)  # warm the struct cache
    machine = platform.processor() or platform.machine()
    runs = f"best of {args.repeat} × {args.frames:,}"
    print(f"decode cost — {machine}, Python {platform.python_version()}, {runs}")
    print(
        f"{'frame':<24} {'floor':>8} {'split':>8} {'decode':>8} {'+obs':>8} "
        f"{'decode/floor':>12} {'target':>8}"
    )
    results, met = {}, True
    for name, target in TARGETS.items():
        r = measure(target, args.frames, args.repeat)
        results[name] = r
        ok = r["decode_us"] <= r["target_us"]
        met = met and ok
        print(
            f"{name:<24} {r['floor_us']:>6.2f}µs {r['split_us']:>6.2f}µs {r['decode_us']:>6.2f}µs "
            f"{r['decode_obs_us']:>6.2f}µs {r['decode_us'] / r['floor_us']:>11.1f}× "
            f"{'≤' if ok else '>'}{r['target_us']:.0f}µs {'met' if ok else 'NOT MET'}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "decode-latest.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
