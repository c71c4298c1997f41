"""Cell catalogue import benchmark: rows/s of ``assetwatch cells import`` on a generated file.

    python bench/cells_import.py [--rows 1000000] [--gzip] [--keep FILE]

1. generates an OpenCellID-format CSV (header, GSM/UMTS/LTE rows of MCC 460 in random key
   order, which is the worst case for the primary-key B-tree) in a temporary directory;
2. baseline: the same file read by ``csv.reader`` alone (the floor any importer pays);
3. the real import (:func:`assetwatch.cells.importer.import_file`) into a fresh SQLite data
   dir, then a second import of the same file (every row ``unchanged``);
4. the processor's positioning stage on that catalogue: ns per GPS observation (the hot
   path, which must stay ≈ free) and µs per LBS-only observation (warm cache, 3 cells).

Prints rows/s for each and the ratio import / baseline. The file is deleted afterwards
unless ``--keep`` names where to put it. Do not commit generated files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import shutil
import tempfile
import time
import timeit
from pathlib import Path
from typing import IO

from sqlalchemy import Engine, select

from assetwatch.cells.catalogue import CellCatalogue
from assetwatch.cells.importer import import_file
from assetwatch.model.observation import Observation
from assetwatch.pipeline.positioning import CellPositioning
from assetwatch.storage.engine import migrate, open_engine, sqlite_url
from assetwatch.storage.schema import cells

HEADER = (
    "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"
)


def write_rows(out: IO[str], rows: int, seed: int = 7) -> None:
    """``rows`` OpenCellID lines (after a header) around China's east coast."""
    rng = random.Random(seed)
    out.write(HEADER + "\n")
    for _ in range(rows):
        radio = rng.choice(("GSM", "GSM", "UMTS", "LTE", "LTE", "LTE"))
        cell = rng.randrange(1, 65536) if radio == "GSM" else rng.randrange(1, 1 << 28)
        created = 1_400_000_000 + rng.randrange(300_000_000)
        out.write(
            f"{radio},460,{rng.choice((0, 1, 11))},{rng.randrange(1, 65536)},{cell},,"
            f"{rng.uniform(110, 122):.6f},{rng.uniform(22, 40):.6f},{rng.randrange(100, 5000)},"
            f"{rng.randrange(1, 200)},1,{created},{created + rng.randrange(10_000_000)},0\n"
        )


def generate(path: Path, rows: int, compress: bool) -> None:
    if compress:
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as out:
            write_rows(out, rows)
    else:
        with path.open("w", encoding="utf-8") as out:
            write_rows(out, rows)


def csv_only(path: Path) -> float:
    """Seconds to read every row with ``csv.reader`` and nothing else."""
    started = time.perf_counter()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as text:  # type: ignore[operator]
        for _ in csv.reader(text):
            pass
    return time.perf_counter() - started


def stage_costs(engine: Engine, batch: int = 5000) -> tuple[float, float]:
    """(ns per GPS observation, µs per LBS-only observation) through the positioning stage."""
    with engine.connect() as conn:
        keys = conn.execute(select(cells.c.mcc, cells.c.mnc, cells.c.lac, cells.c.cid).limit(900))
        heard = [
            {"mcc": k[0], "mnc": k[1], "lac": k[2], "ci": k[3], "signal_dbm": -80} for k in keys
        ]
    gps = [
        Observation(device_key="d", protocol="jt808", time_ms=n, server_time_ms=n, lat=22.5,
                    lon=114.0, attributes={"ignition": True, "raw.status": 3})
        for n in range(batch)
    ]  # fmt: skip
    lbs = [
        Observation(device_key="d", protocol="gt06", time_ms=n, server_time_ms=n, valid=False,
                    attributes={"cells": heard[n % 300 * 3 : n % 300 * 3 + 3]})
        for n in range(batch)
    ]  # fmt: skip
    stage = CellPositioning(CellCatalogue(engine))
    stage.apply(lbs)  # warm the cache
    per_gps = min(timeit.repeat(lambda: stage.apply(gps), number=10, repeat=5)) / 10 / batch
    per_lbs = min(timeit.repeat(lambda: stage.apply(lbs), number=3, repeat=3)) / 3 / batch
    return per_gps * 1e9, per_lbs * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--gzip", action="store_true", help="generate a .csv.gz")
    parser.add_argument("--keep", type=Path, help="copy the generated file here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cells-bench-") as tmp:
        path = Path(tmp) / ("cells.csv.gz" if args.gzip else "cells.csv")
        generate(path, args.rows, args.gzip)
        size_mb = path.stat().st_size / 1e6
        print(f"file: {args.rows:,} rows, {size_mb:.1f} MB{' (gzip)' if args.gzip else ''}")
        baseline = csv_only(path)
        print(f"baseline csv.reader only: {args.rows / baseline:>10,.0f} rows/s")
        engine = open_engine(sqlite_url(Path(tmp) / "data"))
        migrate(engine)
        for run in ("first import", "re-import"):
            with path.open("rb") as source:
                summary = import_file(engine, source)
            print(
                f"{run:<24}: {summary.rows_per_second:>10,.0f} rows/s"
                f" ({summary.seconds:.1f} s; added {summary.added:,}, updated"
                f" {summary.updated:,}, unchanged {summary.unchanged:,},"
                f" rejected {summary.rejected:,});"
                f" {baseline / summary.seconds:.2f}× the baseline's speed"
            )
        per_gps, per_lbs = stage_costs(engine)
        print(f"positioning stage: {per_gps:.0f} ns per GPS fix, {per_lbs:.1f} µs per LBS report")
        engine.dispose()
        if args.keep:
            shutil.copy(path, args.keep)


if __name__ == "__main__":
    main()
