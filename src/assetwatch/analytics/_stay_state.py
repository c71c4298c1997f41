"""The bounded state of :class:`~assetwatch.analytics.stays.StayDetector`.

A :class:`PathStats` sums distance, fixes and top speed along a run of precise fixes; a
:class:`Cluster` is a candidate or confirmed stay: its running centroid, its first and last
fixes, and a :class:`PathStats` of its own. Both turn into small JSON lists and dicts.
"""

from __future__ import annotations

import math
from typing import Any, Final

from assetwatch.analytics.model import Stay, Trip
from assetwatch.geo.distance import EARTH_RADIUS_M, haversine_m

MAX_PLAUSIBLE_KMH: Final = 300.0  # faster segments and reported speeds are ignored as jumps
M_PER_DEG_LAT: Final = EARTH_RADIUS_M * math.pi / 180


class PathStats:
    """Distance, fix count and speeds along a run of precise fixes; ``last_*`` is its end."""

    __slots__ = ("dist_m", "last_lat", "last_lon", "last_ms", "points", "start_ms", "vmax")

    def __init__(self, time_ms: int, lat: float, lon: float, speed: float | None) -> None:
        self.start_ms = self.last_ms = time_ms
        self.last_lat, self.last_lon = lat, lon
        self.dist_m = 0.0
        self.points = 1
        self.vmax = speed if speed is not None and 0 <= speed <= MAX_PLAUSIBLE_KMH else 0.0

    def step(self, time_ms: int, lat: float, lon: float, speed: float | None) -> None:
        d = haversine_m(self.last_lat, self.last_lon, lat, lon)
        dt = time_ms - self.last_ms
        if dt > 0:
            v = d * 3600.0 / dt  # m/ms -> km/h
            if self.vmax < v <= MAX_PLAUSIBLE_KMH:
                self.vmax = v
        if speed is not None and self.vmax < speed <= MAX_PLAUSIBLE_KMH:
            self.vmax = speed
        self.dist_m += d
        self.points += 1
        self.last_ms, self.last_lat, self.last_lon = time_ms, lat, lon

    def restart(self, time_ms: int, lat: float, lon: float) -> None:
        """Begin again at one fix: no distance, no speed."""
        self.start_ms = self.last_ms = time_ms
        self.last_lat, self.last_lon = lat, lon
        self.dist_m = self.vmax = 0.0
        self.points = 1

    def absorb(self, other: PathStats, first_lat: float, first_lon: float) -> None:
        """Continue this path with ``other``, which starts at (first_lat, first_lon)."""
        self.step(other.start_ms, first_lat, first_lon, None)
        self.dist_m += other.dist_m
        self.points += other.points - 1
        self.vmax = max(self.vmax, other.vmax)
        self.last_ms, self.last_lat, self.last_lon = other.last_ms, other.last_lat, other.last_lon

    def trip(self, from_stay: int | None, to_stay: int | None) -> Trip:
        duration_s = (self.last_ms - self.start_ms) / 1000
        avg = self.dist_m / duration_s * 3.6 if duration_s > 0 else 0.0
        return Trip(
            start_ms=self.start_ms,
            end_ms=self.last_ms,
            distance_m=self.dist_m,
            max_speed_kmh=self.vmax,
            avg_speed_kmh=avg,
            points=self.points,
            from_stay_start_ms=from_stay,
            to_stay_start_ms=to_stay,
        )

    def state(self) -> list[Any]:
        return [self.start_ms, self.last_ms, self.last_lat, self.last_lon] + [
            self.dist_m,
            self.points,
            self.vmax,
        ]

    @classmethod
    def load(cls, s: list[Any]) -> PathStats:
        path = cls(int(s[0]), float(s[2]), float(s[3]), None)
        path.last_ms, path.dist_m = int(s[1]), float(s[4])
        path.points, path.vmax = int(s[5]), float(s[6])
        return path


