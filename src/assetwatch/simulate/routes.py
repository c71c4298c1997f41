"""Road-like routes for simulated vehicles: polylines on a street grid, in WGS-84 degrees.

Units: distances in metres (haversine on a spherical Earth), headings in degrees clockwise
from north (0–360). Local offsets use an equirectangular projection, which is accurate to
centimetres over the few kilometres a city route spans.

Example
-------
>>> centre = LatLon(22.54, 114.05)
>>> route = street_grid_route(centre, seed=1, length_m=2_000, block_m=200, radius_m=800)
>>> route.length_m >= 2_000
True
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
_MIN_SEGMENT_M = 0.01


@dataclass(frozen=True, slots=True)
class LatLon:
    """A WGS-84 position in signed degrees (north and east positive)."""

    lat: float
    lon: float


def seeded_rng(seed: int) -> random.Random:
    """Deterministic randomness for simulations (never for anything secret)."""
    return random.Random(seed)  # noqa: S311


def distance_m(a: LatLon, b: LatLon) -> float:
    """Great-circle distance between two positions, metres (haversine)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def heading_deg(a: LatLon, b: LatLon) -> float:
    """Initial bearing from ``a`` to ``b``, degrees clockwise from north in [0, 360)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dlmb = math.radians(b.lon - a.lon)
    y = math.sin(dlmb) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlmb)
    return math.degrees(math.atan2(y, x)) % 360.0


def offset(origin: LatLon, *, north_m: float = 0.0, east_m: float = 0.0) -> LatLon:
    """The position ``north_m`` north and ``east_m`` east of ``origin`` (equirectangular)."""
    dlat = math.degrees(north_m / EARTH_RADIUS_M)
    dlon = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(origin.lat))))
    return LatLon(origin.lat + dlat, origin.lon + dlon)


def destination(origin: LatLon, heading: float, distance: float) -> LatLon:
    """The position ``distance`` metres from ``origin`` along ``heading`` degrees."""
    rad = math.radians(heading)
    return offset(origin, north_m=distance * math.cos(rad), east_m=distance * math.sin(rad))


def local_metres(origin: LatLon, point: LatLon) -> tuple[float, float]:
    """``(east_m, north_m)`` of ``point`` relative to ``origin`` (equirectangular)."""
    north = math.radians(point.lat - origin.lat) * EARTH_RADIUS_M
    east = (
        math.radians(point.lon - origin.lon) * EARTH_RADIUS_M * math.cos(math.radians(origin.lat))
    )
    return east, north


def turn_angle_deg(heading_in: float, heading_out: float) -> float:
    """Absolute change of direction between two headings, degrees in [0, 180]."""
    return abs((heading_out - heading_in + 180.0) % 360.0 - 180.0)


class Route:
    """A polyline a vehicle drives along; every interior vertex is an intersection.

    Consecutive duplicate points are dropped. A route of one point has length zero (a vehicle
    that never moves).
    """

    __slots__ = ("_cumulative_m", "_headings", "points")

    def __init__(self, points: Iterable[LatLon]):
        kept: list[LatLon] = []
        for p in points:
            if not kept or distance_m(kept[-1], p) > _MIN_SEGMENT_M:
                kept.append(p)
        if not kept:
            raise ValueError("a route needs at least one point")
        self.points: tuple[LatLon, ...] = tuple(kept)
        cumulative = [0.0]
        headings: list[float] = []
        for a, b in zip(kept, kept[1:], strict=False):
            cumulative.append(cumulative[-1] + distance_m(a, b))
            headings.append(heading_deg(a, b))
        self._cumulative_m = tuple(cumulative)
        self._headings = tuple(headings) or (0.0,)

    def __repr__(self) -> str:
        return f"Route({len(self.points)} points, {self.length_m:.0f} m)"

    @property
    def length_m(self) -> float:
        """Total length, metres."""
        return self._cumulative_m[-1]

    @property
    def start(self) -> LatLon:
        return self.points[0]

    @property
    def end(self) -> LatLon:
        return self.points[-1]

    @property
    def segment_lengths_m(self) -> tuple[float, ...]:
        c = self._cumulative_m
        return tuple(b - a for a, b in zip(c, c[1:], strict=False))

    @property
    def segment_headings_deg(self) -> tuple[float, ...]:
        return self._headings if len(self.points) > 1 else ()

    def turn_angles_deg(self) -> tuple[float, ...]:
        """Turn angle at each interior vertex (index 0 is the second point), degrees."""
        h = self.segment_headings_deg
        return tuple(turn_angle_deg(a, b) for a, b in zip(h, h[1:], strict=False))

    def position_at(self, along_m: float) -> tuple[LatLon, float]:
        """The point ``along_m`` metres from the start (clamped) and the heading there."""
        if len(self.points) == 1:
            return self.points[0], 0.0
        along = min(max(along_m, 0.0), self.length_m)
        i = min(bisect_right(self._cumulative_m, along) - 1, len(self.points) - 2)
        seg_start, seg_len = (
            self._cumulative_m[i],
            self._cumulative_m[i + 1] - self._cumulative_m[i],
        )
        f = (along - seg_start) / seg_len
        a, b = self.points[i], self.points[i + 1]
        point = LatLon(a.lat + (b.lat - a.lat) * f, a.lon + (b.lon - a.lon) * f)
        return point, self._headings[i]

    def reversed(self) -> Route:
        return Route(reversed(self.points))

    def then(self, other: Route) -> Route:
        """This route followed by ``other`` (joined directly if they do not touch)."""
        return Route(self.points + other.points)


@dataclass(frozen=True, slots=True)
class StreetGrid:
    """A grid of streets ``block_m`` apart, anchored at ``origin``.

    The avenues run along ``bearing_deg`` and the cross streets at right angles to them
    (many Chinese districts are laid out on a tilted grid).
    """

    origin: LatLon
    block_m: float = 200.0
    bearing_deg: float = 0.0

    def _axes(self) -> tuple[tuple[float, float], tuple[float, float]]:
        rad = math.radians(self.bearing_deg)
        along = (math.sin(rad), math.cos(rad))  # (east, north) unit vector of the avenues
        across = (math.cos(rad), -math.sin(rad))
        return along, across

    def node(self, i: int, j: int) -> LatLon:
        """The intersection ``i`` blocks across and ``j`` blocks along from the origin."""
        return self.node_at(i, j)

    def grid_coordinates(self, point: LatLon) -> tuple[float, float]:
        """``(i, j)`` of ``point`` in blocks (fractional)."""
        along, across = self._axes()
        east, north = local_metres(self.origin, point)
        i = (east * across[0] + north * across[1]) / self.block_m
        j = (east * along[0] + north * along[1]) / self.block_m
        return i, j

    def corner_between(self, a: LatLon, b: LatLon) -> LatLon:
        """The corner of an L-shaped path from ``a`` to ``b`` along the grid's axes.

        The longer leg is driven first, as a driver heading somewhere usually would.
        """
        ai, aj = self.grid_coordinates(a)
        bi, bj = self.grid_coordinates(b)
        if abs(bj - aj) >= abs(bi - ai):
            ci, cj = ai, bj
        else:
            ci, cj = bi, aj
        return self.node_at(ci, cj)

    def node_at(self, i: float, j: float) -> LatLon:
        """Like :meth:`node` but for fractional block coordinates."""
        along, across = self._axes()
        east = self.block_m * (i * across[0] + j * along[0])
        north = self.block_m * (i * across[1] + j * along[1])
        return offset(self.origin, north_m=north, east_m=east)


_DIRECTIONS = ((0, 1), (1, 0), (0, -1), (-1, 0))  # along+, across+, along-, across-


def street_grid_route(
    centre: LatLon,
    *,
    seed: int,
    length_m: float = 3_000.0,
    block_m: float = 200.0,
    radius_m: float = 1_000.0,
    bearing_deg: float = 0.0,
    straight_probability: float = 0.6,
) -> Route:
    """A random drive on a street grid around ``centre``, deterministic for a ``seed``.

    The drive starts at the intersection nearest ``centre``, mostly goes straight on, turns
    left or right at intersections, never makes a U-turn unless boxed in, and stays within
    ``radius_m`` of the centre. It ends at the first intersection after ``length_m`` metres.
    """
    rng = seeded_rng(seed)
    grid = StreetGrid(centre, block_m=block_m, bearing_deg=bearing_deg)
    max_blocks = radius_m / block_m
    node = (0, 0)
    heading = rng.randrange(4)
    nodes = [node]
    while len(nodes) - 1 < length_m / block_m:
        heading = _next_direction(rng, node, heading, max_blocks, straight_probability)
        di, dj = _DIRECTIONS[heading]
        node = (node[0] + di, node[1] + dj)
        nodes.append(node)
    return Route(grid.node(i, j) for i, j in nodes)


def _next_direction(
    rng: random.Random,
    node: tuple[int, int],
    heading: int,
    max_blocks: float,
    straight_probability: float,
) -> int:
    turns = [(heading + 1) % 4, (heading + 3) % 4]
    rng.shuffle(turns)
    preferred = [heading, *turns] if rng.random() < straight_probability else [*turns, heading]
    for candidate in [*preferred, (heading + 2) % 4]:
        di, dj = _DIRECTIONS[candidate]
        if math.hypot(node[0] + di, node[1] + dj) <= max_blocks:
            return candidate
    return (heading + 2) % 4


def route_through(
    waypoints: Sequence[LatLon], *, bearing_deg: float = 0.0, along_streets: bool = True
) -> Route:
    """A route visiting ``waypoints`` in order.

    With ``along_streets`` each hop is an L-shaped path along a street grid tilted by
    ``bearing_deg`` (two straight legs and a right-angle turn); otherwise hops are straight.
    Example: from a dealer lot's centre to a point inside a forbidden polygon.
    """
    if not waypoints:
        raise ValueError("route_through needs at least one waypoint")
    grid = StreetGrid(waypoints[0], block_m=1.0, bearing_deg=bearing_deg)
    points = [waypoints[0]]
    for a, b in zip(waypoints, waypoints[1:], strict=False):
        if along_streets:
            points.append(grid.corner_between(a, b))
        points.append(b)
    return Route(points)
