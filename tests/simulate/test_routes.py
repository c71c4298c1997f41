"""Routes: geodesy helpers, street-grid drives and waypoint routes."""

from __future__ import annotations

import pytest

from assetwatch.simulate.routes import (
    LatLon,
    Route,
    StreetGrid,
    destination,
    distance_m,
    heading_deg,
    local_metres,
    offset,
    route_through,
    street_grid_route,
    turn_angle_deg,
)

CENTRE = LatLon(22.54, 114.05)


def test_distance_and_heading() -> None:
    north = LatLon(23.54, 114.05)
    assert distance_m(CENTRE, north) == pytest.approx(111_195, rel=1e-3)
    assert heading_deg(CENTRE, north) == pytest.approx(0.0, abs=1e-9)
    assert heading_deg(CENTRE, offset(CENTRE, east_m=500)) == pytest.approx(90.0, abs=0.01)
    assert heading_deg(CENTRE, offset(CENTRE, north_m=-500)) == pytest.approx(180.0, abs=0.01)
    assert turn_angle_deg(350.0, 10.0) == pytest.approx(20.0)
    assert turn_angle_deg(90.0, 270.0) == pytest.approx(180.0)


def test_offsets_round_trip_in_metres() -> None:
    p = offset(CENTRE, north_m=1_200.0, east_m=-800.0)
    east, north = local_metres(CENTRE, p)
    assert (east, north) == (pytest.approx(-800.0), pytest.approx(1_200.0))
    assert distance_m(CENTRE, p) == pytest.approx(1_442.2, rel=1e-3)
    q = destination(CENTRE, 30.0, 1_000.0)
    assert distance_m(CENTRE, q) == pytest.approx(1_000.0, rel=1e-3)
    assert heading_deg(CENTRE, q) == pytest.approx(30.0, abs=0.05)


def test_route_positions_along_a_polyline() -> None:
    a, b = CENTRE, offset(CENTRE, east_m=300)
    c = offset(b, north_m=400)
    route = Route([a, a, b, c])  # the duplicate is dropped
    assert route.points == (a, b, c)
    assert route.length_m == pytest.approx(700.0, rel=1e-3)
    point, heading = route.position_at(150.0)
    assert distance_m(point, offset(CENTRE, east_m=150)) < 0.5
    assert heading == pytest.approx(90.0, abs=0.01)
    assert route.position_at(10_000.0)[0] == c
    assert route.position_at(-5.0)[0] == a
    assert route.turn_angles_deg() == (pytest.approx(90.0, abs=0.01),)
    assert route.reversed().points == (c, b, a)
    assert Route([a]).length_m == 0.0


def test_grid_route_is_deterministic_for_a_seed() -> None:
    one = street_grid_route(CENTRE, seed=42, length_m=3_000)
    again = street_grid_route(CENTRE, seed=42, length_m=3_000)
    other = street_grid_route(CENTRE, seed=43, length_m=3_000)
    assert one.points == again.points
    assert one.points != other.points


@pytest.mark.parametrize("bearing", [0.0, 28.0])
def test_grid_route_drives_along_streets_near_the_centre(bearing: float) -> None:
    route = street_grid_route(
        CENTRE, seed=7, length_m=5_000, block_m=150, radius_m=700, bearing_deg=bearing
    )
    assert route.length_m >= 5_000
    assert all(distance_m(CENTRE, p) <= 700 + 1 for p in route.points)
    assert all(distance_m(CENTRE, p) <= 700 + 1 for p in route.points)
    for length in route.segment_lengths_m:
        assert length == pytest.approx(150.0, rel=1e-3)  # one block per segment
    for heading in route.segment_headings_deg:
        off_axis = (heading - bearing) % 90.0
        assert min(off_axis, 90.0 - off_axis) < 0.1  # along the (tilted) grid
    assert any(angle > 80 for angle in route.turn_angles_deg())  # it does turn


def test_route_through_waypoints_is_l_shaped() -> None:
    lot = CENTRE
    target = offset(CENTRE, north_m=900, east_m=400)
    route = route_through([lot, target])
    assert route.start == lot and route.end == target
    assert len(route.points) == 3
    assert route.length_m == pytest.approx(1_300.0, rel=1e-3)  # longer leg first
    assert route.segment_headings_deg[0] == pytest.approx(0.0, abs=0.05)
    straight = route_through([lot, target], along_streets=False)
    assert straight.length_m == pytest.approx(distance_m(lot, target))


def test_street_grid_nodes_and_coordinates() -> None:
    grid = StreetGrid(CENTRE, block_m=200.0, bearing_deg=15.0)
    node = grid.node(3, -2)
    i, j = grid.grid_coordinates(node)
    assert (i, j) == (pytest.approx(3.0, abs=1e-6), pytest.approx(-2.0, abs=1e-6))
    assert distance_m(CENTRE, grid.node(0, 1)) == pytest.approx(200.0, rel=1e-3)
    assert heading_deg(CENTRE, grid.node(0, 1)) == pytest.approx(15.0, abs=0.05)