class Cluster:
    """Consecutive precise fixes around a running centroid: a candidate, or a confirmed stay.

    While a candidate, ``path`` runs along the fixes from the first member to the last (a
    dropped outlier included) and ``settled`` says whether a still step was seen. Once
    confirmed, ``path`` is the *tail*: the member fixes after the last still one (``end_ms``),
    which become the start of the next trip if the asset leaves.
    """

    __slots__ = (
        "coarse",
        "confirmed",
        "end_ms",
        "first_lat",
        "first_lon",
        "lat",
        "lon",
        "n",
        "m_per_deg_lon",
        "path",
        "radius_m",
        "settled",
        "ss",
        "start_ms",
        "tail_n",
        "tail_ss",
    )

    def __init__(self, time_ms: int, lat: float, lon: float, speed: float | None) -> None:
        self.path = PathStats(time_ms, lat, lon, speed)
        self.first_lat = self.lat = lat
        self.first_lon = self.lon = lon
        self.m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(lat))
        self.n = 1
        self.coarse = 0
        self.radius_m = self.ss = self.tail_ss = 0.0  # sums of squared distances
        self.tail_n = 0  # member fixes after the last still one
        self.start_ms = self.end_ms = time_ms
        self.confirmed = False
        self.settled = False

    def step_m(self, lat: float, lon: float) -> float:
        """From the end of ``path`` (the last member, or a dropped outlier), on the local plane."""
        p = self.path
        return math.hypot(
            (lat - p.last_lat) * M_PER_DEG_LAT, (lon - p.last_lon) * self.m_per_deg_lon
        )

    def distance_m(self, lat: float, lon: float) -> float:
        """From the centroid, on the local plane of the first fix (equirectangular)."""
        return math.hypot((lat - self.lat) * M_PER_DEG_LAT, (lon - self.lon) * self.m_per_deg_lon)

    def still_at(self, time_ms: int, lat: float, lon: float) -> None:
        """A confirmed stay is still going on at this time: its tail so far belongs to it."""
        self.end_ms = time_ms
        self.ss += self.tail_ss
        self.tail_ss, self.tail_n = 0.0, 0
        self.path.restart(time_ms, lat, lon)

    def stay(self) -> Stay:
        """The confirmed stay, without its tail (the member fixes already moving off)."""
        return Stay(
            start_ms=self.start_ms,
            end_ms=self.end_ms,
            lat=self.lat,
            lon=self.lon,
            radius_m=self.radius_m,
            points=self.n + self.coarse - self.tail_n,
        )

    def state(self) -> dict[str, Any]:
        return {
            "path": self.path.state(),
            "first": [self.first_lat, self.first_lon],
            "centroid": [self.lat, self.lon],
            "n": self.n,
            "coarse": self.coarse,
            "radius_m": self.radius_m,
            "ss": [self.ss, self.tail_ss, self.tail_n],
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "confirmed": self.confirmed,
            "settled": self.settled,
        }

    @classmethod
    def load(cls, s: dict[str, Any]) -> Cluster:
        """From :meth:`state`; a version-1 state (no ``start_ms``: no tail, always settled) is
        continued as it would have been."""
        (first_lat, first_lon), (lat, lon) = s["first"], s["centroid"]
        c = cls(0, first_lat, first_lon, None)
        c.path = PathStats.load(s["path"])
        c.lat, c.lon = lat, lon
        c.n, c.coarse, c.radius_m = int(s["n"]), int(s["coarse"]), float(s["radius_m"])
        c.end_ms, c.confirmed = int(s["end_ms"]), bool(s["confirmed"])
        c.start_ms, c.settled = int(s.get("start_ms", c.path.start_ms)), bool(s.get("settled", 1))
        ss, tail_ss, tail_n = s.get("ss", (c.n * (c.radius_m / 2) ** 2, 0.0, 0))
        c.ss, c.tail_ss, c.tail_n = float(ss), float(tail_ss), int(tail_n)
        if "start_ms" not in s and c.confirmed:
            c.path = PathStats(c.end_ms, c.path.last_lat, c.path.last_lon, None)
        return c
