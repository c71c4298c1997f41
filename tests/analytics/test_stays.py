"""Stays and trips on tiny synthetic tracks with exact expected segments."""

from __future__ import annotations

import json

import pytest

from assetwatch.analytics.model import Fix, Stay, StayParams, Trip
from assetwatch.analytics.stays import StayDetector, detect
from assetwatch.geo.distance import haversine_m

from .tracks import at, fix, line, parked

P = StayParams(radius_m=100, min_duration_s=300, max_gap_s=3600)
NOISE = [(30, 0), (-25, 15), (0, -40), (20, 20), (-35, -10), (10, -30), (-20, 25), (38, 5)]
STILL = [(0.0, 0.0)]


def path_m(fixes: list[Fix]) -> float:
    return sum(
        haversine_m(a.lat, a.lon, b.lat, b.lon) for a, b in zip(fixes, fixes[1:], strict=False)
    )


def spans(segments: list[Stay] | list[Trip]) -> list[tuple[int, int, int]]:
    return [(s.start_ms, s.end_ms, s.points) for s in segments]


def test_jitter_around_a_parked_position_is_one_stay_between_two_trips() -> None:
    drive_in = line(0, -2000, 0, 200, 0, 10, 10)  # 72 km/h, ends 200 m short
    park = parked(100, 0, 0, 61, 30, NOISE)  # 30 min, +-20..40 m
    drive_out = line(1910, 200, 0, 200, 0, 10, 10)
    stays, trips = detect(drive_in + park + drive_out, P)

    assert spans(stays) == [(100_000, 1_900_000, 61)]
    (stay,) = stays
    assert haversine_m(stay.lat, stay.lon, *at(0, 0)) < 10
    assert 30 < stay.radius_m <= 100
    assert spans(trips) == [(0, 100_000, 11), (1_900_000, 2_000_000, 11)]
    into, away = trips
    assert (into.from_stay_start_ms, into.to_stay_start_ms) == (None, 100_000)
    assert (away.from_stay_start_ms, away.to_stay_start_ms) == (100_000, None)
    assert into.distance_m == pytest.approx(path_m([*drive_in, park[0]]))
    assert away.distance_m == pytest.approx(path_m([park[-1], *drive_out]))
    assert away.avg_speed_kmh == pytest.approx(away.distance_m / away.duration_s * 3.6)
    assert into.max_speed_kmh == pytest.approx(230 * 3.6 / 10, rel=1e-3)  # the last leg


def test_slow_drift_within_the_radius_does_not_split_a_stay() -> None:
    creep = line(0, 0, 0, 3, 0, 61, 60)  # 3 m per minute for an hour: 180 m in all
    stays, trips = detect(creep, P)
    assert spans(stays) == [(0, 3_600_000, 61)]
    assert trips == []


def test_a_stay_spans_a_gap_when_the_asset_reappears_within_the_radius() -> None:
    before = parked(0, 0, 0, 11, 60, NOISE)
    after = parked(600 + 7200, 0, 0, 11, 60, NOISE)  # two hours of silence (> max_gap_s)
    stays, trips = detect(before + after, P)
    assert spans(stays) == [(0, 8_400_000, 22)]
    assert trips == []


def test_far_after_a_gap_the_stay_ends_before_it_and_no_trip_is_invented() -> None:
    a = parked(0, 0, 0, 11, 60, NOISE)
    b = parked(7800, 5000, 0, 11, 60, NOISE)
    stays, trips = detect(a + b, P)
    assert spans(stays) == [(0, 600_000, 11), (7_800_000, 8_400_000, 11)]
    assert trips == []

    drive = line(7800, 5000, 0, 200, 0, 10, 10)
    stays, trips = detect(a + drive, P)
    assert spans(stays) == [(0, 600_000, 11)]
    assert spans(trips) == [(7_800_000, 7_890_000, 10)]
    assert trips[0].from_stay_start_ms is None
    assert trips[0].distance_m == pytest.approx(path_m(drive))


def test_a_trip_ends_at_a_long_gap() -> None:
    first = line(0, 0, 0, 200, 0, 10, 10)
    second = line(7290, 50_000, 0, 200, 0, 10, 10)
    stays, trips = detect(first + second, P)
    assert stays == []
    assert spans(trips) == [(0, 90_000, 10), (7_290_000, 7_380_000, 10)]
    assert [t.distance_m for t in trips] == pytest.approx([path_m(first), path_m(second)])


def cells(t0_s: float, n: int, dt_s: float, x: float, y: float) -> list[Fix]:
    spread = [(400, 300, 800.0), (-600, 200, 1500.0), (100, -900, 2000.0), (250, 0, 300.0)]
    return [
        fix(t0_s + i * dt_s, x + dx, y + dy, source="cell", accuracy_m=acc)
        for i, (dx, dy, acc) in enumerate(spread[i % len(spread)] for i in range(n))
    ]


def test_overlapping_cell_fixes_keep_a_stay_alive_through_a_gps_outage() -> None:
    park = parked(0, 0, 0, 11, 60, NOISE)
    garage = cells(1800, 9, 1200, 0, 0)  # 1800 .. 11400 s, GPS silent for over three hours
    leave = line(12000, 20_000, 0, 200, 0, 5, 10)
    stays, trips = detect(park + garage + leave, P)
    assert spans(stays) == [(0, 11_400_000, 20)]
    assert spans(trips) == [(11_400_000, 12_040_000, 6)]
    assert trips[0].distance_m == pytest.approx(path_m([park[-1], *leave]))

    stays, trips = detect(park + leave, P)  # without them the silence ends the stay
    assert spans(stays) == [(0, 600_000, 11)]
    assert spans(trips) == [(12_000_000, 12_040_000, 5)]


