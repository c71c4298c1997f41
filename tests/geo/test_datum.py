"""WGS-84 / GCJ-02 / BD-09 against published values, round trips and the China box."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetwatch.geo.datum import (
    bd09_to_gcj02,
    from_wgs84,
    gcj02_to_bd09,
    to_wgs84,
    wgs84_to_gcj02,
)
from assetwatch.geo.distance import haversine_m


def test_published_values() -> None:
    # coordtransform (wandergis) README, for the point (lon 116.404, lat 39.915)
    assert wgs84_to_gcj02(39.915, 116.404) == pytest.approx((39.91640428150164, 116.41024449916938))
    # (the README's closed-form inverse; ours is refined to the exact inverse, ~1e-6 away)
    assert bd09_to_gcj02(39.915, 116.404) == pytest.approx(
        (39.90865673957631, 116.39762729119315), abs=2e-6
    )
    # Beijing railway station: GCJ-02 (39.90245, 116.42703) is BD-09 (39.90851, 116.43351)
    assert gcj02_to_bd09(39.90245, 116.42703) == pytest.approx((39.90851, 116.43351), abs=1e-5)


def test_the_shift_in_shenzhen_is_a_few_hundred_metres() -> None:
    lat, lon = 22.5431, 114.0579
    shifted = wgs84_to_gcj02(lat, lon)
    assert 200 < haversine_m(lat, lon, *shifted) < 700


def test_outside_china_nothing_moves() -> None:
    for point in ((51.5074, -0.1278), (-33.8688, 151.2093), (1.3521, 103.8198 - 40)):
        assert to_wgs84(*point, "gcj02") == point
        assert from_wgs84(*point, "gcj02") == point


china = st.tuples(st.floats(18.0, 53.0), st.floats(74.0, 134.0))


@given(china)
def test_gcj02_round_trip_is_within_a_centimetre(point: tuple[float, float]) -> None:
    back = to_wgs84(*from_wgs84(*point, "gcj02"), "gcj02")
    assert haversine_m(*point, *back) < 0.01


@given(china)
def test_bd09_round_trip_is_within_a_centimetre(point: tuple[float, float]) -> None:
    back = to_wgs84(*from_wgs84(*point, "bd09"), "bd09")
    assert haversine_m(*point, *back) < 0.01


def test_unknown_datum_is_refused() -> None:
    with pytest.raises(ValueError, match="datum"):
        to_wgs84(1.0, 2.0, "itrf")  # type: ignore[arg-type]
