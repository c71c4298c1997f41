"""WGS-84 ↔ GCJ-02 ↔ BD-09: the coordinate datums of Chinese map apps.

GNSS receivers (and so every tracker) report WGS-84. Maps published in mainland China must
use GCJ-02 ("Mars coordinates", 火星坐标: AMap/Gaode, Tencent, Google China), which shifts
positions by a few hundred metres with a deliberately obfuscated formula; Baidu Maps adds a
further transform, BD-09. A list of pawn shops copied from a Chinese map app is therefore
GCJ-02 or BD-09, and a track shown on one must be GCJ-02.

The forward transform is the widely published one (e.g. eviltransform, coordtransform). The
inverse has no closed form: it is solved by fixed-point iteration to better than 1e-7 degree
(about 1 cm). Outside mainland China (the usual bounding box) GCJ-02 equals WGS-84, as the
map apps do it; Hong Kong, Macau and Taiwan are inside that box and shifted, as they are in
most implementations.
"""

from __future__ import annotations

import math
from typing import Final, Literal

Datum = Literal["wgs84", "gcj02", "bd09"]
DATUMS: Final = ("wgs84", "gcj02", "bd09")

_A: Final = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses
_EE: Final = 0.00669342162296594323  # its eccentricity squared
_BD_PI: Final = math.pi * 3000.0 / 180.0
_TOLERANCE_DEG: Final = 1e-9


def outside_china(lat: float, lon: float) -> bool:
    """The rectangle outside which GCJ-02 is WGS-84 (as the map apps apply it)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta(lat: float, lon: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if outside_china(lat, lon):
        return lat, lon
    dlat, dlon = _delta(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 image is (lat, lon), by fixed-point iteration."""
    if outside_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(30):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        dlat, dlon = glat - lat, glon - lon
        if abs(dlat) < _TOLERANCE_DEG and abs(dlon) < _TOLERANCE_DEG:
            break
        wlat, wlon = wlat - dlat, wlon - dlon
    return wlat, wlon


def gcj02_to_bd09(lat: float, lon: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _BD_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _BD_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """The inverse of :func:`gcj02_to_bd09`: the usual closed-form approximation (off by up
    to ~0.1 m), refined by fixed-point iteration to better than 1e-9 degree."""
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _BD_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_PI)
    glat, glon = z * math.sin(theta), z * math.cos(theta)
    for _ in range(10):
        blat, blon = gcj02_to_bd09(glat, glon)
        dlat, dlon = blat - lat, blon - lon
        if abs(dlat) < _TOLERANCE_DEG and abs(dlon) < _TOLERANCE_DEG:
            break
        glat, glon = glat - dlat, glon - dlon
    return glat, glon


def to_wgs84(lat: float, lon: float, datum: Datum) -> tuple[float, float]:
    """A point given in ``datum`` as WGS-84."""
    if datum == "wgs84":
        return lat, lon
    if datum == "gcj02":
        return gcj02_to_wgs84(lat, lon)
    if datum == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))
    raise ValueError(f"unknown datum {datum!r}; use one of {', '.join(DATUMS)}")


def from_wgs84(lat: float, lon: float, datum: Datum) -> tuple[float, float]:
    """A WGS-84 point expressed in ``datum``."""
    if datum == "wgs84":
        return lat, lon
    if datum == "gcj02":
        return wgs84_to_gcj02(lat, lon)
    if datum == "bd09":
        return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))
    raise ValueError(f"unknown datum {datum!r}; use one of {', '.join(DATUMS)}")
