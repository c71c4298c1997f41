"""Which risk points are near a position, or overlapped by a stay, exactly to centimetres.

The shapely 2 STRtree holds only degree bounding boxes (a circle's box is padded by 1 %); it
picks candidates. Each candidate is then measured in a local plane around the query point:
east = N·cos φ·Δλ, north = M·Δφ, with M and N the WGS-84 radii of curvature. A circle's
centre distance uses them at the mid-latitude (millimetres over kilometres); a polygon is
projected around the query point, exact to centimetres for the edges within a kilometre of
it, the error growing with distance (about 1.5 m at 5 km), which only far edges reach.

Distances are from the query point to the risk point's *area*: 0 inside, else to its edge.
A stay (centroid and radius) overlaps a risk point when its disc intersects the area, i.e.
when that distance is at most the stay's radius.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from sqlalchemy import Connection, select

from assetwatch.analytics.model import Stay
from assetwatch.riskpoints.models import RISK_POINT_KIND
from assetwatch.storage.schema import places

_A: Final = 6_378_137.0  # WGS-84 semi-major axis, metres
_E2: Final = 6.69437999014e-3  # WGS-84 first eccentricity squared
_PAD: Final = 1.01


def radii_m(lat: float) -> tuple[float, float]:
    """(M, N): the meridional and prime-vertical radii of curvature (metres) at ``lat``."""
    w2 = 1.0 - _E2 * math.sin(math.radians(lat)) ** 2
    return _A * (1.0 - _E2) / w2**1.5, _A / math.sqrt(w2)


def _metres_per_degree(lat: float) -> tuple[float, float]:
    """(north, east) metres per degree of latitude and of longitude at ``lat``."""
    m, n = radii_m(lat)
    return math.radians(m), math.radians(n) * max(math.cos(math.radians(lat)), 1e-9)


@dataclass(frozen=True, slots=True)
class RiskPoint:
    """One risk point, WGS-84. ``circle`` is (lat, lon, radius_m); otherwise ``ring`` holds
    the polygon's ``(lon, lat)`` vertices."""

    tenant_id: int
    key: str
    name: str
    category: str
    circle: tuple[float, float, float] | None = None
    ring: tuple[tuple[float, float], ...] = ()

    @classmethod
    def of_place(
        cls, *, tenant_id: int, key: str, name: str, shape: dict[str, Any], properties: Any
    ) -> RiskPoint:
        """A risk point from a stored ``places`` row's fields."""
        category = str(properties.get("category", "custom"))
        if "circle" in shape:
            c = shape["circle"]
            circle = (float(c["lat"]), float(c["lon"]), float(c["radius_m"]))
            return cls(tenant_id, key, name, category, circle=circle)
        ring = tuple((float(lon), float(lat)) for lon, lat in shape["polygon"])
        return cls(tenant_id, key, name, category, ring=ring)

    def envelope(self) -> Any:
        """A degree box that contains the whole area."""
        if self.circle is None:
            return shapely.box(*Polygon(self.ring).bounds)
        lat, lon, radius = self.circle
        north, _ = _metres_per_degree(lat)
        dlat = radius / north * _PAD
        _, east = _metres_per_degree(min(abs(lat) + dlat, 89.9))
        dlon = radius / east * _PAD
        return shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)

    def distance_m(self, lat: float, lon: float) -> float:
        """Metres from (lat, lon) to this risk point's area: 0 inside, else to its edge."""
        north, east = _metres_per_degree(lat)
        if self.circle is not None:
            clat, clon, radius = self.circle
            mid_north, mid_east = _metres_per_degree((lat + clat) / 2)
            apart = math.hypot((clon - lon) * mid_east, (clat - lat) * mid_north)
            return max(0.0, apart - radius)
        vertices = np.asarray(self.ring, dtype=float)
        local = np.column_stack(((vertices[:, 0] - lon) * east, (vertices[:, 1] - lat) * north))
        return float(Polygon(local).distance(Point(0.0, 0.0)))


@dataclass(frozen=True, slots=True)
class Nearby:
    """A risk point and the distance (metres) from the query point to its area."""

    point: RiskPoint
    distance_m: float


class RiskPointIndex:
    """Risk points of any number of tenants; queries filter by ``tenant_id`` when given."""

    def __init__(self, points: Iterable[RiskPoint]):
        self.points: list[RiskPoint] = list(points)
        self._tree = shapely.STRtree([p.envelope() for p in self.points])

    def __len__(self) -> int:
        return len(self.points)

    def near(
        self, lat: float, lon: float, within_m: float, *, tenant_id: int | None = None
    ) -> list[Nearby]:
        """Risk points whose area is at most ``within_m`` metres from (lat, lon), nearest
        first (then by key)."""
        if not self.points:
            return []
        north, _ = _metres_per_degree(lat)
        dlat = within_m / north * _PAD + 1e-9
        _, east = _metres_per_degree(min(abs(lat) + dlat, 89.9))
        dlon = within_m / east * _PAD + 1e-9
        box = shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        found = []
        for index in self._tree.query(box).tolist():
            point = self.points[index]
            if tenant_id is not None and point.tenant_id != tenant_id:
                continue
            distance = point.distance_m(lat, lon)
            if distance <= within_m:
                found.append(Nearby(point, distance))
        return sorted(found, key=lambda n: (n.distance_m, n.point.key))

    def overlapping(self, stay: Stay, *, tenant_id: int | None = None) -> list[Nearby]:
        """Risk points whose area the stay's disc (centroid, ``radius_m``) intersects;
        ``distance_m`` is from the centroid to the area (0 when the centroid is inside)."""
        return self.near(stay.lat, stay.lon, stay.radius_m, tenant_id=tenant_id)


def load_risk_points(conn: Connection, *, tenant_id: int | None = None) -> list[RiskPoint]:
    """Every risk point (of one tenant, or of all), in one query."""
    query = select(
        places.c.tenant_id, places.c.key, places.c.name, places.c.shape, places.c.properties
    ).where(places.c.kind == RISK_POINT_KIND)
    if tenant_id is not None:
        query = query.where(places.c.tenant_id == tenant_id)
    return [
        RiskPoint.of_place(
            tenant_id=row.tenant_id,
            key=row.key,
            name=row.name,
            shape=row.shape,
            properties=row.properties,
        )
        for row in conn.execute(query.order_by(places.c.id))
    ]


def load_index(conn: Connection, *, tenant_id: int | None = None) -> RiskPointIndex:
    """A :class:`RiskPointIndex` of the stored risk points (of one tenant, or of all)."""
    return RiskPointIndex(load_risk_points(conn, tenant_id=tenant_id))
