"""Stop labelling on the Amazon GOAL traces: our stays against movingpandas, same points.

Every point of every trace is labelled stop/move by each method (a point is a stop when its
time falls inside a detected stay / stop segment) and compared with the ground truth (OnFoot =
stop). Precision, recall and F1 of "stop" are pooled over all points, for a sweep of each
method's parameters: our ``radius_m`` and movingpandas' ``max_diameter`` over 10-100 m, and
``min_duration`` over 10 s - 3 min (the traces are 6 minutes at ~5 s).

    pip install -e '.[bench]'
    python bench/stays_eval.py --data ../shared/data/gps/amazon_goal
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from assetwatch.analytics.model import StayParams
from assetwatch.analytics.stays import detect
from stays_data import DEFAULT_DATA, Track, find_zip, label_by_spans, load_goal

SIZES_M = (10, 15, 20, 30, 40, 50, 75, 100)
DURATIONS_S = (10, 15, 20, 30, 60, 120, 180)
Labeller = Callable[[float, float], list[list[bool]]]  # (size_m, min_duration_s) -> labels


def scores(truth: list[list[bool]], pred: list[list[bool]]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for ts, ps in zip(truth, pred, strict=True):
        for t, p in zip(ts, ps, strict=True):
            tp += t and p
            fp += p and not t
            fn += t and not p
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def ours(tracks: Sequence[Track]) -> Labeller:
    def label(radius_m: float, min_duration_s: float) -> list[list[bool]]:
        params = StayParams(radius_m=radius_m, min_duration_s=min_duration_s)
        out = []
        for track in tracks:
            stays, _ = detect(track.fixes, params)
            spans = [(s.start_ms, s.end_ms) for s in stays]
            out.append(label_by_spans([f.time_ms for f in track.fixes], spans))
        return out

    return label


def movingpandas(tracks: Sequence[Track]) -> Labeller | None:
    try:
        with warnings.catch_warnings():  # it warns about optional smoothers on import
            warnings.simplefilter("ignore")
            import geopandas as gpd
            import movingpandas as mpd
            import pandas as pd
    except ImportError:
        return None
    rows = [(i, f.time_ms, f.lon, f.lat) for i, t in enumerate(tracks) for f in t.fixes]
    df = pd.DataFrame(rows, columns=["track", "time_ms", "lon", "lat"])
    df["t"] = pd.to_datetime(df["time_ms"], unit="ms")
    points = gpd.points_from_xy(df["lon"], df["lat"])
    collection = mpd.TrajectoryCollection(
        gpd.GeoDataFrame(df, geometry=points, crs="EPSG:4326"), "track", t="t"
    )

    def label(max_diameter: float, min_duration_s: float) -> list[list[bool]]:
        detector = mpd.TrajectoryStopDetector(collection)
        segments = detector.get_stop_segments(
            max_diameter=max_diameter, min_duration=timedelta(seconds=min_duration_s)
        )
        spans: list[list[tuple[int, int]]] = [[] for _ in tracks]
        for seg in segments:
            start, end = pd.Timestamp(seg.get_start_time()), pd.Timestamp(seg.get_end_time())
            spans[int(seg.parent.id)].append((start.value // 10**6, end.value // 10**6))
        return [
            label_by_spans([f.time_ms for f in t.fixes], s)
            for t, s in zip(tracks, spans, strict=True)
        ]

    return label


def sweep(
    name: str, what: str, label: Labeller, truth: list[list[bool]], points: int
) -> dict[str, Any]:
    results, labels = {}, {}
    t0 = time.perf_counter()
    for size in SIZES_M:
        for duration in DURATIONS_S:
            labels[size, duration] = label(size, duration)
            results[size, duration] = scores(truth, labels[size, duration])
    elapsed = time.perf_counter() - t0
    runs = len(SIZES_M) * len(DURATIONS_S)
    print(f"\n{name}, {what}: F1 of 'stop' (rows: size m, columns: min_duration s)")
    print("        " + "".join(f"{d:>7}" for d in DURATIONS_S))
    for size in SIZES_M:
        print(f"{size:>6}  " + "".join(f"{results[size, d][2]:7.3f}" for d in DURATIONS_S))
    best = max(results, key=lambda k: results[k][2])
    p, r, f1 = results[best]
    print(f"{runs} runs in {elapsed:.1f} s ({points * runs / elapsed:,.0f} points/s)")
    return {
        "name": name,
        "best": best,
        "precision": p,
        "recall": r,
        "f1": f1,
        "labels": labels[best],
    }


def bootstrap_f1_difference(
    truth: list[list[bool]], a: list[list[bool]], b: list[list[bool]], rounds: int = 2000
) -> tuple[float, float]:
    """95 % interval of F1(a) - F1(b) over traces resampled with replacement (paired)."""

    def counts(pred: list[list[bool]]) -> np.ndarray:
        return np.array(
            [
                [sum(t and p for t, p in zip(ts, ps, strict=True)), sum(ps), sum(ts)]
                for ts, ps in zip(truth, pred, strict=True)
            ],
            dtype=float,
        )

    ca, cb = counts(a), counts(b)
    picks = np.random.default_rng(5).integers(0, len(truth), size=(rounds, len(truth)))

    def f1(c: np.ndarray) -> np.ndarray:
        tp, predicted, actual = c[picks].sum(axis=1).T
        return 2 * tp / (predicted + actual)

    low, high = np.percentile(f1(ca) - f1(cb), [2.5, 97.5])
    return float(low), float(high)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="dir or zip")
    parser.add_argument("--limit", type=int, default=None, help="use the first N traces")
    args = parser.parse_args(argv)
    zip_path = find_zip(args.data)
    if zip_path is None:
        print(f"skipped: no trajectories.zip at {args.data} (the Amazon GOAL traces)")
        return 0
    tracks = load_goal(zip_path, args.limit)
    truth = [t.stopped for t in tracks]
    points = sum(len(t) for t in truth)
    stops = sum(sum(t) for t in truth)
    print(f"{date.today()}: {len(tracks)} traces, {points:,} points, {stops / points:.1%} stop")
    best = [sweep("ours", "StayDetector (size = radius_m)", ours(tracks), truth, points)]
    baseline = movingpandas(tracks)
    if baseline is None:
        print("\nmovingpandas is not installed: pip install -e '.[bench]' for the baseline")
    else:
        best.append(
            sweep(
                "movingpandas",
                "TrajectoryStopDetector (size = max_diameter)",
                baseline,
                truth,
                points,
            )
        )
    if len(best) == 2:
        low, high = bootstrap_f1_difference(truth, best[0]["labels"], best[1]["labels"])
        diff = best[0]["f1"] - best[1]["f1"]
        print(f"\nF1 ours - movingpandas: {diff:+.4f}", end=", ")
        print(f"95 % bootstrap interval over traces [{low:+.4f}, {high:+.4f}]")
    print("\nbest parameters  size m  min_dur s  precision  recall     F1")
    for b in best:
        size, duration = b["best"]
        print(
            f"{b['name']:<16} {size:>6} {duration:>10}"
            f" {b['precision']:>10.3f} {b['recall']:>7.3f} {b['f1']:>6.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
