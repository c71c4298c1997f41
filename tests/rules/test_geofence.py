"""Geofence rule: circles and polygons, applicability, enter/exit transitions."""

from __future__ import annotations

import math

import pytest

from assetwatch.rules.geofence import (
    Applicability,
    Fence,
    FenceIndex,
    shape_to_geometry,
    transitions,
)

LOT = {"circle": {"lat": 22.5431, "lon": 114.0579, "radius_m": 300}}
PAWN = {"polygon": [[114.06, 22.54], [114.07, 22.54], [114.07, 22.55], [114.06, 22.55]]}


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (lat + north_m / 111_320.0, lon + east_m / (111_320.0 * math.cos(math.radians(lat))))


@pytest.fixture
def index() -> FenceIndex:
    return FenceIndex(
        [
            Fence(
                1,
                10,
                "dealer-001-lot",
                "allowed",
                shape_to_geometry(LOT),
                Applicability(counterparty_ids=frozenset({7})),
            ),
            Fence(
                2,
                10,
                "pawn-zone",
                "forbidden",
                shape_to_geometry(PAWN),
                Applicability(everyone=True),
            ),
            Fence(
                3,
                99,
                "other-tenant-zone",
                "forbidden",
                shape_to_geometry(PAWN),
                Applicability(everyone=True),
            ),
        ]
    )


@pytest.mark.parametrize(
    ("east_m", "inside"), [(0, True), (290, True), (310, False), (-295, True), (-305, False)]
)
def test_circle_radius_is_metres_east_west(index: FenceIndex, east_m: float, inside: bool) -> None:
    lat, lon = offset(22.5431, 114.0579, 0, east_m)
    hits = index.containing([lon], [lat])[0]
    assert ("dealer-001-lot" in {f.key for f in hits}) is inside


@pytest.mark.parametrize(("north_m", "inside"), [(295, True), (305, False)])
def test_circle_radius_is_metres_north_south(
    index: FenceIndex, north_m: float, inside: bool
) -> None:
    lat, lon = offset(22.5431, 114.0579, north_m, 0)
    assert ("dealer-001-lot" in {f.key for f in index.containing([lon], [lat])[0]}) is inside


def test_polygon_uses_lon_lat_order(index: FenceIndex) -> None:
    hits = index.containing([114.065, 114.075], [22.545, 22.545])
    assert {f.key for f in hits[0]} == {"pawn-zone", "other-tenant-zone"}
    assert hits[1] == []


def test_inside_set_filters_tenant_and_applicability(index: FenceIndex) -> None:
    fences = index.containing([114.0579], [22.5431])[0]
    assert index.inside_set(fences, tenant_id=10, asset_id=1, counterparty_id=7) == {1}
    assert index.inside_set(fences, tenant_id=10, asset_id=1, counterparty_id=8) == frozenset()
    pawn = index.containing([114.065], [22.545])[0]
    assert index.inside_set(pawn, tenant_id=10, asset_id=1, counterparty_id=None) == {2}


def test_exit_from_allowed_raises_alarm_enter_does_not(index: FenceIndex) -> None:
    events = transitions(frozenset({1}), frozenset(), index, time_ms=5, lat=0, lon=0)
    assert [(e.type, e.subject, e.alarm) for e in events] == [
        ("geofence_exit", "dealer-001-lot", True)
    ]
    back = transitions(frozenset(), frozenset({1}), index, time_ms=6, lat=0, lon=0)
    assert [(e.type, e.alarm) for e in back] == [("geofence_enter", False)]


def test_enter_forbidden_raises_alarm_and_first_fix_is_silent(index: FenceIndex) -> None:
    events = transitions(
        frozenset(), frozenset({2}), index, time_ms=5, lat=0, lon=0, retrospective=True
    )
    assert [(e.type, e.subject, e.alarm, e.retrospective) for e in events] == [
        ("geofence_enter", "pawn-zone", True, True)
    ]
    assert transitions(None, frozenset({2}), index, time_ms=5, lat=0, lon=0) == []


def test_bulk_query_of_many_points_matches_single_queries(index: FenceIndex) -> None:
    lons = [114.05 + i * 0.0005 for i in range(60)]
    lats = [22.5431 + (i % 5) * 0.002 for i in range(60)]
    bulk = index.containing(lons, lats)
    for i in range(60):
        assert {f.key for f in bulk[i]} == {
            f.key for f in index.containing([lons[i]], [lats[i]])[0]
        }
