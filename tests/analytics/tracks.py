"""Tiny synthetic tracks in local metres (x east, y north) around an arbitrary origin."""

from __future__ import annotations

import math
from collections.abc import Iterable

from assetwatch.analytics.model import Fix, FixSource
from assetwatch.geo.distance import EARTH_RADIUS_M

ORIGIN_LAT, ORIGIN_LON = 48.137, 11.575
_M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians(ORIGIN_LAT))


def at(x_m: float, y_m: float) -> tuple[float, float]:
    """(lat, lon) of the point x_m east and y_m north of the origin."""
    return ORIGIN_LAT + y_m / _M_PER_DEG_LAT, ORIGIN_LON + x_m / _M_PER_DEG_LON


def fix(
    t_s: float,
    x_m: float,
    y_m: float,
    *,
    source: FixSource = "gps",
    accuracy_m: float | None = None,
    speed_kmh: float | None = None,
) -> Fix:
    lat, lon = at(x_m, y_m)
    return Fix(int(round(t_s * 1000)), lat, lon, accuracy_m, speed_kmh, source)


def line(t0_s: float, x0: float, y0: float, dx: float, dy: float, n: int, dt_s: float) -> list[Fix]:
    """``n`` fixes every ``dt_s`` seconds, moving (dx, dy) metres per fix from (x0, y0)."""
    return [fix(t0_s + i * dt_s, x0 + i * dx, y0 + i * dy) for i in range(n)]


def parked(
    t0_s: float, x: float, y: float, n: int, dt_s: float, noise: Iterable[tuple[float, float]]
) -> list[Fix]:
    """``n`` fixes every ``dt_s`` seconds at (x, y) plus the given (dx, dy) noise, cycled."""
    offsets = list(noise)
    return [
        fix(t0_s + i * dt_s, x + offsets[i % len(offsets)][0], y + offsets[i % len(offsets)][1])
        for i in range(n)
    ]
