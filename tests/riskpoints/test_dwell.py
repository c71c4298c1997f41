"""The dwell rule: threshold edges, the open-stay variant and repeated calls."""

from __future__ import annotations

import pytest

from assetwatch.analytics.model import Stay
from assetwatch.riskpoints.dwell import RISK_POINT_DWELL, dwell_events, open_dwell_events
from assetwatch.riskpoints.index import RiskPoint, RiskPointIndex
from tests.riskpoints.conftest import destination

T0 = 1_780_000_000_000
SHOP = (22.5458, 114.0528)
MARKET = destination(*SHOP, 90, 400)
INDEX = RiskPointIndex(
    [
        RiskPoint(1, "shop", "Futian pawn shop", "pawn_shop", circle=(*SHOP, 150.0)),
        RiskPoint(1, "market", "Buji market", "used_car_market", circle=(*MARKET, 150.0)),
        RiskPoint(2, "other-bank", "", "pawn_shop", circle=(*SHOP, 150.0)),
    ]
)
THRESHOLD_S = 1_800.0


def stay(seconds: float, where: tuple[float, float] = SHOP, radius_m: float = 40.0) -> Stay:
    return Stay(T0, T0 + round(seconds * 1000), where[0], where[1], radius_m, points=12)


def test_a_stay_of_exactly_the_threshold_alarms() -> None:
    (event,) = dwell_events(stay(THRESHOLD_S), INDEX, THRESHOLD_S, tenant_id=1)
    assert (event.type, event.subject, event.alarm, event.retrospective) == (
        RISK_POINT_DWELL,
        "shop",
        True,
        False,
    )
    assert event.time_ms == T0 + 1_800_000  # when the threshold was reached
    assert event.details == {
        "risk_point": "shop", "category": "pawn_shop", "name": "Futian pawn shop",
        "stay_start_ms": T0, "stay_end_ms": T0 + 1_800_000, "duration_s": 1800.0,
        "threshold_s": 1800.0, "distance_m": 0.0, "stay_radius_m": 40.0,
        "lat": SHOP[0], "lon": SHOP[1], "ongoing": False,
    }  # fmt: skip


@pytest.mark.parametrize("short_by_s", [1.0, 0.001])
def test_a_stay_just_short_of_the_threshold_does_not(short_by_s: float) -> None:
    assert dwell_events(stay(THRESHOLD_S - short_by_s), INDEX, THRESHOLD_S, tenant_id=1) == []
    assert open_dwell_events(stay(THRESHOLD_S - short_by_s), INDEX, THRESHOLD_S) == []


def test_a_long_stay_away_from_risk_points_does_not() -> None:
    far = destination(*SHOP, 180, 150 + 40 + 10)
    assert dwell_events(stay(86_400, far), INDEX, THRESHOLD_S) == []


def test_a_stay_overlapping_two_risk_points_alarms_for_each() -> None:
    between = destination(*SHOP, 90, 200)  # 50 m from each edge
    events = dwell_events(stay(7_200, between, radius_m=60), INDEX, THRESHOLD_S, tenant_id=1)
    assert sorted((e.subject, e.details["distance_m"]) for e in events) == [
        ("market", pytest.approx(50, abs=1.0)),
        ("shop", pytest.approx(50, abs=1.0)),
    ]
    without_tenant = dwell_events(stay(7_200, between, radius_m=60), INDEX, THRESHOLD_S)
    assert sorted(e.subject for e in without_tenant) == ["market", "other-bank", "shop"]


def test_an_open_stay_alarms_once_then_its_close_adds_nothing() -> None:
    checks = [600, 1_500, 1_800, 2_400, 3_600]  # the stay so far, checked after each batch
    already: frozenset[str] = frozenset()
    fired = []
    for seconds in checks:
        events = open_dwell_events(stay(seconds), INDEX, THRESHOLD_S, tenant_id=1, already=already)
        fired += [(seconds, e.subject, e.time_ms, e.details["ongoing"]) for e in events]
        already |= {e.subject for e in events}
    assert fired == [(1_800, "shop", T0 + 1_800_000, True)]
    closed = dwell_events(stay(5_000), INDEX, THRESHOLD_S, tenant_id=1, already=already)
    assert closed == []


def test_an_open_stay_that_drifts_onto_a_second_risk_point_adds_only_that_one() -> None:
    first = open_dwell_events(stay(2_000), INDEX, THRESHOLD_S, tenant_id=1)
    assert [e.subject for e in first] == ["shop"]
    grown = stay(3_000, destination(*SHOP, 90, 200), radius_m=60)
    second = open_dwell_events(grown, INDEX, THRESHOLD_S, tenant_id=1, already={"shop"})
    assert [e.subject for e in second] == ["market"]
    assert second[0].time_ms == first[0].time_ms  # the same stay reached the threshold once


def test_repeated_calls_without_memory_repeat_the_same_event() -> None:
    once = open_dwell_events(stay(2_000), INDEX, THRESHOLD_S, tenant_id=1)
    twice = open_dwell_events(stay(2_500), INDEX, THRESHOLD_S, tenant_id=1)
    closed = dwell_events(stay(2_600), INDEX, THRESHOLD_S, tenant_id=1)
    keys = {(e.type, e.subject, e.time_ms) for e in [*once, *twice, *closed]}
    assert len(keys) == 1  # one alarm key, one time: the alarm layer folds them into one


def test_retrospective_passes_through_and_bad_thresholds_fail() -> None:
    (event,) = dwell_events(stay(1_900), INDEX, THRESHOLD_S, tenant_id=1, retrospective=True)
    assert event.retrospective
    (zero,) = dwell_events(stay(0), INDEX, 0, tenant_id=1)
    assert zero.time_ms == T0
    with pytest.raises(ValueError, match="must not be negative"):
        dwell_events(stay(10), INDEX, -1)
