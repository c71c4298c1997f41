"""Geofence enter/exit for allowed, forbidden and watch places.

Places are indexed once in a shapely 2 STRtree; a batch of fixes is tested in one bulk query
(``STRtree.query(points, predicate="within")``). Circles are stored as polygons in degrees,
approximated by scaling a degree buffer by ``cos(latitude)``, which is accurate to well under
a metre for radii below a few kilometres.

A fix with an accuracy (a cell fix: hundreds of metres to kilometres) is a disc, not a point.
It is inside a place only if the whole disc is, outside only if the whole disc is; a disc
that straddles the boundary leaves that place's inside/outside state as it was
(:func:`settled_inside`), so a 1.5 km cell fix cannot fire an exit from a 300 m lot. Fixes
without an accuracy are points, exactly as before.
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
DISC_VERTICES = 32
_CIRCUMSCRIBED = 1.0 / math.cos(math.pi / DISC_VERTICES)
_DISC_ANGLES = np.linspace(0.0, 2.0 * math.pi, DISC_VERTICES + 1)


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


def accuracy_discs(lons: Sequence[float], lats: Sequence[float], radii_m: Sequence[float]) -> Any:
    """Polygons (lon/lat degrees) that contain each accuracy disc: 32-gons whose edges touch
    the circle of ``radius_m`` metres, so "polygon inside a fence" implies "disc inside" and
    "polygon clear of a fence" implies "disc clear" (never over-confident)."""
    lon = np.asarray(lons, dtype=float)[:, None]
    lat = np.asarray(lats, dtype=float)[:, None]
    dlat = np.asarray(radii_m, dtype=float)[:, None] * _CIRCUMSCRIBED / METRES_PER_DEGREE_LAT
    dlon = dlat / np.maximum(np.cos(np.radians(lat)), 1e-6)
    rings = np.stack(
        [lon + dlon * np.cos(_DISC_ANGLES), lat + dlat * np.sin(_DISC_ANGLES)], axis=-1
    )
    return shapely.polygons(rings)


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

    def straddling(
        self, lons: Sequence[float], lats: Sequence[float], radii_m: Sequence[float]
    ) -> list[list[Fence]]:
        """For each accuracy disc (centre, radius in metres), the fences whose boundary
        crosses it: the disc is neither wholly inside nor wholly outside them."""
        result: list[list[Fence]] = [[] for _ in range(len(lons))]
        if not self.fences or not len(lons):
            return result
        discs = accuracy_discs(lons, lats, radii_m)
        touching = self._tree.query(discs, predicate="intersects")
        within = self._tree.query(discs, predicate="within")
        wholly_inside = set(zip(within[0].tolist(), within[1].tolist(), strict=True))
        for pair in zip(touching[0].tolist(), touching[1].tolist(), strict=True):
            if pair not in wholly_inside:
                result[pair[0]].append(self.fences[pair[1]])
        return result

    def straddled_by(
        self, lons: Sequence[float], lats: Sequence[float], accuracies_m: Sequence[float | None]
    ) -> dict[int, list[Fence]]:
        """:meth:`straddling` for the fixes that have an accuracy, by their position in the
        input; fixes without one (points) and discs that straddle nothing are left out."""
        picked = [n for n, accuracy in enumerate(accuracies_m) if accuracy]
        if not picked or not self.fences:
            return {}
        found = self.straddling(
            [lons[n] for n in picked],
            [lats[n] for n in picked],
            [accuracies_m[n] or 0.0 for n in picked],
        )
        return {n: fences for n, fences in zip(picked, found, strict=True) if fences}

    def inside_set(
        self, fences: list[Fence], *, tenant_id: int, asset_id: int, counterparty_id: int | None
    ) -> frozenset[int]:
        """The ids, among ``fences``, of those that apply to this asset."""
        return frozenset(
            f.place_id
            for f in fences
            if f.tenant_id == tenant_id and f.applies.covers(asset_id, counterparty_id)
        )


def settled_inside(
    before: frozenset[int] | None, centre: frozenset[int], straddled: frozenset[int]
) -> frozenset[int]:
    """The inside-set after a fix with an accuracy disc.

    ``centre`` holds the places that contain the disc's centre, ``straddled`` those whose
    boundary the disc crosses. Every other place is decided by the centre (the disc is
    wholly on one side). A straddled place keeps its ``before`` state; for the asset's very
    first fix (``before is None``, no events are emitted anyway) it takes the centre's.
    """
    if not straddled:
        return centre
    kept = centre if before is None else before
    return (centre - straddled) | (kept & straddled)


def transitions(
    before: frozenset[int] | None,
    now: frozenset[int],
    index: FenceIndex,
    *,
    time_ms: int,
    lat: float,
    lon: float,
    retrospective: bool = False,
    accuracy_m: float | None = None,
) -> list[RuleEvent]:
    """Enter/exit events between two inside-sets of one asset.

    ``before`` is ``None`` when the asset's previous position is unknown: then nothing is
    emitted (we cannot tell an exit from a first fix outside). Exits from allowed places and
    entries into forbidden places raise alarms; the rest are events only. The fix's
    ``accuracy_m`` (metres), when it has one, goes into the events' details.
    """
    if before is None or before == now:
        return []
    events: list[RuleEvent] = []
    changes = (
        ("geofence_enter", now - before, "forbidden"),
        ("geofence_exit", before - now, "allowed"),
    )
    where: dict[str, Any] = {"lat": lat, "lon": lon}
    if accuracy_m is not None:
        where["accuracy_m"] = accuracy_m
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
                    details={"place": fence.key, "place_kind": fence.kind, **where},
                )
            )
    return events
