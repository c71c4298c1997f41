"""RiskPointIndex: exact to well under the 10 m margins a stay decision needs."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from assetwatch.analytics.model import Stay
from assetwatch.geo.distance import haversine_m
from assetwatch.model.scope import Scope
from assetwatch.places import service as places
from assetwatch.places.models import PlaceCreate
from assetwatch.riskpoints import service
from assetwatch.riskpoints.index import RiskPoint, RiskPointIndex, load_index
from tests.riskpoints.conftest import SHOPS_CSV, SQUARE, destination

SHOP = (22.5458, 114.0528)
CIRCLE = RiskPoint(1, "shop", "Futian pawn shop", "pawn_shop", circle=(*SHOP, 150.0))
LOT = RiskPoint(1, "lot", "Auction lot", "auction", ring=tuple((lon, lat) for lon, lat in SQUARE))
INDEX = RiskPointIndex([CIRCLE, LOT])


# ``destination`` walks a sphere: up to 0.5 % off the ellipsoid the index measures on, so
# distances it sets up are checked to 1 m (of 10 m margins).


def stay_at(lat: float, lon: float, radius_m: float = 50.0, minutes: float = 60) -> Stay:
    start = 1_780_000_000_000
    return Stay(start, start + int(minutes * 60_000), lat, lon, radius_m, points=20)


@pytest.mark.parametrize("bearing", [0, 45, 90, 135, 180, 250, 300])
def test_a_stay_10m_outside_a_circle_does_not_overlap_and_10m_inside_does(bearing: int) -> None:
    outside = stay_at(*destination(*SHOP, bearing, 150 + 50 + 10))
    inside = stay_at(*destination(*SHOP, bearing, 150 + 50 - 10))
    assert INDEX.overlapping(outside) == []
    (hit,) = INDEX.overlapping(inside)
    assert hit.point is CIRCLE
    assert hit.distance_m == pytest.approx(190 - 150, abs=1.0)


@pytest.mark.parametrize(
    ("start", "bearing"),
    [
        ((22.545, 114.07), 90),
        ((22.545, 114.06), 270),
        ((22.55, 114.065), 0),
        ((22.54, 114.065), 180),
    ],
)
def test_a_stay_10m_outside_a_polygon_does_not_overlap_and_10m_inside_does(
    start: tuple[float, float], bearing: int
) -> None:
    outside = stay_at(*destination(*start, bearing, 60), radius_m=50)
    inside = stay_at(*destination(*start, bearing, 40), radius_m=50)
    assert INDEX.overlapping(outside) == []
    (hit,) = INDEX.overlapping(inside)
    assert hit.point is LOT
    assert hit.distance_m == pytest.approx(40, abs=1.0)


def test_near_measures_to_the_edge_and_sorts_nearest_first() -> None:
    inside_lot = (22.545, 114.065)
    assert [(n.point.key, n.distance_m) for n in INDEX.near(*inside_lot, 0)] == [("lot", 0.0)]
    west = destination(*SHOP, 270, 500)
    found = INDEX.near(*west, 2_000)
    assert [n.point.key for n in found] == ["shop", "lot"]
    assert found[0].distance_m == pytest.approx(350, abs=2.0)
    to_west_edge = haversine_m(*west, west[0], SQUARE[0][0])
    assert found[1].distance_m == pytest.approx(to_west_edge, rel=5e-3)
    assert INDEX.near(*west, 345) == []
    assert RiskPointIndex([]).near(*SHOP, 1_000) == []


def test_distances_are_on_the_wgs84_ellipsoid() -> None:
    """At 30°N a degree of latitude is 110,852 m and one of longitude 96,486 m (WGS-84)."""
    centre = RiskPoint(1, "c", "", "custom", circle=(30.0, 114.0, 1.0))
    assert centre.distance_m(30.001, 114.0) + 1 == pytest.approx(110.852, abs=0.01)
    assert centre.distance_m(30.0, 114.001) + 1 == pytest.approx(96.486, abs=0.01)
    for bearing, metres in ((0, 160), (90, 400), (33, 1_500), (270, 5_000)):
        lat, lon = destination(*SHOP, bearing, metres)
        expected = haversine_m(lat, lon, *SHOP)  # the mean sphere: within 0.5 %
        assert CIRCLE.distance_m(lat, lon) + 150 == pytest.approx(expected, rel=5e-3)


def test_a_big_circle_at_a_high_latitude_is_found_to_its_edge() -> None:
    oslo = RiskPoint(1, "port", "", "port", circle=(59.9, 10.75, 1_000.0))
    index = RiskPointIndex([oslo])
    for bearing in (0, 60, 90, 200, 270):
        assert index.near(*destination(59.9, 10.75, bearing, 995), 0)
        assert not index.near(*destination(59.9, 10.75, bearing, 1_005), 0)


def test_tenants_are_kept_apart() -> None:
    other = RiskPoint(2, "shop", "", "pawn_shop", circle=(*SHOP, 150.0))
    index = RiskPointIndex([CIRCLE, other])
    assert [n.point.tenant_id for n in index.near(*SHOP, 0)] == [1, 2]
    assert [n.point.tenant_id for n in index.near(*SHOP, 0, tenant_id=2)] == [2]
    assert index.overlapping(stay_at(*SHOP), tenant_id=3) == []


def test_load_index_reads_only_risk_points(engine: Engine, bank_a: Scope, bank_b: Scope) -> None:
    lot = {"circle": {"lat": 22.6052, "lon": 114.1137, "radius_m": 300}}
    with engine.begin() as conn:
        service.import_catalogue(conn, scope=bank_a, data=SHOPS_CSV.encode())
        places.create(conn, scope=bank_b, data=PlaceCreate(key="lot", kind="allowed", shape=lot))
        everything = load_index(conn)
        only_b = load_index(conn, tenant_id=bank_b.tenant_id)
    assert sorted(p.key for p in everything.points) == ["SZ-PAWN-001", "SZ-SCRAP-001", "SZ-UCM-001"]
    assert len(only_b) == 0
    (market,) = everything.near(22.6052, 114.1137, 0)
    assert (market.point.category, market.point.name) == ("used_car_market", "Buji used-car market")
