"""PremisesIndex: is each asset inside one of its own counterparty's premises?"""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Polygon

from assetwatch.analytics.premises import PremisesCircle, PremisesIndex, PremisesPolygon
from assetwatch.rules.geofence import Applicability, Fence, shape_to_geometry
from tests.analytics.gathering_fixtures import YARD, at

LOT = Polygon([(113.870, 22.600), (113.872, 22.600), (113.872, 22.602), (113.870, 22.602)])


def test_circles_and_polygons_only_excuse_their_own_counterparty() -> None:
    index = PremisesIndex(
        circles=[PremisesCircle(1, YARD[0], YARD[1], 100.0), PremisesCircle(1, 22.0, 113.0, 50)],
        polygons=[PremisesPolygon(2, LOT)],
    )
    assert len(index) == 3
    spots = [at(YARD, 99.0, 0.0), at(YARD, 101.0, 0.0), (22.0, 113.0), (22.601, 113.871)]
    lat = np.array([p[0] for p in spots] * 3)
    lon = np.array([p[1] for p in spots] * 3)
    cp = np.repeat([1, 2, -1], 4)
    inside = index.contains(cp, lat, lon)
    assert inside.tolist() == [True, False, True, False] + [False, False, False, True] + [False] * 4


def test_allowed_places_of_counterparties_become_premises() -> None:
    def fence(kind: str, who: frozenset[int]) -> Fence:
        shape = {"circle": {"lat": YARD[0], "lon": YARD[1], "radius_m": 150}}
        return Fence(
            1, 1, "lot", kind, shape_to_geometry(shape), Applicability(counterparty_ids=who)
        )

    index = PremisesIndex.from_fences(
        [fence("allowed", frozenset({4, 5})), fence("forbidden", frozenset({6}))]
    )
    lat, lon = np.full(3, YARD[0]), np.full(3, YARD[1])
    assert index.contains(np.array([4, 5, 6]), lat, lon).tolist() == [True, True, False]


def test_arrays_give_the_same_answer_as_objects() -> None:
    rng = np.random.default_rng(3)
    cp = rng.integers(0, 20, 40)
    lat, lon = YARD[0] + rng.normal(0, 0.002, 40), YARD[1] + rng.normal(0, 0.002, 40)
    radius = rng.uniform(50, 300, 40)
    objects = PremisesIndex(
        circles=[
            PremisesCircle(int(c), a, o, r) for c, a, o, r in zip(cp, lat, lon, radius, strict=True)
        ]
    )
    arrays = PremisesIndex.from_arrays(cp, lat, lon, radius)
    q_cp = rng.integers(-1, 21, 500)
    q_lat, q_lon = YARD[0] + rng.normal(0, 0.003, 500), YARD[1] + rng.normal(0, 0.003, 500)
    assert (objects.contains(q_cp, q_lat, q_lon) == arrays.contains(q_cp, q_lat, q_lon)).all()
    assert PremisesIndex().contains(q_cp, q_lat, q_lon).sum() == 0


def test_premises_need_a_known_counterparty() -> None:
    with pytest.raises(ValueError, match="known counterparty"):
        PremisesIndex(circles=[PremisesCircle(-1, 0.0, 0.0, 10.0)])
