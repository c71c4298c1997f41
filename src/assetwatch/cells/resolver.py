"""Cells heard by a device → one position with an honest accuracy radius (pure, no I/O).

The formula, with ``i`` over the heard cells found in the catalogue:

- ``r_i`` (m): the cell's catalogue range, but never less than :data:`MIN_CELL_RANGE_M`
  (OpenCellID ranges estimated from one or two samples can be a few metres);
- ``s_i`` (dBm): the reported signal, clamped to ``[-150, -20]``; a missing signal counts as
  :data:`UNKNOWN_SIGNAL_DBM` (a weak cell);
- ``w_i = 10^(s_i / 10) / r_i²`` (mW/m²; only ratios matter): the received power in
  milliwatts, divided by the area the cell covers. A strong signal means the device is near
  the tower, and a small cell pins the device down more than a large one (inverse-variance
  weighting, with the variance of a position inside cell ``i`` proportional to ``r_i²``);
- ``p_i`` (m): the tower's position in a local east/north plane around the first cell;
- the estimate is ``p̂ = Σ w_i p_i / Σ w_i``;
- ``d_i = |p_i − p̂|`` (m), and the accuracy radius is
  ``A = Σ w_i (d_i + r_i) / Σ w_i`` (m), rounded up to the metre: the weighted mean distance
  from the estimate to the far edge of each cell's coverage disc.

``A`` grows with the spread of the cells (``d_i``) and with their ranges (``r_i``), and it is
never smaller than the smallest ``r_i``: hearing several cells never claims a better fix than
the best cell alone allows. With one cell, the position is the tower and ``A`` its range.

Cells more than :data:`MAX_SPREAD_M` from the cell of largest weight are dropped first: a
device cannot hear two towers that far apart, so one of the catalogue entries is wrong (a
moved or mis-surveyed tower).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

METRES_PER_DEGREE = 111_320.0
MIN_CELL_RANGE_M = 200.0
UNKNOWN_SIGNAL_DBM = -110.0
SIGNAL_LIMITS_DBM = (-150.0, -20.0)
MAX_SPREAD_M = 50_000.0

CellKey = tuple[int, int, int, int]
"""``(mcc, mnc, lac, cid)``: how a cell is named on the air and in the catalogue."""


@dataclass(frozen=True, slots=True)
class CatalogueCell:
    """Where a tower is (degrees WGS-84) and how far it reaches (metres)."""

    lat: float
    lon: float
    range_m: float
    radio: str = "GSM"


@dataclass(frozen=True, slots=True)
class CellFix:
    """A position from cells: degrees WGS-84, ``accuracy_m`` in metres, and how many
    catalogue cells it was computed from."""

    lat: float
    lon: float
    accuracy_m: float
    cells_used: int


def signal_weight(signal_dbm: float | None, range_m: float) -> float:
    """``w = 10^(s/10) / r²`` for a signal ``s`` in dBm and an effective range ``r`` in metres."""
    low, high = SIGNAL_LIMITS_DBM
    dbm = UNKNOWN_SIGNAL_DBM if signal_dbm is None else min(max(float(signal_dbm), low), high)
    return math.pow(10.0, dbm / 10.0) / (range_m * range_m)


def _weight(point: tuple[float, float, float, float]) -> float:
    return point[3]


def locate(heard: Sequence[tuple[CatalogueCell, float | None]]) -> CellFix | None:
    """The position of a device that hears ``heard`` (catalogue cell, signal in dBm or
    ``None``), serving cell first; ``None`` when the list is empty."""
    if not heard:
        return None
    lat0, lon0 = heard[0][0].lat, heard[0][0].lon
    east_per_degree = METRES_PER_DEGREE * max(math.cos(math.radians(lat0)), 1e-6)
    points: list[tuple[float, float, float, float]] = []  # east m, north m, range m, weight
    for cell, signal in heard:
        reach = max(float(cell.range_m), MIN_CELL_RANGE_M)
        delta_lon = cell.lon - lon0
        if not -180.0 <= delta_lon <= 180.0:  # across the antimeridian
            delta_lon = (delta_lon + 180.0) % 360.0 - 180.0
        points.append(
            (
                delta_lon * east_per_degree,
                (cell.lat - lat0) * METRES_PER_DEGREE,
                reach,
                signal_weight(signal, reach),
            )
        )
    if len(points) > 1:
        ax, ay, _, _ = max(points, key=_weight)
        points = [p for p in points if math.hypot(p[0] - ax, p[1] - ay) <= MAX_SPREAD_M]
    total = east = north = 0.0
    for x, y, _, w in points:
        total += w
        east += x * w
        north += y * w
    east /= total
    north /= total
    accuracy = sum((math.hypot(x - east, y - north) + r) * w for x, y, r, w in points) / total
    lon = lon0 + east / east_per_degree
    return CellFix(
        lat=lat0 + north / METRES_PER_DEGREE,
        lon=lon - 360.0 if lon > 180.0 else lon + 360.0 if lon < -180.0 else lon,
        accuracy_m=float(math.ceil(accuracy - 1e-9)),
        cells_used=len(points),
    )


def locate_known(
    heard: Sequence[tuple[CellKey, float | None]], known: Mapping[CellKey, CatalogueCell]
) -> CellFix | None:
    """:func:`locate` over the heard ``(key, signal dBm)`` pairs that ``known`` has;
    unknown cells are skipped, and none known means no position."""
    return locate([(known[key], signal) for key, signal in heard if key in known])
