"""Stay detection speed, points per second, on synthetic vehicle tracks (same run baseline).

* ours, batch: ``detect(fixes, params)`` over 1,000,000 points;
* ours, incremental: ``StayDetector.add`` per fix, and the processor's path (``add`` in batches
  of 1,000 fixes with the state saved to JSON and restored between batches); both checked
  equal to the batch result;
* movingpandas ``TrajectoryStopDetector.get_stop_segments`` on the same points (by default a
  100,000-point prefix, as it runs at a few thousand points/s), in WGS-84 (the coordinates ours
  gets; geodesic distances) and in a local metric CRS (planar distances, its fastest mode).
  Building the GeoDataFrame / Trajectory and our ``Fix`` objects is not timed; every figure is
  the best of ``--repeat`` runs.

    pip install -e '.[bench]'
    python bench/stays_speed.py [--points 1000000] [--mp-points 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from assetwatch.analytics.model import Fix, Stay, StayParams, Trip
from assetwatch.analytics.stays import StayDetector, detect
from stays_data import synthetic_track, to_xy

PARAMS = StayParams(radius_m=50, min_duration_s=300, max_gap_s=3600)
MP_DIAMETER_M = 2 * PARAMS.radius_m


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def incremental(fixes: list[Fix]) -> tuple[list[Stay], list[Trip]]:
    det = StayDetector(PARAMS)
    out: list[Stay | Trip] = []
    for f in fixes:
        out += det.add(f)
    out += det.flush()
    return [s for s in out if isinstance(s, Stay)], [s for s in out if isinstance(s, Trip)]


def incremental_with_state(fixes: list[Fix], batch: int = 1000) -> tuple[list[Stay], list[Trip]]:
    out: list[Stay | Trip] = []
    state = StayDetector(PARAMS).state()
    for lo in range(0, len(fixes), batch):
        det = StayDetector.from_state(json.loads(state), PARAMS) if lo else StayDetector(PARAMS)
        for f in fixes[lo : lo + batch]:
            out += det.add(f)
        state = json.dumps(det.state())
    out += StayDetector.from_state(json.loads(state), PARAMS).flush()
    return [s for s in out if isinstance(s, Stay)], [s for s in out if isinstance(s, Trip)]


def movingpandas_runs(fixes: list[Fix]) -> dict[str, Callable[[], int]] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import geopandas as gpd
            import movingpandas as mpd
            import pandas as pd
    except ImportError:
        return None
    times = pd.to_datetime([f.time_ms for f in fixes], unit="ms")
    lonlat = gpd.points_from_xy([f.lon for f in fixes], [f.lat for f in fixes])
    xy = [to_xy(f.lat, f.lon) for f in fixes]
    metric = gpd.points_from_xy([p[0] for p in xy], [p[1] for p in xy])
    trajs = {
        "WGS-84": mpd.Trajectory(
            gpd.GeoDataFrame({"t": times}, geometry=lonlat, crs="EPSG:4326"), 1, t="t"
        ),
        "metric CRS": mpd.Trajectory(
            gpd.GeoDataFrame({"t": times}, geometry=metric, crs="EPSG:32610"), 1, t="t"
        ),
    }

    def run(traj: Any) -> Callable[[], int]:
        def go() -> int:
            segments = mpd.TrajectoryStopDetector(traj).get_stop_segments(
                max_diameter=MP_DIAMETER_M, min_duration=timedelta(seconds=PARAMS.min_duration_s)
            )
            return len(segments)

        return go

    return {name: run(traj) for name, traj in trajs.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--mp-points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    fixes = synthetic_track(args.points)
    subset = fixes[: args.mp_points]
    print(f"{date.today()} on {platform.machine()}, Python {platform.python_version()}")
    p = PARAMS
    print(f"{len(fixes):,} synthetic points; radius {p.radius_m:g} m, min {p.min_duration_s:g} s")
    rates: dict[str, float] = {}

    def report(name: str, n: int, seconds: float, note: str = "") -> None:
        rates[name] = n / seconds
        print(f"  {name:<40} {n:>9,} pts {seconds:8.2f} s {n / seconds:>12,.0f} pts/s {note}")

    seconds, batch = timed(lambda: detect(fixes, PARAMS), args.repeat)
    report("ours: detect (batch)", len(fixes), seconds, f"{len(batch[0])} stays")
    seconds, inc = timed(lambda: incremental(fixes), args.repeat)
    assert inc == batch, "incremental differs from batch"
    report("ours: StayDetector.add", len(fixes), seconds)
    seconds, inc = timed(lambda: incremental_with_state(fixes), args.repeat)
    assert inc == batch, "incremental with saved state differs from batch"
    report("ours: add + JSON state every 1,000", len(fixes), seconds)
    seconds, small = timed(lambda: detect(subset, PARAMS), args.repeat)
    report("ours: detect (batch), subset", len(subset), seconds, f"{len(small[0])} stays")

    runs = movingpandas_runs(subset)
    if runs is None:
        print("movingpandas is not installed (pip install -e '.[bench]'): no baseline")
        return 0
    for name, run in runs.items():
        seconds, stops = timed(run, args.repeat)
        report(f"movingpandas ({name}), subset", len(subset), seconds, f"{stops} stops")
    mp_best = max(v for k, v in rates.items() if k.startswith("movingpandas"))
    print("ratios against the faster movingpandas run:")
    for name, rate in rates.items():
        if name.startswith("ours"):
            print(f"  {name:<40} {rate / mp_best:8.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
