"""Simulated cars driving to a yard are caught by the gathering sweep; the controls are not."""

from __future__ import annotations

import pytest

from assetwatch.analytics.gathering import GatheringParams
from assetwatch.analytics.gathering_tracker import GatheringTracker, SweepOutcome
from assetwatch.simulate.fleet import is_valid_vin
from assetwatch.simulate.gathering import (
    GatheringScenario,
    auto_mall_control,
    dispersed_control,
    yard_gathering,
)
from assetwatch.simulate.routes import LatLon, distance_m

YARD = LatLon(22.6012, 113.8735)
SWEEP_S = 120.0
PARAMS = GatheringParams()


def sweep(
    s: GatheringScenario, *, minutes: float = 90.0, premises: bool = True
) -> list[SweepOutcome]:
    """Sweep the scenario's live positions every two minutes from t = 0."""
    tracker = GatheringTracker(PARAMS)
    outcomes = []
    for step in range(int(minutes * 60 / SWEEP_S) + 1):
        t = step * SWEEP_S
        live = s.positions_at(t)
        mask = s.at_own_premises(live) if premises else None
        outcomes.append(tracker.sweep(live, now_ms=s.time_ms(t), at_own_premises=mask))
    return outcomes


def arrival_s(s: GatheringScenario, asset_id: int) -> float:
    """When the car first reported a position within 30 m of where it ends up."""
    car = next(c for c in s.cars if c.asset_id == asset_id)
    end = car.plan.vehicle.fix_at(10_000.0).position
    t = 0.0
    while distance_m(car.plan.vehicle.fix_at(t).position, end) > 30.0:
        t += car.plan.report_interval_s
    return t


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cars_of_four_borrowers_parking_in_one_yard_are_caught_with_the_right_members(
    seed: int,
) -> None:
    s = yard_gathering(YARD, cars=6, counterparties=4, seed=seed)
    outcomes = sweep(s)
    started = [(o.now_ms, g) for o in outcomes for g in o.started]
    assert len(started) == 1 and not any(o.ended for o in outcomes)
    now_ms, gathering = started[0]
    assert set(gathering.asset_ids) == s.expected == {1, 2, 3, 4, 5, 6}
    assert gathering.counterparty_ids == (1, 2, 3, 4)
    assert distance_m(YARD, LatLon(gathering.group.lat, gathering.group.lon)) < 30.0
    fifth_arrival_s = sorted(arrival_s(s, a) for a in s.expected)[PARAMS.k - 1]
    assert gathering.first_seen_ms >= s.time_ms(fifth_arrival_s)
    assert now_ms - gathering.first_seen_ms >= PARAMS.min_minutes * 60_000
    assert now_ms - s.time_ms(fifth_arrival_s) <= (PARAMS.min_minutes * 60 + 2 * SWEEP_S) * 1000


def test_the_same_cars_parked_apart_in_the_district_are_not_flagged() -> None:
    s = dispersed_control(YARD, cars=6, counterparties=4, radius_m=PARAMS.radius_m)
    live = s.positions_at(3600.0)
    spots = [LatLon(a, o) for a, o in zip(live.lat, live.lon, strict=True)]
    assert all(distance_m(YARD, p) < 600.0 for p in spots)  # same district
    assert all(o.events == [] for o in sweep(s))


def test_dealers_stock_in_their_own_lots_of_one_auto_mall_is_not_flagged() -> None:
    s = auto_mall_control(YARD, cars=6, dealers=4)
    assert all(o.events == [] for o in sweep(s))
    # the premises are what keeps it quiet: ignoring them, the lots look like one yard
    unmasked = [g for o in sweep(s, premises=False) for g in o.started]
    assert len(unmasked) == 1 and len(unmasked[0].counterparty_ids) >= PARAMS.m


def test_scenario_cars_are_real_terminals_with_valid_vins() -> None:
    s = yard_gathering(YARD, seed=4)
    plans = s.scenario().vehicles
    assert len({p.device for p in plans}) == len(plans) == 6
    assert all(is_valid_vin(p.vin) and len(p.device) == 12 for p in plans)
    at_home = s.at_own_premises(s.positions_at(0.0))
    assert at_home.all()  # they start at their borrowers' homes
