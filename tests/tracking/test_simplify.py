"""Douglas-Peucker in metres: exact output on tiny tracks, keep rules, and its two promises
(a subsequence with both ends; every dropped point within tolerance of its segment)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetwatch.errors import ValidationError
from assetwatch.geo.distance import haversine_m
from assetwatch.tracking.simplify import (
    any_of,
    douglas_peucker,
    keeps_alarms,
    keeps_fix_source_changes,
    keeps_times,
    project_m,
    simplify,
)

LAT0, LON0 = 22.54, 114.05  # Shenzhen
M_PER_DEG_LAT = 6_371_008.8 * math.pi / 180


def north_east(n_m: float, e_m: float) -> tuple[float, float]:
    """The point n_m metres north and e_m metres east of (LAT0, LON0), on the local plane."""
    lat = LAT0 + n_m / M_PER_DEG_LAT
    return lat, LON0 + e_m / (M_PER_DEG_LAT * math.cos(math.radians(LAT0)))


def track(*offsets: tuple[float, float], **fields: list[Any]) -> list[dict[str, Any]]:
    points = []
    for i, (n, e) in enumerate(offsets):
        lat, lon = north_east(n, e)
        point: dict[str, Any] = {"lat": lat, "lon": lon, "time": f"t{i}", "alarms": []}
        point.update({name: values[i] for name, values in fields.items()})
        points.append(point)
    return points


def kept(points: list[dict[str, Any]], tolerance_m: float, **kw: Any) -> list[str]:
    return [p["time"] for p in simplify(points, tolerance_m, **kw)]


def test_a_straight_line_collapses_to_its_ends() -> None:
    line = track(*((0, 100 * i) for i in range(11)))
    assert kept(line, 1.0) == ["t0", "t10"]


def test_an_l_keeps_its_corner() -> None:
    ell = track((0, 0), (0, 100), (0, 200), (100, 200), (200, 200))
    assert kept(ell, 5.0) == ["t0", "t2", "t4"]


def test_tolerance_decides_a_bump() -> None:
    bump = track((0, 0), (0, 100), (30, 200), (0, 300), (0, 400))
    assert kept(bump, 29.0) == ["t0", "t2", "t4"]
    assert kept(bump, 31.0) == ["t0", "t4"]


def test_zero_tolerance_keeps_every_point_even_collinear_ones() -> None:
    line = track(*((0, 10 * i) for i in range(6)))
    assert kept(line, 0.0) == [f"t{i}" for i in range(6)]


def test_an_out_and_back_keeps_the_turning_point() -> None:
    """Distances are to the segment, not the infinite line: the far end is 500 m off."""
    there_and_back = track((0, 0), (0, 250), (0, 500), (0, 250), (0, 10))
    assert kept(there_and_back, 20.0) == ["t0", "t2", "t4"]


def test_tiny_tracks_pass_through() -> None:
    assert kept([], 10.0) == []
    assert kept(track((0, 0)), 10.0) == ["t0"]
    assert kept(track((0, 0), (0, 0)), 10.0) == ["t0", "t1"]
    parked = track(*((0, 0) for _ in range(5)))
    assert kept(parked, 10.0) == ["t0", "t4"]


def test_keep_rules_survive_and_split_the_line() -> None:
    line = track(
        *((0, 100 * i) for i in range(7)),
        alarms=[[], [], ["power_cut"], [], [], [], []],
        fix_source=["gps", "gps", "gps", "gps", "cell", "cell", "cell"],
    )
    assert kept(line, 1.0, keep=keeps_alarms) == ["t0", "t2", "t6"]
    assert kept(line, 1.0, keep=keeps_fix_source_changes) == ["t0", "t3", "t4", "t6"]
    assert kept(line, 1.0, keep=keeps_times({"t5"})) == ["t0", "t5", "t6"]
    every = any_of(keeps_alarms, keeps_fix_source_changes, keeps_times({"t5"}))
    assert kept(line, 1.0, keep=every) == ["t0", "t2", "t3", "t4", "t5", "t6"]


def test_a_kept_point_is_a_vertex_and_the_tolerance_applies_on_each_side() -> None:
    bump = track((0, 0), (0, 100), (15, 200), (0, 300), (0, 400))
    assert kept(bump, 20.0) == ["t0", "t4"]
    assert kept(bump, 20.0, keep=keeps_times({"t1"})) == ["t0", "t1", "t4"]
    assert kept(bump, 10.0, keep=keeps_times({"t1"})) == ["t0", "t1", "t2", "t4"]


def test_the_tolerance_is_in_metres_east_west_too() -> None:
    """A 40 m sideways bump on a north-south line, at 60° N where a degree of longitude is
    half a degree of latitude."""
    lat = 60.0
    dlon = 40 / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
    points = [{"lat": lat + i * 0.001, "lon": 10.0 + (dlon if i == 1 else 0.0)} for i in range(3)]
    assert len(simplify(points, 39.0)) == 3
    assert len(simplify(points, 41.0)) == 2


def test_across_the_antimeridian() -> None:
    points = [{"lat": 0.0, "lon": lon} for lon in (179.999, 180.0, -179.999)]
    assert len(simplify(points, 1.0)) == 2
    x, _ = project_m([0.0, 0.0], [179.999, -179.999])
    assert x[1] == pytest.approx(222.4, abs=0.1)


def test_a_long_track_needs_no_recursion() -> None:
    n = 100_000
    t = np.linspace(0, 40 * math.pi, n)
    lat, lon = LAT0 + 0.01 * np.sin(t), LON0 + t / 1000
    indices = douglas_peucker(lat, lon, 5.0)
    assert indices[0] == 0 and indices[-1] == n - 1
    assert 100 < len(indices) < n // 10


def test_bad_tolerances_are_validation_errors() -> None:
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValidationError):
            douglas_peucker([0.0, 1.0], [0.0, 1.0], bad)
    with pytest.raises(ValueError, match="keep has 1 entries for 3 points"):
        douglas_peucker([0.0, 1.0, 2.0], [0.0, 1.0, 2.0], 1.0, keep=[True])


def _segment_distance(
    p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


offsets = st.tuples(
    st.floats(-2000, 2000, allow_nan=False), st.floats(-2000, 2000, allow_nan=False)
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(offsets, min_size=0, max_size=60),
    st.floats(0, 500, allow_nan=False),
    st.lists(st.booleans(), min_size=60, max_size=60),
)
def test_a_subsequence_with_its_ends_and_every_dropped_point_near_its_segment(
    where: list[tuple[float, float]], tolerance_m: float, forced: list[bool]
) -> None:
    points = track(*where)
    for i, p in enumerate(points):
        p["alarms"] = ["sos"] if forced[i] else []
    result = simplify(points, tolerance_m, keep=keeps_alarms)
    indices = [int(p["time"][1:]) for p in result]
    assert indices == sorted(set(indices))
    if not points:
        assert indices == []
        return
    assert indices[0] == 0 and indices[-1] == len(points) - 1
    assert {i for i, f in enumerate(forced[: len(points)]) if f} <= set(indices)
    x, y = project_m([p["lat"] for p in points], [p["lon"] for p in points])
    for a, b in zip(indices, indices[1:], strict=False):
        for i in range(a + 1, b):
            d = _segment_distance((x[i], y[i]), (x[a], y[a]), (x[b], y[b]))
            assert d <= tolerance_m + 1e-6


def test_plane_distances_agree_with_haversine_locally() -> None:
    a, b = north_east(0, 0), north_east(300, 400)
    x, y = project_m([a[0], b[0]], [a[1], b[1]])
    assert math.hypot(x[1], y[1]) == pytest.approx(haversine_m(*a, *b), rel=1e-3)
