"""Which assets stand at their own counterparty's premises (excluded from gathering).

A counterparty's premises are circles (centre, radius in metres) and shapely polygons in
lon/lat degrees: a dealer's lot, a borrower's declared home or depot, a lessee's site.
:meth:`PremisesIndex.contains` answers for a whole sweep at once. Each asset is joined to
the premises of its own counterparty only (sorted arrays and ``searchsorted``, no tree);
circles are tested by distance, polygons with shapely 2's vectorised ``contains_xy``, so
the cost is linear in (assets × premises per counterparty).

Example
-------
>>> import numpy as np
>>> index = PremisesIndex(circles=[PremisesCircle(7, 22.54, 114.05, 100.0)])
>>> index.contains(np.array([7, 8]), np.array([22.54, 22.54]), np.array([114.05, 114.05]))
array([ True, False])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from assetwatch.analytics.gathering import UNKNOWN_COUNTERPARTY, BoolArray
from assetwatch.analytics.proximity import FloatArray, IntArray, distance_m
from assetwatch.rules.geofence import Fence


@dataclass(frozen=True, slots=True)
class PremisesCircle:
    """A circle of ``radius_m`` metres around (lat, lon) degrees, owned by a counterparty."""

    counterparty_id: int
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True, slots=True)
class PremisesPolygon:
    """A polygon (shapely, x = lon, y = lat degrees) owned by a counterparty."""

    counterparty_id: int
    geometry: BaseGeometry


class PremisesIndex:
    """The premises of many counterparties, for bulk "at own premises" tests."""

    def __init__(
        self,
        *,
        circles: Iterable[PremisesCircle] = (),
        polygons: Iterable[PremisesPolygon] = (),
    ):
        circle_list = list(circles)
        polygon_list = list(polygons)
        owners = [c.counterparty_id for c in circle_list] + [
            p.counterparty_id for p in polygon_list
        ]
        if UNKNOWN_COUNTERPARTY in owners:
            raise ValueError("premises need a known counterparty")
        cp = np.array([c.counterparty_id for c in circle_list], dtype=np.int64)
        order = np.argsort(cp, kind="stable")
        self._circle_cp = cp[order]
        self._circle_lat = np.array([c.lat for c in circle_list], dtype=np.float64)[order]
        self._circle_lon = np.array([c.lon for c in circle_list], dtype=np.float64)[order]
        self._circle_r = np.array([c.radius_m for c in circle_list], dtype=np.float64)[order]
        pcp = np.array([p.counterparty_id for p in polygon_list], dtype=np.int64)
        porder = np.argsort(pcp, kind="stable")
        self._polygon_cp = pcp[porder]
        geoms = np.empty(len(polygon_list), dtype=object)
        geoms[:] = [polygon_list[i].geometry for i in porder.tolist()]
        shapely.prepare(geoms)
        self._polygons: Any = geoms

    @classmethod
    def from_arrays(
        cls,
        counterparty_id: IntArray,
        lat: FloatArray,
        lon: FloatArray,
        radius_m: FloatArray,
    ) -> PremisesIndex:
        """Circles only, from parallel arrays (no per-circle Python objects)."""
        index = cls()
        cp = np.asarray(counterparty_id, dtype=np.int64)
        if bool(np.any(cp == UNKNOWN_COUNTERPARTY)):
            raise ValueError("premises need a known counterparty")
        order = np.argsort(cp, kind="stable")
        index._circle_cp = cp[order]
        index._circle_lat = np.asarray(lat, dtype=np.float64)[order]
        index._circle_lon = np.asarray(lon, dtype=np.float64)[order]
        index._circle_r = np.asarray(radius_m, dtype=np.float64)[order]
        return index

    @classmethod
    def from_fences(cls, fences: Iterable[Fence]) -> PremisesIndex:
        """The ``allowed`` places that apply to counterparties (a dealer's lot, a depot)."""
        polygons = [
            PremisesPolygon(cp, fence.geometry)
            for fence in fences
            if fence.kind == "allowed"
            for cp in sorted(fence.applies.counterparty_ids)
        ]
        return cls(polygons=polygons)

    def __len__(self) -> int:
        return len(self._circle_cp) + len(self._polygon_cp)

    def contains(self, counterparty_id: IntArray, lat: FloatArray, lon: FloatArray) -> BoolArray:
        """For each asset, whether (lat, lon) is inside one of its own counterparty's premises.

        Assets of unknown counterparty (-1) are never at their own premises.
        """
        cp = np.asarray(counterparty_id, dtype=np.int64)
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        inside = np.zeros(len(cp), dtype=bool)
        point, circle = _join(cp, self._circle_cp)
        if len(point):
            d = distance_m(
                lat[point], lon[point], self._circle_lat[circle], self._circle_lon[circle]
            )
            inside[point[d <= self._circle_r[circle]]] = True
        point, polygon = _join(cp, self._polygon_cp)
        if len(point):
            hit = shapely.contains_xy(self._polygons[polygon], lon[point], lat[point])
            inside[point[np.asarray(hit, dtype=bool)]] = True
        return inside


def _join(cp: IntArray, owners: IntArray) -> tuple[IntArray, IntArray]:
    """Every (asset index, premises index) pair with the same counterparty."""
    if not len(owners) or not len(cp):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy()
    lo = np.searchsorted(owners, cp, side="left")
    hi = np.searchsorted(owners, cp, side="right")
    count = hi - lo
    point = np.repeat(np.arange(len(cp)), count)
    nth = np.arange(len(point)) - np.repeat(np.cumsum(count) - count, count)
    return point, lo[point] + nth
