"""Properties of the gathering sweep: the definition holds whatever the input order or grid.

Points are drawn in a square about 1.5 km wide (dense enough for groups to form and touch),
at latitudes from the tropics to 70° N, with ids drawn at random.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from assetwatch.analytics.gathering import (
    GatheringParams,
    LivePositions,
    find_groups,
    greedy_groups,
)
from assetwatch.analytics.proximity import distance_m, neighbour_pairs
from assetwatch.geo.distance import haversine_m
from tests.analytics.gathering_fixtures import T0

SPAN_DEG = 0.014
RADIUS_M = 200.0

unit = st.floats(0.0, 1.0, allow_nan=False)
points = st.lists(st.tuples(unit, unit, st.integers(0, 5)), min_size=0, max_size=70)
bases = st.tuples(st.floats(-20.0, 70.0), st.floats(-170.0, 170.0))
origins = st.tuples(st.floats(-1.0, 1.0), st.floats(-1.0, 1.0))
params = st.builds(GatheringParams, k=st.integers(2, 6), m=st.integers(1, 3))


def live(
    base: tuple[float, float], pts: list[tuple[float, float, int]], seed: int
) -> LivePositions:
    n = len(pts)
    ids = np.random.default_rng(seed).permutation(10 * n + 1)[:n] + 1
    return LivePositions(
        asset_id=ids,
        counterparty_id=np.array([p[2] for p in pts], dtype=np.int64) - 1,  # some unknown
        lat=base[0] + SPAN_DEG * np.array([p[0] for p in pts], dtype=float),
        lon=base[1] + SPAN_DEG * np.array([p[1] for p in pts], dtype=float),
        time_ms=np.full(n, T0),
    )


def reordered(positions: LivePositions, order: np.ndarray) -> LivePositions:
    return LivePositions(
        positions.asset_id[order],
        positions.counterparty_id[order],
        positions.lat[order],
        positions.lon[order],
        positions.time_ms[order],
    )


def sequential_greedy(lat: np.ndarray, lon: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """The definition, literally: one seed at a time, O(n²)."""
    near = distance_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) <= RADIUS_M
    free = np.ones(len(lat), dtype=bool)
    label = np.full(len(lat), -1)
    while free.any():
        size = np.where(free, (near & free[None, :]).sum(axis=1), -1)
        if size.max() < k:
            break
        tied = np.flatnonzero(size == size.max())
        seed = tied[np.argmin(ids[tied])]
        members = near[seed] & free
        label[members], free[members] = seed, False
    return label


@settings(max_examples=150, deadline=None)
@given(base=bases, pts=points, p=params, seed=st.integers(0, 1000), data=st.data())
def test_the_result_ignores_the_input_order(
    base: tuple[float, float],
    pts: list[tuple[float, float, int]],
    p: GatheringParams,
    seed: int,
    data: st.DataObject,
) -> None:
    cars = live(base, pts, seed)
    order = np.array(data.draw(st.permutations(range(len(pts)))), dtype=np.int64)
    assert find_groups(cars, now_ms=T0, params=p) == find_groups(
        reordered(cars, order), now_ms=T0, params=p
    )


@settings(max_examples=150, deadline=None)
@given(base=bases, pts=points, p=params, seed=st.integers(0, 1000), origin=origins)
def test_the_result_ignores_the_grid_origin(
    base: tuple[float, float],
    pts: list[tuple[float, float, int]],
    p: GatheringParams,
    seed: int,
    origin: tuple[float, float],
) -> None:
    cars = live(base, pts, seed)
    assert find_groups(cars, now_ms=T0, params=p) == find_groups(
        cars, now_ms=T0, params=p, grid_origin=origin
    )


@settings(max_examples=150, deadline=None)
@given(base=bases, pts=points, p=params, seed=st.integers(0, 1000))
def test_every_member_is_within_the_radius_of_its_centre_and_groups_qualify(
    base: tuple[float, float], pts: list[tuple[float, float, int]], p: GatheringParams, seed: int
) -> None:
    cars = live(base, pts, seed)
    where = {a: (la, lo) for a, la, lo in zip(cars.asset_id, cars.lat, cars.lon, strict=True)}
    cp_of = dict(zip(cars.asset_id.tolist(), cars.counterparty_id.tolist(), strict=True))
    seen: set[int] = set()
    for g in find_groups(cars, now_ms=T0, params=p):
        assert where[g.seed_asset_id] == (g.lat, g.lon) and g.seed_asset_id in g.asset_ids
        for a in g.asset_ids:
            assert haversine_m(g.lat, g.lon, *where[a]) <= RADIUS_M * (1 + 1e-9)
        assert g.radius_m <= RADIUS_M
        assert len(g.asset_ids) >= p.k and len(g.counterparty_ids) >= p.m
        assert set(g.counterparty_ids) == {cp_of[a] for a in g.asset_ids} - {-1}
        assert seen.isdisjoint(g.asset_ids) and list(g.asset_ids) == sorted(g.asset_ids)
        seen.update(g.asset_ids)


@settings(max_examples=200, deadline=None)
@given(base=bases, pts=points, k=st.integers(2, 7), seed=st.integers(0, 1000), origin=origins)
def test_vectorised_rounds_equal_the_sequential_greedy(
    base: tuple[float, float],
    pts: list[tuple[float, float, int]],
    k: int,
    seed: int,
    origin: tuple[float, float],
) -> None:
    cars = live(base, pts, seed)
    pairs = neighbour_pairs(cars.lat, cars.lon, RADIUS_M, min_block=k, origin=origin)
    fast = greedy_groups(pairs.src, pairs.dst, cars.asset_id, k)
    assert fast.tolist() == sequential_greedy(cars.lat, cars.lon, cars.asset_id, k).tolist()


@settings(max_examples=150, deadline=None)
@given(base=bases, pts=points, origin=origins, band=st.sampled_from([1.0, 0.003, 0.0018]))
def test_neighbour_pairs_are_exactly_the_pairs_within_the_radius(
    base: tuple[float, float],
    pts: list[tuple[float, float, int]],
    origin: tuple[float, float],
    band: float,
) -> None:
    """Including when latitude bands are only a cell or two high (many band edges)."""
    cars = live(base, pts, 0)
    lat, lon = cars.lat, cars.lon
    pairs = neighbour_pairs(lat, lon, RADIUS_M, origin=origin, band_deg=band)
    got = list(zip(pairs.src.tolist(), pairs.dst.tolist(), strict=True))
    near = distance_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) <= RADIUS_M
    want = [(int(a), int(b)) for a, b in zip(*np.nonzero(near), strict=True)]
    assert sorted(got) == sorted(want)
