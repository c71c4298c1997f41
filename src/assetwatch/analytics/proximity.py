"""Pairs of points within a distance of each other, found by bucketing into grid cells.

Distance is the equirectangular distance on the mean-radius sphere,

    d(a, b) = R · sqrt(Δφ² + (Δλ · (cos φa + cos φb) / 2)²)      (angles in radians),

which is symmetric and agrees with the haversine distance to better than 1 mm at the few
hundred metres gathering analysis works at. :func:`distance_m` computes it.

Bucketing: cells are ``radius_m`` high. Their width in longitude is set per latitude band
(``band_deg`` high, 1° by default) from the cosine of the band's poleward edge, so a cell is
at least ``radius_m`` wide everywhere in its band and two points within ``radius_m`` of each
other always fall in the same or adjacent cells (the 3 × 3 block). Each band is bucketed on
its own together with one halo row on each side, in its own longitude widths; a point's
neighbours are looked up only from its own band, so every point gets each neighbour exactly
once. The antimeridian is not handled (points at +179.99° and -179.99° are never paired).

A point is a *seed* when its 3 × 3 block holds at least ``min_block`` points (a necessary
condition for having that many neighbours within ``radius_m``); only seeds get neighbour
lists, so sparse areas cost one cell count and nothing more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from assetwatch.geo.distance import EARTH_RADIUS_M

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_CELL_SLACK = 1.0 + 1e-6  # cells a hair larger than the radius: rounding never splits a pair
_CHUNK_PAIRS = 1 << 22  # candidate pairs distance-checked at a time (bounds memory)
MAX_CANDIDATE_PAIRS = 60_000_000
"""Default cap on candidate pairs per call: about 10 s and 2 GB. Beyond it, see TooDense."""
_OFFSETS = tuple((dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1))


class TooDense(ValueError):
    """So many points crowd into a few cells that pairing them would exceed the budget.

    ``spots`` lists the most crowded places as ``(lat, lon, points in the 3 × 3 block)``,
    densest first: usually a default position that trackers without a fix report, or a
    parking facility the caller should exclude (like premises) before sweeping again.
    """

    def __init__(self, candidates: int, limit: int, spots: list[tuple[float, float, int]]):
        where = ", ".join(f"({la:.5f}, {lo:.5f}): {n}" for la, lo, n in spots)
        super().__init__(f"{candidates:,} candidate pairs exceed {limit:,}; densest: {where}")
        self.spots = spots


@dataclass(frozen=True, slots=True)
class NeighbourPairs:
    """Directed pairs ``(src[i], dst[i])`` of point indices within the radius.

    Every seed ``s`` appears as ``src`` once for each point within the radius of it, itself
    included; non-seeds never appear as ``src``. Order is unspecified.
    """

    src: IntArray
    dst: IntArray


def distance_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """The module's equirectangular distance in metres, elementwise (degrees in)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon1) - np.asarray(lon2))
    mean_cos = (np.cos(p1) + np.cos(p2)) * 0.5
    return np.asarray(EARTH_RADIUS_M * np.hypot(p1 - p2, dl * mean_cos), dtype=np.float64)


def neighbour_pairs(
    lat: FloatArray,
    lon: FloatArray,
    radius_m: float,
    *,
    min_block: int = 1,
    origin: tuple[float, float] = (0.0, 0.0),
    band_deg: float = 1.0,
    max_candidate_pairs: int = MAX_CANDIDATE_PAIRS,
) -> NeighbourPairs:
    """All directed pairs within ``radius_m`` whose source is a seed (see the module doc).

    Parameters
    ----------
    lat, lon
        Positions, WGS-84 degrees (finite).
    radius_m
        The distance, metres.
    min_block
        A point is a seed when its 3 × 3 block of cells holds at least this many points.
    origin
        ``(lat, lon)`` of a cell corner, degrees. Moves the grid; never changes the result.
    band_deg
        Height of the latitude bands that share one longitude cell width, degrees.
    max_candidate_pairs
        Raise :class:`TooDense` rather than distance-check more pairs than this (memory
        and time grow with the square of the points crowded within one 3 × 3 block).
    """
    if radius_m <= 0 or band_deg <= 0:
        raise ValueError("radius_m and band_deg must be positive")
    dlat = math.degrees(radius_m * _CELL_SLACK / EARTH_RADIUS_M)
    rows_per_band = max(1, int(band_deg / dlat))
    rows = np.floor((lat - origin[0]) / dlat).astype(np.int64)
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    first_band = int(sorted_rows[0]) // rows_per_band if len(rows) else 0
    last_band = int(sorted_rows[-1]) // rows_per_band if len(rows) else -1
    srcs: list[IntArray] = []
    dsts: list[IntArray] = []
    budget = _Budget(max_candidate_pairs)
    for band in range(first_band, last_band + 1):
        lo, hi = band * rows_per_band, (band + 1) * rows_per_band
        start, stop = np.searchsorted(sorted_rows, [lo - 1, hi + 1])
        own_start, own_stop = np.searchsorted(sorted_rows, [lo, hi])
        if own_stop == own_start:
            continue
        members = order[start:stop]
        geometry = _BandGeometry(lo, hi, dlat, radius_m, origin)
        s, d = _band_pairs(geometry, members, lat, lon, rows, min_block, budget)
        srcs.append(s)
        dsts.append(d)
    if not srcs:
        empty = np.empty(0, dtype=np.int64)
        return NeighbourPairs(empty, empty.copy())
    return NeighbourPairs(np.concatenate(srcs), np.concatenate(dsts))


