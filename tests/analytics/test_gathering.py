"""Abnormal gathering: tiny exact yards swept every few minutes through the tracker."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assetwatch.analytics.gathering import (
    GatheringParams,
    LivePositions,
    TooDense,
    eligible_mask,
    find_groups,
)
from assetwatch.analytics.gathering_tracker import GatheringTracker, SweepOutcome
from assetwatch.analytics.premises import PremisesCircle, PremisesIndex
from tests.analytics.gathering_fixtures import MINUTE, T0, YARD, at, positions, ring

SIX_CARS_FOUR_BORROWERS = [11, 11, 12, 13, 14, 14]
YARD_CARS = ring(YARD, 5, 40.0) + [YARD]  # six cars within 40 m of the yard's centre


def sweep_every(
    tracker: GatheringTracker,
    cars: LivePositions,
    minutes: range,
    at_own_premises: np.ndarray | None = None,
) -> dict[int, SweepOutcome]:
    """Sweep ``cars`` (fixes refreshed to each sweep's time) at each minute of ``minutes``."""
    outcomes = {}
    for minute in minutes:
        now = T0 + minute * MINUTE
        fresh = LivePositions(
            cars.asset_id, cars.counterparty_id, cars.lat, cars.lon, np.full(len(cars), now)
        )
        outcomes[minute] = tracker.sweep(fresh, now_ms=now, at_own_premises=at_own_premises)
    return outcomes


def started_at(outcomes: dict[int, SweepOutcome]) -> dict[int, list[tuple[int, ...]]]:
    return {m: [g.asset_ids for g in o.started] for m, o in outcomes.items() if o.started}


def test_six_cars_of_four_borrowers_in_a_yard_for_40_minutes_raise_one_gathering() -> None:
    cars = positions(YARD_CARS, SIX_CARS_FOUR_BORROWERS, time_ms=T0)
    tracker = GatheringTracker(GatheringParams())
    outcomes = sweep_every(tracker, cars, range(0, 41, 5))
    assert started_at(outcomes) == {30: [(100, 101, 102, 103, 104, 105)]}
    (event,) = outcomes[30].events
    assert event.type == "gathering" and event.alarm and event.time_ms == T0 + 30 * MINUTE
    assert event.subject == f"{T0}-100"  # first seen at T0; all tie, the smallest id seeds
    assert event.details["assets"] == [100, 101, 102, 103, 104, 105]
    assert event.details["counterparties"] == [11, 12, 13, 14]
    assert event.details["since"] == T0
    assert 40.0 < event.details["radius_m"] <= 80.0
    assert event.details["centre"] == {"lat": YARD_CARS[0][0], "lon": YARD_CARS[0][1]}
    assert [g.key for g in tracker.active()] == [event.subject]
    assert all(not o.events for m, o in outcomes.items() if m != 30)


def test_the_same_cars_at_their_own_dealers_premises_are_no_gathering() -> None:
    cars = positions(YARD_CARS, SIX_CARS_FOUR_BORROWERS, time_ms=T0)
    premises = PremisesIndex(
        circles=[PremisesCircle(cp, YARD[0], YARD[1], 80.0) for cp in (11, 12, 13, 14)]
    )
    mask = premises.contains(cars.counterparty_id, cars.lat, cars.lon)
    assert mask.all()
    tracker = GatheringTracker()
    outcomes = sweep_every(tracker, cars, range(0, 41, 5), at_own_premises=mask)
    assert not started_at(outcomes) and not tracker.candidates()


def test_premises_of_another_borrower_do_not_excuse_a_car() -> None:
    cars = positions(YARD_CARS, SIX_CARS_FOUR_BORROWERS, time_ms=T0)
    premises = PremisesIndex(circles=[PremisesCircle(99, YARD[0], YARD[1], 80.0)])
    mask = premises.contains(cars.counterparty_id, cars.lat, cars.lon)
    assert not mask.any()
    assert len(find_groups(cars, now_ms=T0, at_own_premises=mask)) == 1


def test_six_cars_of_one_borrower_are_a_fleet_not_a_gathering() -> None:
    cars = positions(YARD_CARS, [11] * 6, time_ms=T0)
    assert find_groups(cars, now_ms=T0, params=GatheringParams(m=3)) == []
    assert len(find_groups(cars, now_ms=T0, params=GatheringParams(m=1))) == 1


def test_cars_a_kilometre_apart_are_no_gathering() -> None:
    spread = [at(YARD, 1000.0 * i, 1000.0 * j) for i in range(3) for j in range(2)]
    cars = positions(spread, SIX_CARS_FOUR_BORROWERS, time_ms=T0)
    tracker = GatheringTracker()
    assert not started_at(sweep_every(tracker, cars, range(0, 41, 5)))
    assert find_groups(cars, now_ms=T0, params=GatheringParams(k=2, m=1)) == []


def test_a_group_that_breaks_up_before_30_minutes_raises_nothing() -> None:
    cars = positions(YARD_CARS, SIX_CARS_FOUR_BORROWERS, time_ms=T0)
    tracker = GatheringTracker()
    before = sweep_every(tracker, cars, range(0, 21, 5))
    assert len(tracker.candidates()) == 1 and not tracker.active()
    gone = positions(
        [at(YARD, 0, 900.0 * i) for i in range(6)], SIX_CARS_FOUR_BORROWERS, time_ms=T0
    )
    after = sweep_every(tracker, gone, range(25, 61, 5))
    assert not started_at(before | after)
    assert all(not o.ended for o in after.values())
    assert not tracker.candidates()


def test_a_reported_gathering_ends_once_when_it_dissolves() -> None:
    cars = positions(YARD_CARS, SIX_CARS_FOUR_BORROWERS, time_ms=T0)
    tracker = GatheringTracker()
    sweep_every(tracker, cars, range(0, 31, 5))
    (key,) = [g.key for g in tracker.active()]
    two_left = positions(YARD_CARS[:2], SIX_CARS_FOUR_BORROWERS[:2], time_ms=T0)
    after = sweep_every(tracker, two_left, range(35, 46, 5))
    (ended,) = after[35].events
    assert (ended.type, ended.subject, ended.alarm) == ("gathering_ended", key, False)
    assert ended.details["until"] == T0 + 30 * MINUTE
    assert not after[40].events and not tracker.active()


def test_a_gathering_keeps_its_key_while_cars_come_and_go() -> None:
    tracker = GatheringTracker(GatheringParams(min_minutes=10))
    first = positions(YARD_CARS, SIX_CARS_FOUR_BORROWERS, time_ms=T0)
    sweep_every(tracker, first, range(0, 11, 5))
    (key,) = [g.key for g in tracker.active()]
    more = positions(
        YARD_CARS + ring(YARD, 4, 70.0), SIX_CARS_FOUR_BORROWERS + [15] * 4, time_ms=T0
    )
    sweep_every(tracker, more, range(15, 21, 5))
    (grown,) = tracker.active()
    assert grown.key == key and len(grown.asset_ids) == 10 and grown.first_seen_ms == T0
    fewer = positions(YARD_CARS[1:], SIX_CARS_FOUR_BORROWERS[1:], time_ms=T0, first_id=101)
    sweep_every(tracker, fewer, range(25, 26))
    (shrunk,) = tracker.active()
    assert shrunk.key == key and shrunk.asset_ids == (101, 102, 103, 104, 105)
    assert shrunk.duration_s == 25 * 60


@pytest.mark.parametrize("origin", [YARD, at(YARD, 30.0, -20.0), (0.0, 0.0)])
def test_a_yard_straddling_cell_and_band_boundaries_is_found(origin: tuple[float, float]) -> None:
    """With the grid's origin at the yard's centre a cell corner and a latitude band edge run
    through the middle of the yard: every car is in a different cell from its neighbours."""
    corners = [at(YARD, dn, de) for dn in (-15.0, 15.0) for de in (-15.0, 15.0)]
    cars = positions(
        corners + [at(YARD, -1.0, 1.0), at(YARD, 1.0, -1.0)], SIX_CARS_FOUR_BORROWERS, time_ms=T0
    )
    (group,) = find_groups(cars, now_ms=T0, grid_origin=origin)
    assert group.asset_ids == (100, 101, 102, 103, 104, 105)


def test_unknown_counterparties_count_towards_k_but_not_m_by_default() -> None:
    cars = positions(YARD_CARS, [11, 12, -1, -1, -1, -1], time_ms=T0)
    assert find_groups(cars, now_ms=T0) == []
    (group,) = find_groups(cars, now_ms=T0, params=GatheringParams(m=2))
    assert group.counterparty_ids == (11, 12) and group.unknown_counterparties == 4
    lenient = GatheringParams(count_unknown_counterparties=True)
    assert len(find_groups(cars, now_ms=T0, params=lenient)) == 1


def test_old_fixes_and_missing_positions_do_not_count() -> None:
    old = T0 - 3_601_000
    cars = positions(YARD_CARS, SIX_CARS_FOUR_BORROWERS, time_ms=[T0, T0, T0, T0, T0, old])
    mask = eligible_mask(cars, now_ms=T0, params=GatheringParams())
    assert mask.tolist() == [True] * 5 + [False]
    (group,) = find_groups(cars, now_ms=T0)
    assert group.asset_ids == (100, 101, 102, 103, 104)
    assert find_groups(cars, now_ms=T0, params=GatheringParams(k=6)) == []
    nowhere = positions(
        [(0.0, 0.0)] * 5 + [(float("nan"), 1.0)], SIX_CARS_FOUR_BORROWERS, time_ms=T0
    )
    assert not eligible_mask(nowhere, now_ms=T0, params=GatheringParams()).any()


def test_the_seed_is_the_car_with_most_neighbours_not_the_smallest_id() -> None:
    """Four cars 110 m west and four 110 m east of a ninth: only the one in the middle has
    all eight within 200 m, so it seeds one group of nine."""
    west, east = ring(at(YARD, 0.0, -110.0), 4, 5.0), ring(at(YARD, 0.0, 110.0), 4, 5.0)
    cars = positions(west + east + [YARD], [1, 2, 3, 4, 5, 6, 7, 8, 9], time_ms=T0)
    (group,) = find_groups(cars, now_ms=T0)
    assert group.seed_asset_id == 108 and len(group.asset_ids) == 9
    assert (group.lat, group.lon) == YARD


def test_a_chain_of_cars_is_cut_into_groups_no_wider_than_two_radii() -> None:
    """Ten cars 150 m apart along a street: single linkage would make one 1.35 km group."""
    street = [at(YARD, 0.0, 150.0 * i) for i in range(10)]
    cars = positions(street, list(range(10)), time_ms=T0)
    groups = find_groups(cars, now_ms=T0, params=GatheringParams(k=3, m=1))
    assert sorted(g.asset_ids for g in groups) == [
        (100, 101, 102),
        (103, 104, 105),
        (106, 107, 108),
    ]
    assert all(g.radius_m <= 200.0 for g in groups)


def test_state_survives_a_restart_through_json() -> None:
    cars = positions(YARD_CARS, SIX_CARS_FOUR_BORROWERS, time_ms=T0)
    steady = GatheringTracker()
    restarted = GatheringTracker()
    sweep_every(steady, cars, range(0, 21, 5))
    sweep_every(restarted, cars, range(0, 21, 5))
    restarted = GatheringTracker.from_state(json.loads(json.dumps(restarted.state())))
    assert restarted.state() == steady.state()
    a = sweep_every(steady, cars, range(25, 41, 5))
    b = sweep_every(restarted, cars, range(25, 41, 5))
    assert [o.events for o in a.values()] == [o.events for o in b.values()]
    assert started_at(b) == {30: [(100, 101, 102, 103, 104, 105)]}


def test_sweeps_must_move_forward_and_state_must_be_known() -> None:
    tracker = GatheringTracker()
    tracker.update([], now_ms=T0)
    with pytest.raises(ValueError, match="not after"):
        tracker.update([], now_ms=T0)
    with pytest.raises(ValueError, match="version"):
        GatheringTracker.from_state({"version": 99, "tracks": []})


def test_bad_input_is_refused() -> None:
    one = np.array([1.0])
    with pytest.raises(ValueError, match="unique"):
        LivePositions(np.array([7, 7]), np.array([1, 2]), one.repeat(2), one.repeat(2), [T0, T0])
    with pytest.raises(ValueError, match="equal length"):
        LivePositions(np.array([7, 8]), np.array([1, 2]), one, one.repeat(2), [T0, T0])
    cars = positions(YARD_CARS, SIX_CARS_FOUR_BORROWERS, time_ms=T0)
    with pytest.raises(ValueError, match="one entry per asset"):
        find_groups(cars, now_ms=T0, at_own_premises=np.zeros(5, dtype=bool))


@pytest.mark.parametrize(
    "changes", [{"k": 1}, {"m": 0}, {"radius_m": 0.0}, {"max_age_s": -1.0}, {"min_minutes": -1}]
)
def test_nonsense_parameters_are_refused(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        GatheringParams(**changes)  # type: ignore[arg-type]


def test_a_crowd_too_dense_to_pair_is_refused_with_where_it_is() -> None:
    crowd = ring(YARD, 50, 10.0) + ring(YARD, 50, 30.0)
    cars = positions(crowd, list(range(100)), time_ms=T0)
    assert len(find_groups(cars, now_ms=T0)) == 1
    with pytest.raises(TooDense, match="exceed 5,000") as refused:
        find_groups(cars, now_ms=T0, max_candidate_pairs=5_000)
    lat, lon, count = refused.value.spots[0]
    assert count == 100 and abs(lat - YARD[0]) < 0.003 and abs(lon - YARD[1]) < 0.003
