"""Properties of stays and trips on random tracks (parking, driving, gaps, spikes, cells)."""

from __future__ import annotations

import json
import math
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetwatch.analytics.model import Fix, Stay, StayParams, Trip
from assetwatch.analytics.stays import MAX_PLAUSIBLE_KMH, StayDetector, detect
from assetwatch.geo.distance import haversine_m

from .tracks import fix

LEGS = st.one_of(
    st.tuples(st.just("park"), st.integers(1, 60), st.integers(1, 60), st.floats(0, 40)),
    st.tuples(st.just("drive"), st.integers(1, 40), st.integers(1, 30), st.floats(0.5, 40)),
    st.tuples(st.just("gap"), st.integers(1, 3), st.integers(60, 3 * 3600), st.just(0.0)),
    st.tuples(st.just("spike"), st.integers(1, 2), st.integers(1, 30), st.floats(100, 800)),
    st.tuples(st.just("cell"), st.integers(1, 10), st.integers(10, 900), st.floats(300, 2000)),
)


@st.composite
def tracks(draw: st.DrawFn) -> tuple[list[Fix], StayParams]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    min_duration = draw(st.integers(30, 600))
    params = StayParams(
        radius_m=draw(st.floats(20, 150)),
        min_duration_s=min_duration,
        max_gap_s=draw(st.integers(min_duration, 3600)),
    )
    t, x, y, fixes = 0.0, 0.0, 0.0, []
    for kind, n, dt, size in draw(st.lists(LEGS, max_size=12)):
        heading = rng.uniform(0, 2 * math.pi)
        for _ in range(n):
            t += dt
            if kind == "park":
                fixes.append(fix(t, x + rng.gauss(0, size), y + rng.gauss(0, size)))
            elif kind == "drive":
                x, y = x + size * dt * math.cos(heading), y + size * dt * math.sin(heading)
                fixes.append(fix(t, x, y, speed_kmh=rng.choice([None, size * 3.6])))
            elif kind == "spike":
                fixes.append(fix(t, x + size * math.cos(heading), y + size * math.sin(heading)))
            elif kind == "cell":
                dx, dy = rng.uniform(-size, size), rng.uniform(-size, size)
                fixes.append(fix(t, x + dx, y + dy, source="cell", accuracy_m=size))
    return fixes, params


def segments(stays: list[Stay], trips: list[Trip]) -> list[Stay | Trip]:
    return sorted([*stays, *trips], key=lambda s: (s.start_ms, s.end_ms))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(tracks())
def test_stays_and_trips_alternate_without_overlap(track: tuple[list[Fix], StayParams]) -> None:
    fixes, params = track
    stays, trips = detect(fixes, params)
    by_start = {s.start_ms: s for s in stays}
    for s in stays:
        assert s.duration_s >= params.min_duration_s and s.points >= 2
    for a, b in zip(stays, stays[1:], strict=False):
        assert a.end_ms <= b.start_ms
    ordered = segments(stays, trips)
    for a, b in zip(ordered, ordered[1:], strict=False):
        assert a.end_ms <= b.start_ms  # no overlap; so no trip spans a stay
        if type(a) is type(b):  # two of a kind only across a silence
            assert b.start_ms - a.end_ms > params.max_gap_s * 1000
    for trip in trips:
        assert trip.points >= 2 and trip.start_ms <= trip.end_ms
        assert 0 <= trip.max_speed_kmh <= MAX_PLAUSIBLE_KMH
        if trip.from_stay_start_ms is not None:
            assert by_start[trip.from_stay_start_ms].end_ms == trip.start_ms
        if trip.to_stay_start_ms is not None:
            assert trip.to_stay_start_ms == trip.end_ms and trip.end_ms in by_start


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(tracks())
def test_trip_distance_is_the_sum_along_its_fixes(track: tuple[list[Fix], StayParams]) -> None:
    fixes, params = track
    precise = [f for f in fixes if f.source == "gps"]
    for trip in detect(fixes, params)[1]:
        # from the last precise fix at or before the start (a stay's last fix) to the end
        first = max(i for i, f in enumerate(precise) if f.time_ms <= trip.start_ms)
        own = [f for f in precise[first:] if f.time_ms <= trip.end_ms]
        legs = zip(own, own[1:], strict=False)
        assert trip.points == len(own)
        assert math.isclose(
            trip.distance_m,
            sum(haversine_m(a.lat, a.lon, b.lat, b.lon) for a, b in legs),
            rel_tol=1e-9,
            abs_tol=1e-6,
        )


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(tracks(), st.lists(st.integers(0, 10**6), max_size=6))
def test_any_split_into_chunks_with_saved_state_gives_the_batch_result(
    track: tuple[list[Fix], StayParams], cuts: list[int]
) -> None:
    fixes, params = track
    bounds = sorted({c % (len(fixes) + 1) for c in cuts} | {0, len(fixes)})
    out: list[Stay | Trip] = []
    state = StayDetector(params).state()
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        det = StayDetector.from_state(json.loads(json.dumps(state)), params)
        for f in fixes[lo:hi]:
            out += det.add(f)
        state = det.state()
    out += StayDetector.from_state(state, params).flush()
    stays, trips = detect(fixes, params)
    assert [s for s in out if isinstance(s, Stay)] == stays
    assert [s for s in out if isinstance(s, Trip)] == trips
