"""The demo fleet file and the geometry of the demo scenario's incidents (checked with shapely).

What the platform sees are the fixes at each device's report times: these tests replay those
and check that each incident crosses the right boundary at the right time.
"""

from __future__ import annotations

import math
from itertools import takewhile

import pytest
import yaml
from shapely.geometry import LineString, Point, Polygon

from assetwatch.simulate.fleet import (
    ENTERS_PAWN_ZONE,
    LEAVES_LOT,
    LOSES_POWER,
    VISITS_WHILE_SILENT,
    CirclePlace,
    Fleet,
    PolygonPlace,
    demo_fleet_path,
    demo_fleet_yaml,
    demo_scenario,
    is_valid_vin,
    load_fleet,
    vin_check_digit,
)
from assetwatch.simulate.routes import LatLon, local_metres
from assetwatch.simulate.scenario import ALARM_MAIN_POWER_CUT, IncidentKind, Scenario
from assetwatch.simulate.vehicle import Fix

DEMO_SECONDS = 60.0


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return load_fleet()


@pytest.fixture(scope="module")
def scenario(fleet: Fleet) -> Scenario:
    return demo_scenario(fleet)


def pawn_zone(fleet: Fleet) -> Polygon:
    place = fleet.place("pawn-zone")
    assert isinstance(place, PolygonPlace) and place.kind == "forbidden"
    return Polygon([(v.lon, v.lat) for v in place.vertices])


def lot_disc(lot: CirclePlace) -> Polygon:
    """The lot as a disc in local metres around its centre (see :func:`in_lot`)."""
    return Point(0.0, 0.0).buffer(lot.radius_m, quad_segs=64)


def in_lot(lot: CirclePlace, fix: Fix) -> bool:
    return bool(lot_disc(lot).contains(Point(*local_metres(lot.centre, fix.position))))


def in_polygon(zone: Polygon, fix: Fix) -> bool:
    return bool(zone.contains(Point(fix.lon, fix.lat)))


def reports(
    scenario: Scenario, device: str, until_s: float = DEMO_SECONDS
) -> list[tuple[float, Fix]]:
    """(t, fix) at each report time up to ``until_s``: what the terminal records."""
    plan = scenario.plan(device)
    times = takewhile(lambda t: t <= until_s, scenario.report_times(device))
    return [(t, plan.vehicle.fix_at(t)) for t in times]


# -- the provisioning file -------------------------------------------------------------------


def test_demo_fleet_file_is_consistent() -> None:
    assert demo_fleet_path().read_text("utf-8") == demo_fleet_yaml()
    doc = yaml.safe_load(demo_fleet_yaml())
    assert doc["tenant"] == "demo-bank"
    counterparties = {c["key"] for c in doc["counterparties"]}
    contracts = {c["key"]: c for c in doc["contracts"]}
    assets = {a["key"]: a for a in doc["assets"]}
    assert {c["counterparty"] for c in contracts.values()} <= counterparties
    assert {a["contract"] for a in assets.values()} <= set(contracts)
    devices = doc["devices"]
    assert 8 <= len(devices) <= 12
    assert len({d["key"] for d in devices}) == len(devices)
    assert {d["asset"] for d in devices} == set(assets)
    for d in devices:
        assert isinstance(d["key"], str) and len(d["key"]) == 12 and d["key"].isdigit()
        assert (d["protocol"], d["report_interval_s"], d["offline_tolerance"]) == ("jt808", 5, 3)
    for place in doc["places"]:
        applies = place["applies_to"]
        assert applies == "all" or applies["counterparty"] in counterparties


def test_vins_are_valid(fleet: Fleet) -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"  # the classic ISO 3779 example
    assert not is_valid_vin("LSVAU2180N2183294")  # wrong check digit
    assert not is_valid_vin("LSVAU2182R668153")  # too short
    assert all(is_valid_vin(device.vin) for device in fleet.devices)


def test_places_are_around_shenzhen(fleet: Fleet) -> None:
    zone = pawn_zone(fleet)
    assert zone.is_valid
    for lot_key in ("dealer-001-lot", "dealer-002-lot"):
        lot = fleet.place(lot_key)
        assert isinstance(lot, CirclePlace) and lot.kind == "allowed"
        assert abs(lot.centre.lat - 22.54) < 0.05 and abs(lot.centre.lon - 114.05) < 0.05
        east, north = local_metres(lot.centre, LatLon(zone.centroid.y, zone.centroid.x))
        assert 1_000 <= math.hypot(east, north) <= 5_000


