"""Abnormal gathering (异常聚众), one sweep: groups of financed assets parked together.

Definition
----------
A sweep looks at the last fix of every live asset. An asset is *eligible* when its fix is
at most ``max_age_s`` old, its position is finite and not exactly (0, 0) (what trackers
send without a fix), and it is not at its own counterparty's premises (the caller's
``at_own_premises`` mask; :mod:`assetwatch.analytics.premises` computes one).

Distances are the equirectangular distance of :func:`assetwatch.analytics.proximity.distance_m`.
The *neighbourhood* N(a) of an eligible asset is the set of eligible assets within
``radius_m`` of it, itself included. Groups are found by **greedy seed-and-grow**:

1. among the eligible assets not yet in a group, take as *seed* the one whose neighbourhood
   holds the most assets not yet in a group, ties broken by the smallest ``asset_id``;
2. if that neighbourhood has fewer than ``k`` assets, stop;
3. otherwise the seed's ungrouped neighbourhood is a group: every member is within
   ``radius_m`` of the seed (the group's centre), so its diameter is at most 2 ``radius_m``;
   repeat from 1.

A group *qualifies* when it has at least ``k`` assets and at least ``m`` distinct known
counterparties. An unknown counterparty (-1) counts towards ``k`` but not towards ``m``
unless ``count_unknown_counterparties`` is set (then each unknown is a counterparty of its
own). Groups are disjoint. The result depends only on the positions and ids: not on the
order of the input, nor on the grid (see :func:`find_groups`'s ``grid_origin``).

Why not single linkage (connected components of "within r")? At urban densities it chains
whole districts into one component; a gathering is a place, and a bounded diameter is what
makes "these cars are in one yard" true. Why the largest neighbourhood first? It puts the
centre where the cars are densest, so a yard is not split by a seed at its edge.

The greedy runs in vectorised rounds. In each round every seed whose key (neighbourhood
size, then smaller id) beats the keys of all seeds it shares an ungrouped neighbour with is
taken at once. Taking one such seed never changes another's neighbourhood, so the rounds
give exactly the sequential greedy (tests compare the two).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assetwatch.analytics.proximity import (
    MAX_CANDIDATE_PAIRS,
    FloatArray,
    IntArray,
    TooDense,
    distance_m,
    neighbour_pairs,
)

BoolArray = npt.NDArray[np.bool_]
UNKNOWN_COUNTERPARTY = -1
__all__ = [
    "AssetGroup",
    "GatheringParams",
    "LivePositions",
    "UNKNOWN_COUNTERPARTY",
    "TooDense",
    "eligible_mask",
    "find_groups",
    "greedy_groups",
]


@dataclass(frozen=True, slots=True)
class GatheringParams:
    """``k`` assets from ``m`` counterparties within ``radius_m`` metres for ``min_minutes``.

    ``max_age_s``: older last fixes are ignored. ``count_unknown_counterparties``: whether an
    asset of unknown counterparty counts as a counterparty of its own towards ``m``.
    """

    k: int = 5
    m: int = 3
    radius_m: float = 200.0
    min_minutes: float = 30.0
    max_age_s: float = 3600.0
    count_unknown_counterparties: bool = False

    def __post_init__(self) -> None:
        if self.k < 2 or self.m < 1:
            raise ValueError("k must be at least 2 and m at least 1")
        if not self.radius_m > 0 or not self.max_age_s > 0 or not self.min_minutes >= 0:
            raise ValueError("radius_m and max_age_s must be positive, min_minutes >= 0")


@dataclass(frozen=True, slots=True)
class LivePositions:
    """The last fix of each live asset, as parallel arrays.

    ``asset_id`` must be unique; ``counterparty_id`` is -1 where unknown; ``lat``/``lon``
    WGS-84 degrees; ``time_ms`` the fix time, epoch milliseconds.
    """

    asset_id: IntArray
    counterparty_id: IntArray
    lat: FloatArray
    lon: FloatArray
    time_ms: IntArray

    def __post_init__(self) -> None:
        for name, dtype in _COLUMNS.items():
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype))
        sizes = {len(getattr(self, name)) for name in _COLUMNS}
        if len(sizes) != 1 or self.asset_id.ndim != 1:
            raise ValueError("LivePositions needs five one-dimensional arrays of equal length")
        ids = np.sort(self.asset_id)
        if len(ids) > 1 and bool(np.any(ids[1:] == ids[:-1])):
            raise ValueError("asset_id must be unique")

    def __len__(self) -> int:
        return len(self.asset_id)


_COLUMNS = {
    "asset_id": np.int64,
    "counterparty_id": np.int64,
    "lat": np.float64,
    "lon": np.float64,
    "time_ms": np.int64,
}


@dataclass(frozen=True, slots=True)
class AssetGroup:
    """A qualifying group of one sweep.

    The centre is the seed asset's position; ``radius_m`` is the largest distance of a member
    from it (at most the parameter). ``asset_ids`` and ``counterparty_ids`` (distinct, known
    only) are ascending; ``unknown_counterparties`` counts members of unknown counterparty.
    """

    seed_asset_id: int
    lat: float
    lon: float
    radius_m: float
    asset_ids: tuple[int, ...]
    counterparty_ids: tuple[int, ...]
    unknown_counterparties: int = 0
    time_ms: int = 0  # the sweep's time


def eligible_mask(
    positions: LivePositions,
    *,
    now_ms: int,
    params: GatheringParams,
    at_own_premises: BoolArray | None = None,
) -> BoolArray:
    """Which assets take part in a sweep at ``now_ms`` (see the module doc)."""
    lat, lon = positions.lat, positions.lon
    fresh = positions.time_ms >= now_ms - int(params.max_age_s * 1000)
    located = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0)
    located &= (lat != 0.0) | (lon != 0.0)
    mask = fresh & located
    if at_own_premises is not None:
        premises = np.asarray(at_own_premises, dtype=bool)
        if premises.shape != mask.shape:
            raise ValueError("at_own_premises must have one entry per asset")
        mask &= ~premises
    return np.asarray(mask, dtype=bool)


def find_groups(
    positions: LivePositions,
    *,
    now_ms: int,
    params: GatheringParams | None = None,
    at_own_premises: BoolArray | None = None,
    grid_origin: tuple[float, float] = (0.0, 0.0),
    max_candidate_pairs: int = MAX_CANDIDATE_PAIRS,
) -> list[AssetGroup]:
    """The qualifying groups of a sweep at ``now_ms`` (epoch ms), largest first.

    ``grid_origin`` (lat, lon degrees) moves the bucketing grid; the result never depends
    on it (it exists so tests can prove that). Groups are ordered by size (descending), then
    by seed asset id. Raises :class:`~assetwatch.analytics.proximity.TooDense` (naming the
    spots) when thousands of assets crowd one place so much that pairing them would cost
    more than ``max_candidate_pairs`` distance checks.
    """
    params = params or GatheringParams()
    mask = eligible_mask(positions, now_ms=now_ms, params=params, at_own_premises=at_own_premises)
    take = np.flatnonzero(mask)
    lat, lon = positions.lat[take], positions.lon[take]
    pairs = neighbour_pairs(
        lat,
        lon,
        params.radius_m,
        min_block=params.k,
        origin=grid_origin,
        max_candidate_pairs=max_candidate_pairs,
    )
    labels = greedy_groups(pairs.src, pairs.dst, positions.asset_id[take], params.k)
    return _qualifying(positions, take, labels, params, now_ms)


def greedy_groups(src: IntArray, dst: IntArray, asset_id: IntArray, k: int) -> IntArray:
    """The seed of each point's group (an index into ``asset_id``), or -1 if ungrouped.

    ``(src, dst)`` are the directed neighbour pairs of every point with at least ``k``
    neighbours (self included), as :func:`~assetwatch.analytics.proximity.neighbour_pairs`
    returns them; the other points only appear as ``dst``.
    """
    n = len(asset_id)
    label = np.full(n, -1, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(asset_id, kind="stable")] = np.arange(n)
    tie = np.int64(n) - rank  # smaller id, larger tie-breaker; in [1, n]
    src, dst = _drop_small(src, dst, n, k)
    while len(src):
        degree = np.bincount(src, minlength=n).astype(np.int64)
        key = (degree << 32) | tie
        reach = np.full(n, -1, dtype=np.int64)
        np.maximum.at(reach, dst, key[src])  # best seed key reaching each point
        best = np.full(n, -1, dtype=np.int64)
        np.maximum.at(best, src, reach[dst])  # best key any neighbour is reached by
        chosen = (best == key) & (degree > 0)
        taken = chosen[src]
        label[dst[taken]] = src[taken]
        grouped = label >= 0
        keep = ~(grouped[src] | grouped[dst])
        src, dst = _drop_small(src[keep], dst[keep], n, k)
    return label


def _drop_small(src: IntArray, dst: IntArray, n: int, k: int) -> tuple[IntArray, IntArray]:
    """The pairs whose source still has at least ``k`` neighbours."""
    degree = np.bincount(src, minlength=n)
    keep = degree[src] >= k
    return src[keep], dst[keep]


def _qualifying(
    positions: LivePositions,
    take: IntArray,
    labels: IntArray,
    params: GatheringParams,
    now_ms: int,
) -> list[AssetGroup]:
    """The groups of ``labels`` that pass the ``k`` and ``m`` tests, as :class:`AssetGroup`."""
    member = np.flatnonzero(labels >= 0)
    if not len(member):
        return []
    ids = positions.asset_id[take]
    lat, lon = positions.lat[take], positions.lon[take]
    seed = labels[member]
    order = np.lexsort((ids[member], seed))
    member, seed = member[order], seed[order]
    starts = np.flatnonzero(np.r_[True, seed[1:] != seed[:-1]])
    sizes = np.diff(np.r_[starts, len(seed)])
    cps = _GroupCounterparties.of(seed, positions.counterparty_id[take][member], len(starts))
    distinct = cps.known_count + (cps.unknown_count if params.count_unknown_counterparties else 0)
    dist = distance_m(lat[member], lon[member], lat[seed], lon[seed])
    radius = np.maximum.reduceat(dist, starts).tolist()
    good = np.flatnonzero((sizes >= params.k) & (distinct >= params.m)).tolist()
    member_ids = ids[member].tolist()
    bounds = np.r_[starts, len(seed)].tolist()
    seed_at = seed[starts]
    seed_ids, seed_lat, seed_lon = ids[seed_at].tolist(), lat[seed_at], lon[seed_at]
    known_ids = cps.known_ids.tolist()
    known_bounds = np.r_[0, np.cumsum(cps.known_count)].tolist()
    unknown = cps.unknown_count.tolist()
    groups = [
        AssetGroup(
            seed_asset_id=seed_ids[g],
            lat=float(seed_lat[g]),
            lon=float(seed_lon[g]),
            radius_m=radius[g],
            asset_ids=tuple(member_ids[bounds[g] : bounds[g + 1]]),
            counterparty_ids=tuple(known_ids[known_bounds[g] : known_bounds[g + 1]]),
            unknown_counterparties=unknown[g],
            time_ms=now_ms,
        )
        for g in good
    ]
    groups.sort(key=lambda g: (-len(g.asset_ids), g.seed_asset_id))
    return groups


@dataclass(frozen=True, slots=True)
class _GroupCounterparties:
    """Per group (ascending seed): its distinct known counterparties, ascending and
    concatenated, how many there are, and how many members have none."""

    known_ids: IntArray
    known_count: IntArray
    unknown_count: IntArray

    @classmethod
    def of(cls, seed: IntArray, cps: IntArray, groups: int) -> _GroupCounterparties:
        order = np.lexsort((cps, seed))
        s, c = seed[order], cps[order]
        group = np.cumsum(np.r_[0, s[1:] != s[:-1]])
        first = np.r_[True, (s[1:] != s[:-1]) | (c[1:] != c[:-1])]
        known = c != UNKNOWN_COUNTERPARTY
        distinct = first & known
        return cls(
            known_ids=c[distinct],
            known_count=np.bincount(group[distinct], minlength=groups),
            unknown_count=np.bincount(group[~known], minlength=groups),
        )