def test_cell_fixes_neither_start_nor_break_a_stay_nor_count_on_a_trip() -> None:
    assert detect(cells(0, 20, 600, 0, 0), P) == ([], [])

    park = parked(0, 0, 0, 31, 60, NOISE)
    far_cell = fix(905, 5000, 0, source="cell", accuracy_m=500)
    stays, _ = detect([*park[:16], far_cell, *park[16:]], P)
    assert spans(stays) == [(0, 1_800_000, 31)]

    drive = line(0, 0, 0, 200, 0, 10, 10)
    with_cells = sorted([*drive, *cells(5, 9, 10, 900, 0)], key=lambda f: f.time_ms)
    assert detect(with_cells, P) == detect(drive, P)

    coarse_gps = fix(15, 3000, 3000, accuracy_m=500)  # worse than coarse_accuracy_m: coarse
    assert detect([*drive[:2], coarse_gps, *drive[2:]], P) == detect(drive, P)


@pytest.mark.parametrize("where", [3, 30])  # while a candidate, and in a confirmed stay
def test_a_single_outlier_does_not_split_a_stay(where: int) -> None:
    park = parked(0, 0, 0, 61, 30, NOISE)
    park[where] = fix(where * 30, 500, 0)
    stays, trips = detect(park, P)
    assert spans(stays) == [(0, 1_800_000, 60)]
    assert trips == []
    assert haversine_m(stays[0].lat, stays[0].lon, *at(0, 0)) < 10


def test_a_short_stop_is_part_of_the_trip() -> None:
    approach = line(0, 0, 0, 200, 0, 10, 10)
    light = parked(100, 2000, 0, 7, 10, STILL)  # one minute at a traffic light
    onwards = line(170, 2200, 0, 200, 0, 10, 10)
    track = approach + light + onwards
    stays, trips = detect(track, P)
    assert stays == []
    assert spans(trips) == [(0, 260_000, 27)]
    assert trips[0].distance_m == pytest.approx(path_m(track))


def test_trip_speeds_prefer_plausible_values() -> None:
    drive = line(0, 0, 0, 200, 0, 10, 10)  # 72 km/h
    jump = [*drive[:5], fix(50, 3000, 0), *line(60, 3200, 0, 200, 0, 5, 10)]  # 2 km in 10 s
    (trip,) = detect(jump, P)[1]
    assert trip.max_speed_kmh == pytest.approx(72, rel=1e-3)
    assert trip.distance_m == pytest.approx(path_m(jump))

    reported = [
        Fix(f.time_ms, f.lat, f.lon, speed_kmh=s)
        for f, s in zip(drive, [0, 50, 91, 400, 60] * 2, strict=True)
    ]
    (trip,) = detect(reported, P)[1]
    assert trip.max_speed_kmh == pytest.approx(91)  # 400 km/h is not plausible


def test_incremental_emits_segments_when_they_become_final() -> None:
    drive_in = line(0, -2000, 0, 200, 0, 10, 10)
    park = parked(100, 0, 0, 61, 30, NOISE)
    drive_out = line(1910, 200, 0, 200, 0, 10, 10)
    det = StayDetector(P)
    emitted: list[tuple[int, str]] = []
    for i, f in enumerate(drive_in + park + drive_out):
        emitted += [(i, type(s).__name__) for s in det.add(f)]
        if i == 12:
            assert det.open_stay() is None  # 60 s parked: still a candidate
        if i == 30:
            open_stay = det.open_stay()
            assert open_stay is not None and open_stay.start_ms == 100_000
    assert emitted == [(20, "Trip"), (72, "Stay")]  # confirmed at 300 s; left two fixes out
    assert [type(s).__name__ for s in det.flush()] == ["Trip"]
    assert det.flush() == []


def test_state_is_small_json_and_resumes_exactly() -> None:
    park = parked(0, 0, 0, 5000, 5, NOISE)
    track = line(-100, -2000, 0, 200, 0, 10, 10) + park + line(25_000, 500, 0, 200, 0, 10, 10)
    det = StayDetector(P)
    out = []
    for f in track[:3000]:
        out += det.add(f)
    saved = json.dumps(det.state())
    assert len(saved) < 800  # fixed-size fields only: a few hundred bytes
    det = StayDetector.from_state(json.loads(saved), P)
    for f in track[3000:]:
        out += det.add(f)
    out += det.flush()
    stays, trips = detect(track, P)
    assert [s for s in out if isinstance(s, Stay)] == stays
    assert [s for s in out if isinstance(s, Trip)] == trips


def test_out_of_order_and_positionless_fixes_are_skipped() -> None:
    park = parked(0, 0, 0, 11, 60, NOISE)
    noisy = [*park[:5], fix(10, 9000, 9000), fix(320, 9000, 9000, source="none"), *park[5:]]
    assert detect(noisy, P) == detect(park, P)


def test_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="max_gap_s"):
        StayDetector(StayParams(min_duration_s=600, max_gap_s=300))
    with pytest.raises(ValueError):
        StayDetector(StayParams(radius_m=0))
    with pytest.raises(ValueError):
        StayDetector(StayParams(moving_speed_kmh=0))
    with pytest.raises(ValueError, match="version"):
        StayDetector.from_state({"v": 99}, P)
