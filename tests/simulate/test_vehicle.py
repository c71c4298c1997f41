"""SimulatedVehicle kinematics: speeds, acceleration, mileage, ignition, determinism."""

from __future__ import annotations

import math

import pytest

from assetwatch.simulate.routes import LatLon, Route, distance_m, offset, street_grid_route
from assetwatch.simulate.vehicle import (
    SIMULATION_EPOCH,
    Drive,
    DrivingStyle,
    Fix,
    Park,
    SimulatedVehicle,
    shuttle_itinerary,
)

CENTRE = LatLon(22.54, 114.05)
STYLE = DrivingStyle()


def city_car(seed: int = 5, jitter: float = 0.0) -> SimulatedVehicle:
    route = street_grid_route(CENTRE, seed=seed, length_m=4_000, radius_m=1_000)
    itinerary = shuttle_itinerary(route, seed=seed, park_s=(60, 120), first_park_s=30)
    return SimulatedVehicle(itinerary, seed=seed, odometer_km=12_000.0, gps_jitter_m=jitter)


@pytest.fixture(scope="module")
def track() -> list[Fix]:
    return city_car().track(1_800, step_s=0.5)


def test_speeds_are_urban(track: list[Fix]) -> None:
    speeds = [f.speed_kmh for f in track]
    assert min(speeds) == 0.0
    assert max(speeds) <= STYLE.max_speed_kmh + 1e-6
    moving = [s for s in speeds if s > 0]
    assert 20.0 < sum(moving) / len(moving) < 50.0


def test_acceleration_and_braking_are_bounded(track: list[Fix]) -> None:
    for a, b in zip(track, track[1:], strict=False):
        rate = (b.speed_kmh - a.speed_kmh) / 3.6 / 0.5
        assert -STYLE.brake_mps2 - 1e-6 <= rate <= STYLE.accel_mps2 + 1e-6


def test_mileage_matches_the_distance_driven(track: list[Fix]) -> None:
    driven_m = sum(
        distance_m(a.position, b.position) for a, b in zip(track, track[1:], strict=False)
    )
    mileage_m = (track[-1].mileage_km - track[0].mileage_km) * 1000
    assert driven_m > 5_000
    assert mileage_m == pytest.approx(driven_m, rel=0.01)  # sampling cuts corners slightly
    assert all(b.mileage_km >= a.mileage_km for a, b in zip(track, track[1:], strict=False))
    assert track[0].mileage_km == pytest.approx(12_000.0)


def test_position_moves_consistently_with_speed(track: list[Fix]) -> None:
    for a, b in zip(track, track[1:], strict=False):
        step = distance_m(a.position, b.position)
        assert step <= max(a.speed_kmh, b.speed_kmh) / 3.6 * 0.5 + 0.01


def test_ignition_is_off_while_parked_and_on_while_driving(track: list[Fix]) -> None:
    assert not any(f.ignition for f in track[:60])  # first 30 s parked
    assert all(f.ignition for f in track if f.speed_kmh > 0)
    long_stops = _standstills(track, min_s=40)
    assert long_stops, "the car parks between laps"
    assert all(not f.ignition for stop in long_stops for f in stop[1:-1])


def test_red_lights_stop_with_ignition_on(track: list[Fix]) -> None:
    short_stops = [s for s in _standstills(track, min_s=2) if all(f.ignition for f in s)]
    assert short_stops
    assert all(len(s) * 0.5 <= STYLE.red_light_s[1] + 1 for s in short_stops)


def test_course_follows_the_road() -> None:
    east = offset(CENTRE, east_m=600)
    car = SimulatedVehicle([Drive(Route([CENTRE, east])), Park(math.inf)], gps_jitter_m=0)
    moving = [f for f in car.track(60) if f.speed_kmh > 0]
    assert moving and all(f.course == pytest.approx(90.0, abs=0.01) for f in moving)
    end = car.fix_at(3_600)
    assert distance_m(end.position, east) < 0.01
    assert (end.speed_kmh, end.ignition) == (0.0, False)


def test_same_seed_same_track_whatever_the_query_order() -> None:
    late_first = city_car(seed=9, jitter=3.0)
    late = late_first.fix_at(900.0)
    in_order = city_car(seed=9, jitter=3.0)
    assert [in_order.fix_at(t) for t in (0.0, 450.0, 900.0)][-1] == late
    assert city_car(seed=9).track(300) == city_car(seed=9).track(300)
    assert city_car(seed=9).track(300) != city_car(seed=10).track(300)


def test_gps_jitter_is_small() -> None:
    spot = LatLon(22.55, 114.06)
    car = SimulatedVehicle.parked_at(spot, seed=3, gps_jitter_m=2.0)
    fixes = car.track(120)
    errors = [distance_m(f.position, spot) for f in fixes]
    assert 0 < max(errors) < 12
    assert len({f.position for f in fixes}) > 1
    assert all(f.speed_kmh == 0 and not f.ignition for f in fixes)


def test_fix_times_are_utc_from_the_epoch() -> None:
    car = SimulatedVehicle.parked_at(CENTRE)
    assert car.fix_at(90).time == SIMULATION_EPOCH.replace(minute=1, second=30)
    assert car.fix_at(-5).time == SIMULATION_EPOCH


def _standstills(track: list[Fix], *, min_s: float) -> list[list[Fix]]:
    runs: list[list[Fix]] = []
    current: list[Fix] = []
    for f in track:
        if f.speed_kmh == 0:
            current.append(f)
            continue
        if len(current) * 0.5 >= min_s:
            runs.append(current)
        current = []
    return runs