# -- the incidents ---------------------------------------------------------------------------


def test_timeline_names_every_expected_alarm(scenario: Scenario) -> None:
    kinds = {i.kind for i in scenario.timeline()}
    assert kinds == set(IncidentKind)
    expected = " ".join(i.expect for i in scenario.timeline())
    for alarm in ("geofence_exit", "geofence_enter", "power_cut", "offline", "retrospective"):
        assert alarm in expected


def test_a_car_leaves_its_lot(fleet: Fleet, scenario: Scenario) -> None:
    lot = fleet.lot_of(fleet.device(LEAVES_LOT).counterparty)
    assert lot is not None
    seen = reports(scenario, LEAVES_LOT)
    assert in_lot(lot, seen[0][1]), "first report inside, so the platform knows it was in"
    left = [t for t, f in seen if not in_lot(lot, f)]
    assert left and left[0] <= 30.0
    assert all(not in_lot(lot, f) for t, f in seen if t >= left[0])
    path = LineString([local_metres(lot.centre, f.position) for _, f in seen])
    assert path.crosses(lot_disc(lot).exterior)


def test_a_car_enters_the_forbidden_zone_and_stays(fleet: Fleet, scenario: Scenario) -> None:
    zone = pawn_zone(fleet)
    seen = reports(scenario, ENTERS_PAWN_ZONE)
    assert not in_polygon(zone, seen[0][1])
    entered = [t for t, f in seen if in_polygon(zone, f)]
    assert entered and entered[0] <= 30.0
    final = scenario.plan(ENTERS_PAWN_ZONE).vehicle.fix_at(3_600)
    assert in_polygon(zone, final) and final.speed_kmh == 0 and not final.ignition


def test_a_tracker_reports_a_power_cut(scenario: Scenario) -> None:
    flags = [
        (t, scenario.alarm_flags_at(LOSES_POWER, t)) for t, _ in reports(scenario, LOSES_POWER)
    ]
    assert flags[0][1] == 0, "a rising edge needs a report without the alarm first"
    cut = [t for t, f in flags if f & ALARM_MAIN_POWER_CUT]
    assert cut and cut[0] <= 15.0
    assert flags[-1][1] == 0, "power comes back within the demo"


def test_silence_hides_a_forbidden_visit_that_the_backfill_reveals(
    fleet: Fleet, scenario: Scenario
) -> None:
    zone = pawn_zone(fleet)
    device = fleet.device(VISITS_WHILE_SILENT)
    [(start, end)] = scenario.silent_windows(VISITS_WHILE_SILENT)
    offline_after = device.report_interval_s * device.offline_tolerance
    assert end - start > offline_after + device.report_interval_s, "long enough to go offline"
    assert end <= 50.0
    seen = reports(scenario, VISITS_WHILE_SILENT)
    live = [f for t, f in seen if not start <= t < end]
    backfilled = [f for t, f in seen if start <= t < end]
    assert not any(in_polygon(zone, f) for f in live), "live reports never show the visit"
    assert sum(in_polygon(zone, f) for f in backfilled) >= 3, "the backfill does"
    assert any(t > end for t, _ in seen), "a live report follows the backfill"


def test_ordinary_cars_stay_put_for_ten_minutes(fleet: Fleet, scenario: Scenario) -> None:
    zone = pawn_zone(fleet)
    incident_cars = {i.device for i in scenario.incidents}
    ordinary = [p for p in scenario.vehicles if p.device not in incident_cars]
    assert len(ordinary) >= 5
    assert any(p.role == "roaming" for p in ordinary) and any(p.role == "parked" for p in ordinary)
    for plan in ordinary:
        lot = fleet.lot_of(fleet.device(plan.device).counterparty)
        fixes = plan.vehicle.track(600.0, step_s=2.0)
        assert not any(in_polygon(zone, f) for f in fixes), plan.device
        if lot is not None:
            assert all(in_lot(lot, f) for f in fixes), plan.device
            assert max(f.speed_kmh for f in fixes) <= 20.0  # manoeuvring in a lot
        else:
            assert max(f.speed_kmh for f in fixes) > 25.0  # driving in town


def test_report_times_include_alarm_edges(scenario: Scenario) -> None:
    [cut] = [i for i in scenario.incidents if i.kind is IncidentKind.POWER_CUT]
    times = list(takewhile(lambda t: t <= 60, scenario.report_times(cut.device)))
    assert cut.at_s in times and cut.until_s in times
    assert times == sorted(set(times))
