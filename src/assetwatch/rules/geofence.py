"""Geofence enter/exit for allowed, forbidden and watch places.

Places are indexed once in a shapely 2 STRtree; a batch of fixes is tested in one bulk query
(``STRtree.query(points, predicate="within")``). Circles are stored as polygons in degrees,
approximated by scaling a degree buffer by ``cos(latitude)``, which is accurate to well under
a metre for radii below a few kilometres.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from assetwatch.rules.events import RuleEvent

METRES_PER_DEGREE_LAT = 111_320.0


@dataclass(frozen=True, slots=True)
class Applicability:
    """Which assets a place applies to: all of them, or those of listed counterparties/assets."""

    everyone: bool = False
    counterparty_ids: frozenset[int] = frozenset()
    asset_ids: frozenset[int] = frozenset()

    def covers(self, asset_id: int, counterparty_id: int | None) -> bool:
        if self.everyone or asset_id in self.asset_ids:
            return True
        return counterparty_id is not None and counterparty_id in self.counterparty_ids


@dataclass(frozen=True, slots=True)
class Fence:
    place_id: int
    tenant_id: int
    key: str
    kind: str  # allowed | forbidden | watch
    geometry: BaseGeometry
    applies: Applicability


def shape_to_geometry(shape: dict[str, Any]) -> BaseGeometry:
    """Turn a stored place shape (``{"circle": …}`` or ``{"polygon": [[lon, lat]…]}``) into a
    shapely geometry in lon/lat degrees."""
    if "circle" in shape:
        c = shape["circle"]
        radius_deg = float(c["radius_m"]) / METRES_PER_DEGREE_LAT
        disc = Point(float(c["lon"]), float(c["lat"])).buffer(radius_deg, quad_segs=32)
        xfact = 1.0 / max(math.cos(math.radians(float(c["lat"]))), 1e-6)
        return affinity.scale(disc, xfact=xfact, yfact=1.0)
    if "polygon" in shape:
        return Polygon([(float(lon), float(lat)) for lon, lat in shape["polygon"]])
    raise ValueError(f"unknown shape {sorted(shape)}")


class FenceIndex:
    """All fences of all tenants, queried in bulk."""

    def __init__(self, fences: Iterable[Fence]):
        self.fences: list[Fence] = list(fences)
        self.by_id = {f.place_id: f for f in self.fences}
        self._tree = shapely.STRtree([f.geometry for f in self.fences])

    def __len__(self) -> int:
        return len(self.fences)

    def containing(self, lons: Sequence[float], lats: Sequence[float]) -> list[list[Fence]]:
        """For each point, the fences that contain it (any tenant; filter afterwards)."""
        result: list[list[Fence]] = [[] for _ in range(len(lons))]
        if not self.fences or not len(lons):
            return result
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        hits = self._tree.query(points, predicate="within")
        for point_idx, fence_idx in zip(hits[0].tolist(), hits[1].tolist(), strict=True):
            result[point_idx].append(self.fences[fence_idx])
        return result

    def inside_set(
        self, fences: list[Fence], *, tenant_id: int, asset_id: int, counterparty_id: int | None
    ) -> frozenset[int]:
        """The ids, among ``fences``, of those that apply to this asset."""
        return frozenset(
            f.place_id
            for f in fences
            if f.tenant_id == tenant_id and f.applies.covers(asset_id, counterparty_id)
        )


def transitions(
    before: frozenset[int] | None,
    now: frozenset[int],
    index: FenceIndex,
    *,
    time_ms: int,
    lat: float,
    lon: float,
    retrospective: bool = False,
) -> list[RuleEvent]:
    """Enter/exit events between two inside-sets of one asset.

    ``before`` is ``None`` when the asset's previous position is unknown: then nothing is
    emitted (we cannot tell an exit from a first fix outside). Exits from allowed places and
    entries into forbidden places raise alarms; the rest are events only.
    """
    if before is None or before == now:
        return []
    events: list[RuleEvent] = []
    changes = (
        ("geofence_enter", now - before, "forbidden"),
        ("geofence_exit", before - now, "allowed"),
    )
    for event_type, place_ids, alarming_kind in changes:
        for place_id in sorted(place_ids):
            fence = index.by_id.get(place_id)
            if fence is None:
                continue
            events.append(
                RuleEvent(
                    type=event_type,
                    time_ms=time_ms,
                    subject=fence.key,
                    alarm=fence.kind == alarming_kind,
                    retrospective=retrospective,
                    details={"place": fence.key, "place_kind": fence.kind, "lat": lat, "lon": lon},
                )
            )
    return events