@dataclass(frozen=True, slots=True)
class _BandGeometry:
    """Rows ``[lo, hi)`` of cells ``dlat`` degrees high, bucketed with one halo row each side."""

    lo: int
    hi: int
    dlat: float
    radius_m: float
    origin: tuple[float, float]

    @property
    def dlon(self) -> float:
        """Cell width, degrees: ``radius_m`` at the poleward edge of the rows with halos."""
        south = self.origin[0] + (self.lo - 1) * self.dlat
        north = self.origin[0] + (self.hi + 1) * self.dlat
        pole = min(max(abs(south), abs(north)), 90.0)
        cos_pole = max(math.cos(math.radians(pole)), 1e-12)
        return math.degrees(self.radius_m * _CELL_SLACK / (EARTH_RADIUS_M * cos_pole))


def _band_pairs(
    geometry: _BandGeometry,
    members: IntArray,
    lat: FloatArray,
    lon: FloatArray,
    rows: IntArray,
    min_block: int,
    budget: _Budget,
) -> tuple[IntArray, IntArray]:
    """Pairs of the seeds in the band's own rows with every point within the radius."""
    cols = np.floor((lon[members] - geometry.origin[1]) / geometry.dlon).astype(np.int64)
    rel_rows = rows[members] - (geometry.lo - 1)  # 0 and hi-lo+1 are the halo rows
    col0 = int(cols.min()) - 1
    ncols = int(cols.max()) - col0 + 2
    keys = rel_rows * ncols + (cols - col0)
    by_key = np.argsort(keys, kind="stable")
    keys = keys[by_key]
    members = members[by_key]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    cell_keys = keys[first]
    counts = np.diff(np.r_[first, len(keys)])
    cell_rows = cell_keys // ncols
    own = np.flatnonzero((cell_rows >= 1) & (cell_rows <= geometry.hi - geometry.lo))
    neighbours = [_find_cells(cell_keys, cell_keys[own] + dr * ncols + dc) for dr, dc in _OFFSETS]
    block = np.zeros(len(own), dtype=np.int64)
    for found in neighbours:
        block += np.where(found >= 0, counts[np.maximum(found, 0)], 0)
    dense = block >= min_block
    seeds_cells = own[dense]
    anchor = members[first[seeds_cells]]  # a point of each seed cell, to say where it is
    budget.spend(counts[seeds_cells], block[dense], lat[anchor], lon[anchor])
    plan = _PairPlan.build(seeds_cells, [f[dense] for f in neighbours], first, counts)
    lat_s, lon_s = lat[members], lon[members]
    src, dst = plan.within(np.radians(lat_s), np.radians(lon_s), geometry.radius_m)
    return members[src], members[dst]


@dataclass(slots=True)
class _Budget:
    """Candidate pairs allowed in one call, and how many are spent."""

    limit: int
    spent: int = 0

    def spend(self, seeds: IntArray, block: IntArray, lat: FloatArray, lon: FloatArray) -> None:
        """Charge ``seeds`` points times their ``block`` size, or raise :class:`TooDense`."""
        self.spent += int(np.dot(seeds, block))
        if self.spent > self.limit:
            worst = np.argsort(-block, kind="stable")[:5]
            spots = [(float(lat[i]), float(lon[i]), int(block[i])) for i in worst.tolist()]
            raise TooDense(self.spent, self.limit, spots)


def _find_cells(cell_keys: IntArray, wanted: IntArray) -> IntArray:
    """Index of each wanted key in the sorted ``cell_keys``, or -1 where absent."""
    pos = np.searchsorted(cell_keys, wanted)
    clipped = np.minimum(pos, len(cell_keys) - 1)
    return np.where(cell_keys[clipped] == wanted, clipped, -1)


@dataclass(frozen=True, slots=True)
class _PairPlan:
    """One row per (seed point, neighbouring cell): the cell's first point and its size."""

    seed: IntArray  # local index of the seed point
    start: IntArray  # local index of the neighbour cell's first point
    size: IntArray

    @classmethod
    def build(
        cls, seed_cells: IntArray, found: list[IntArray], first: IntArray, counts: IntArray
    ) -> _PairPlan:
        cell_col = np.concatenate(found)
        seed_col = np.tile(seed_cells, len(found))
        keep = cell_col >= 0
        cell_col, seed_col = cell_col[keep], seed_col[keep]
        # every point of each seed cell, once per neighbouring cell
        reps = counts[seed_col]
        row = np.repeat(np.arange(len(seed_col)), reps)
        within = np.arange(len(row)) - np.repeat(np.cumsum(reps) - reps, reps)
        seed = first[seed_col][row] + within
        return cls(seed, first[cell_col][row], counts[cell_col][row])

    def within(
        self, phi: FloatArray, lam: FloatArray, radius_m: float
    ) -> tuple[IntArray, IntArray]:
        """The (seed, point) pairs within ``radius_m``, as local indices."""
        cos_phi = np.cos(phi)
        limit = (radius_m / EARTH_RADIUS_M) ** 2
        ends = np.cumsum(self.size)
        out_s: list[IntArray] = []
        out_d: list[IntArray] = []
        lo = 0
        while lo < len(self.size):
            base = int(ends[lo - 1]) if lo else 0
            hi = max(lo + 1, int(np.searchsorted(ends, base + _CHUNK_PAIRS, side="right")))
            size = self.size[lo:hi]
            src = np.repeat(self.seed[lo:hi], size)
            shift = np.repeat(self.start[lo:hi] - (np.cumsum(size) - size), size)
            dst = np.arange(len(src)) + shift
            dphi = phi[src] - phi[dst]
            dlam = (lam[src] - lam[dst]) * ((cos_phi[src] + cos_phi[dst]) * 0.5)
            close = dphi * dphi + dlam * dlam <= limit
            out_s.append(src[close])
            out_d.append(dst[close])
            lo = hi
        if not out_s:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty.copy()
        return np.concatenate(out_s), np.concatenate(out_d)
