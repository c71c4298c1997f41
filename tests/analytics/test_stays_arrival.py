"""Arriving and leaving inside the radius: the creeping fixes belong to the trips."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from assetwatch.analytics.model import Fix, Stay, StayParams, Trip
from assetwatch.analytics.stays import StayDetector, detect
from assetwatch.geo.distance import haversine_m

from .tracks import fix, line, parked

P = StayParams(radius_m=100, min_duration_s=300, max_gap_s=3600)
NOISE = [(30, 0), (-25, 15), (0, -40), (20, 20), (-35, -10), (10, -30), (-20, 25), (38, 5)]


def path_m(fixes: list[Fix]) -> float:
    return sum(
        haversine_m(a.lat, a.lon, b.lat, b.lon) for a, b in zip(fixes, fixes[1:], strict=False)
    )


def spans(segments: list[Stay] | list[Trip]) -> list[tuple[int, int, int]]:
    return [(s.start_ms, s.end_ms, s.points) for s in segments]


DRIVE_IN = line(0, -2000, 0, 200, 0, 10, 10)  # 72 km/h, to 200 m short
CREEP_IN = [fix(100 + 10 * i, x, 0) for i, x in enumerate((-60, -40, -20, -5))]  # 7 km/h
PARK = parked(140, 0, 0, 61, 30, [(0.0, 0.0)])  # half an hour, still
CREEP_OUT = [fix(1950 + 10 * i, x, 0) for i, x in enumerate((20, 40, 60, 80))]
DRIVE_OUT = line(1990, 280, 0, 200, 0, 10, 10)
TRACK = DRIVE_IN + CREEP_IN + PARK + CREEP_OUT + DRIVE_OUT


def test_the_stay_starts_and_ends_where_the_asset_stood_still() -> None:
    stays, trips = detect(TRACK, P)
    assert spans(stays) == [(130_000, 1_940_000, 62)]  # from the last creeping fix in
    assert spans(trips) == [(0, 130_000, 14), (1_940_000, 2_080_000, 15)]
    into, away = trips
    assert into.distance_m == pytest.approx(path_m(DRIVE_IN + CREEP_IN))
    assert away.distance_m == pytest.approx(path_m([PARK[-1], *CREEP_OUT, *DRIVE_OUT]))
    assert (away.from_stay_start_ms, into.to_stay_start_ms) == (130_000, 130_000)


def test_without_a_moving_speed_the_radius_alone_decides() -> None:
    stays, trips = detect(TRACK, replace(P, moving_speed_kmh=math.inf))
    assert spans(stays) == [(100_000, 1_980_000, 69)]  # every fix within 100 m
    assert spans(trips) == [(0, 100_000, 11), (1_980_000, 2_080_000, 11)]


def test_a_reported_speed_decides_over_the_positions() -> None:
    # jitter of 40 m every 30 s with the device saying 0 km/h is standing still ...
    park = [replace(f, speed_kmh=0.0) for f in parked(100, 0, 0, 61, 30, NOISE)]
    stays, _ = detect(DRIVE_IN + park, P)
    assert spans(stays) == [(100_000, 1_900_000, 61)]
    # ... and crawling 3 m per fix at a reported 9 km/h is leaving
    crawl = [fix(1910 + 10 * i, 40 + 3 * i, 0, speed_kmh=9.0) for i in range(5)]
    stays, trips = detect(DRIVE_IN + park + crawl + line(1960, 300, 0, 200, 0, 5, 10), P)
    assert spans(stays) == [(100_000, 1_900_000, 61)]
    assert trips[-1].start_ms == 1_900_000 and trips[-1].points == 11


def test_jitter_without_reported_speeds_does_not_trim_the_stay() -> None:
    park = parked(100, 0, 0, 61, 30, NOISE)  # steps of up to 63 m in 30 s: 7.6 km/h
    stays, trips = detect(DRIVE_IN + park + line(1910, 200, 0, 200, 0, 10, 10), P)
    assert spans(stays) == [(100_000, 1_900_000, 61)]
    assert [t.points for t in trips] == [11, 11]


def test_a_state_saved_before_tails_existed_continues() -> None:
    det = StayDetector(P)
    out = [s for f in TRACK[:40] for s in det.add(f)]
    state = det.state()
    cluster = state["cluster"]
    assert cluster["confirmed"] and cluster["path"][5] == 1  # a stay with no tail yet
    version_1 = {**state, "v": 1, "cluster": {
        k: v for k, v in cluster.items() if k not in ("start_ms", "settled", "ss")
    }}  # fmt: skip
    version_1["cluster"]["path"] = [cluster["start_ms"], *cluster["path"][1:4], 0.0, 27, 0.0]
    det = StayDetector.from_state(json.loads(json.dumps(version_1)), P)
    out += [s for f in TRACK[40:] for s in det.add(f)] + det.flush()
    stays, trips = detect(TRACK, P)
    assert [s for s in out if isinstance(s, Stay)] == stays
    assert [s for s in out if isinstance(s, Trip)] == trips
