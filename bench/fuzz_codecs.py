"""Fuzz every protocol codec with mutated real frames: no escaped exception, no hang.

Each target takes seed frames from the project's test vectors (real device captures), mutates
them (bit flips, interesting bytes, inserts, deletes, truncation, duplication, splicing; half
of the mutants get their checksum repaired so they reach the body parsers), and runs the whole
pure decode path: frame splitting over a persistent splitter fed in random chunks, decoding,
the Observation mapping and the JSON output. :class:`~assetwatch.errors.ProtocolError` is
the expected answer to garbage; any other exception *escapes* and is a bug. An input taking
longer than ``--hang-s`` is a hang (interrupted by a timer signal).

    .venv/bin/python bench/fuzz_codecs.py                      # 1,000,000 inputs per target
    .venv/bin/python bench/fuzz_codecs.py --inputs 20000 --target jt808 --seed 7

Exit code 1 when anything escaped or hung; reproducers go to
``bench/results/fuzz-<target>-failures.txt`` (hex, one per line, with the traceback).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assetwatch.errors import ProtocolError  # noqa: E402
from fuzz_targets import TARGETS, FuzzTarget  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
INTERESTING = (0x00, 0x01, 0x7D, 0x7E, 0x7F, 0x80, 0xFF, 0x0D, 0x0A, 0x78, 0x79)


class Hang(Exception):
    pass


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise Hang


def mutate(rng: random.Random, data: bytes, seeds: list[bytes]) -> bytes:
    """One to four random edits of ``data``."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        n = len(buf)
        if op == 0 and n:  # flip bits
            for _ in range(rng.randint(1, 8)):
                buf[rng.randrange(n)] ^= 1 << rng.randrange(8)
        elif op == 1 and n:  # interesting byte
            buf[rng.randrange(n)] = rng.choice(INTERESTING)
        elif op == 2:  # insert random bytes
            at = rng.randint(0, n)
            buf[at:at] = rng.randbytes(rng.randint(1, 16))
        elif op == 3 and n > 1:  # delete a span
            at = rng.randrange(n)
            del buf[at : at + rng.randint(1, 16)]
        elif op == 4 and n > 1:  # truncate
            del buf[rng.randrange(1, n) :]
        elif op == 5 and n:  # duplicate a span
            at = rng.randrange(n)
            buf[at:at] = buf[at : at + rng.randint(1, 32)]
        elif op == 6:  # splice with another seed
            other = rng.choice(seeds)
            cut = rng.randint(0, n)
            buf = buf[:cut] + other[rng.randint(0, len(other)) :]
        elif op == 7 and n:  # a big or a zero length-ish word somewhere
            at = rng.randrange(n)
            buf[at : at + 2] = rng.choice((b"\xff\xff", b"\x00\x00", b"\x03\xff"))
    return bytes(buf)


@dataclass
class Tally:
    inputs: int = 0
    clean: int = 0  # ran to the end
    messages: int = 0  # messages decoded along the way
    rejected: int = 0
    escaped: int = 0
    hangs: int = 0
    seconds: float = 0.0
    slowest_ms: float = 0.0
    failures: list[str] = field(default_factory=list)


def run_one(
    target: FuzzTarget, data: bytes, rng: random.Random, tally: Tally, hang_s: float
) -> None:
    started = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, hang_s)
    try:
        tally.messages += target.run(data, rng)
        tally.clean += 1
    except ProtocolError:
        tally.rejected += 1
    except Hang:
        tally.hangs += 1
        tally.failures.append(f"HANG {data.hex()}")
    except Exception:
        tally.escaped += 1
        if len(tally.failures) < 50:
            tb = traceback.format_exc().strip().replace("\n", " | ")
            tally.failures.append(f"{data.hex()}\t{tb}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    elapsed = (time.perf_counter() - started) * 1000
    tally.slowest_ms = max(tally.slowest_ms, elapsed)


def fuzz(target: FuzzTarget, inputs: int, seed: int, hang_s: float, progress: Progress) -> Tally:
    rng = random.Random(f"{seed}:{target.name}")
    seeds = target.seeds
    tally = Tally()
    task = progress.add_task(target.name, total=inputs)
    started = time.perf_counter()
    for i in range(inputs):
        data = (target.mutate or mutate)(rng, rng.choice(seeds), seeds)
        if target.repair is not None and rng.random() < 0.5:
            data = target.repair(data)
        run_one(target, data, rng, tally, hang_s)
        if i % 2000 == 1999:
            progress.advance(task, 2000)
    progress.update(task, completed=inputs)
    tally.inputs = inputs
    tally.seconds = time.perf_counter() - started
    return tally


def report(results: dict[str, Tally], args: argparse.Namespace) -> bool:
    clean = True
    print(f"\nfuzz_codecs: {platform.processor() or platform.machine()}, seed {args.seed}")
    print(f"{'target':<10} {'inputs':>10} {'ran clean':>10} {'messages':>10} {'rejected':>9} "
          f"{'escaped':>8} {'hangs':>6} {'µs/input':>9} {'slowest':>9}")  # fmt: skip
    for name, t in results.items():
        per = t.seconds / max(t.inputs, 1) * 1e6
        print(
            f"{name:<10} {t.inputs:>10,} {t.clean:>10,} {t.messages:>10,} {t.rejected:>9,} "
            f"{t.escaped:>8} {t.hangs:>6} {per:>9.1f} {t.slowest_ms:>7.1f}ms"
        )
        RESULTS.mkdir(exist_ok=True)
        failures = RESULTS / f"fuzz-{name}-failures.txt"
        if t.failures:
            clean = False
            failures.write_text("\n".join(t.failures) + "\n")
            print(f"  → {len(t.failures)} reproducers in {failures}")
        elif failures.exists():
            failures.unlink()
    summary = {n: {k: v for k, v in vars(t).items() if k != "failures"} for n, t in results.items()}
    (RESULTS / "fuzz-latest.json").write_text(json.dumps(summary, indent=2) + "\n")
    print("CLEAN: no escaped exception, no hang" if clean else "NOT CLEAN")
    return clean


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=1_000_000, help="mutants per target")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="repeatable")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hang-s", type=float, default=1.0, help="longest time per input")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _on_alarm)
    names = args.target or sorted(TARGETS)
    columns = (TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn()) as progress:
        results = {
            n: fuzz(TARGETS[n], args.inputs, args.seed, args.hang_s, progress) for n in names
        }
    return 0 if report(results, args) else 1


if __name__ == "__main__":
    sys.exit(main())
