"""Learned hotspots on a synthetic portfolio: the yard where defaulted cars went is found;
a mall everybody visits is not; a portfolio without defaults gives nothing."""

from __future__ import annotations

import random

from assetwatch.analytics.hotspots import HotspotParams, learned_hotspots
from assetwatch.analytics.model import Stay
from assetwatch.geo.distance import haversine_m

T0 = 1_780_000_000_000
HOUR = 3_600_000
YARD = (22.6811, 114.2210)
MALL = (22.5333, 114.0550)


def _stay(where: tuple[float, float], n: int, hours: float = 2.0) -> Stay:
    jitter = (n % 5 - 2) * 2e-4
    return Stay(T0 + n * HOUR, T0 + n * HOUR + int(hours * HOUR), where[0] + jitter,
                where[1] - jitter, 40.0, 60)  # fmt: skip


def _portfolio(seed: int = 3) -> tuple[list[tuple[int, Stay]], set[int]]:
    rng = random.Random(seed)
    defaulted = set(range(8))
    stays: list[tuple[int, Stay]] = []
    for asset in range(60):
        home = (22.50 + rng.random() * 0.2, 113.90 + rng.random() * 0.3)
        stays += [(asset, _stay(home, n, 10.0)) for n in range(0, 200, 24)]
        if asset < 6 or asset == 40:  # six defaulted cars and one good one went to the yard
            stays.append((asset, _stay(YARD, asset)))
        if asset % 3 == 0:  # a third of everybody goes to the mall
            stays.append((asset, _stay(MALL, asset, 3.0)))
    return stays, defaulted


def test_the_yard_of_the_defaulted_cars_is_suggested_and_the_mall_is_not() -> None:
    stays, defaulted = _portfolio()
    [spot] = learned_hotspots(stays, defaulted, HotspotParams())
    assert haversine_m(spot.lat, spot.lon, *YARD) < 100
    assert (spot.defaulted_assets, spot.other_assets) == (6, 1)
    assert spot.lift > 5 and spot.p_value < 1e-4


def test_short_visits_and_portfolios_without_defaults_give_nothing() -> None:
    stays, defaulted = _portfolio()
    assert learned_hotspots(stays, set(), HotspotParams()) == []
    # the yard visits last 2 h: a 2 h 1 s minimum leaves only homes and the mall
    assert learned_hotspots(stays, defaulted, HotspotParams(min_stay_s=2 * 3600 + 1)) == []
    assert learned_hotspots(stays, defaulted, HotspotParams(min_defaulted=7)) == []
