"""Douglas-Peucker simplification of a track, with a tolerance in metres.

The track is projected to a local plane: equirectangular around the track's mean latitude
(x = R·Δλ·cos φ̄, y = R·Δφ, with the longitude taken relative to the first point and wrapped
into ±180°, so a track across the antimeridian works). North-south distances are those of
the sphere; east-west ones are off by cos φ / cos φ̄ away from the mean latitude φ̄: under
2 % for points within 1° (111 km) of it below 45° N/S, a few percent for a track spanning
±5°. Plenty for choosing display vertices; the tolerance is not a survey-grade bound.

A dropped point lies within ``tolerance_m`` of the *segment* (not the infinite line) of the
simplified track that spans it, so a vehicle that drives out and back keeps its turning
point. The algorithm runs on an explicit stack (no recursion limit at 100,000 points) and
numpy; a typical track costs O(n log n), a pathological one (a tight spiral) O(n²).

Some points must survive whatever their geometry: a lender wants the fix that carried an
alarm, or the moment the tracker fell back from GPS to a cell-tower estimate. ``keep`` rules
mark them; they become fixed vertices and the tolerance applies between them.

>>> points = [{"lat": 22.5, "lon": 114.0 + i / 1000} for i in range(5)]
>>> len(simplify(points, 10.0))  # a straight line: its two ends
2
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from assetwatch.errors import ValidationError
from assetwatch.geo.distance import EARTH_RADIUS_M

Point = Mapping[str, Any]
KeepRule = Callable[[Sequence[Point], int], bool]
"""``rule(track, i)``: must ``track[i]`` survive simplification? It sees the whole track, so
a rule can compare a point with its neighbours."""

P = TypeVar("P", bound=Point)
FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]


def project_m(lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Degrees → metres on the local equirectangular plane of these points (origin: the
    first point; scale: the cosine of their mean latitude)."""
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.asarray(lon, dtype=np.float64)
    if phi.size == 0:
        return phi, phi
    dlon = (lam - lam[0] + 180.0) % 360.0 - 180.0
    x = EARTH_RADIUS_M * np.radians(dlon) * math.cos(float(phi.mean()))
    y = EARTH_RADIUS_M * (phi - phi[0])
    return x, y


def segment_distances_m(
    x: FloatArray, y: FloatArray, ax: float, ay: float, bx: float, by: float
) -> FloatArray:
    """Distance of each (x, y) from the segment A–B, in the plane's units."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0.0:
        return np.hypot(x - ax, y - ay)
    t = np.clip(((x - ax) * dx + (y - ay) * dy) / length2, 0.0, 1.0)
    return np.hypot(x - (ax + t * dx), y - (ay + t * dy))


def douglas_peucker(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    tolerance_m: float,
    *,
    keep: npt.ArrayLike | None = None,
) -> IndexArray:
    """Indices (ascending) of the vertices to keep.

    Parameters
    ----------
    lat, lon : degrees, one entry per point, in track order.
    tolerance_m : metres, ≥ 0. 0 keeps every point, even exactly collinear ones.
    keep : booleans, one per point: points that are kept whatever their geometry.
        The first and last points are always kept.
    """
    if not tolerance_m >= 0 or not math.isfinite(tolerance_m):
        raise ValidationError(f"simplify_m must be a number ≥ 0, not {tolerance_m!r}")
    x, y = project_m(lat, lon)
    n = x.size
    if n <= 2 or tolerance_m == 0:
        return np.arange(n, dtype=np.intp)
    kept = np.zeros(n, dtype=bool) if keep is None else np.array(keep, dtype=bool)
    if kept.size != n:
        raise ValueError(f"keep has {kept.size} entries for {n} points")
    kept[0] = kept[-1] = True
    anchors = np.flatnonzero(kept)
    stack = list(zip(anchors[:-1].tolist(), anchors[1:].tolist(), strict=True))
    while stack:
        start, end = stack.pop()
        if end - start < 2:
            continue
        inner = slice(start + 1, end)
        d = segment_distances_m(x[inner], y[inner], x[start], y[start], x[end], y[end])
        farthest = int(np.argmax(d))
        if d[farthest] > tolerance_m:
            split = start + 1 + farthest
            kept[split] = True
            stack.append((split, end))
            stack.append((start, split))
    return np.flatnonzero(kept).astype(np.intp)


def simplify(
    points: Sequence[P],
    tolerance_m: float,
    *,
    keep: KeepRule | None = None,
) -> list[P]:
    """The subsequence of ``points`` (mappings with ``lat`` and ``lon`` in degrees) that
    Douglas-Peucker keeps at ``tolerance_m`` metres, plus every point ``keep`` marks."""
    mask = None if keep is None else [keep(points, i) for i in range(len(points))]
    indices = douglas_peucker(
        [p["lat"] for p in points], [p["lon"] for p in points], tolerance_m, keep=mask
    )
    return [points[i] for i in indices.tolist()]


def keeps_alarms(track: Sequence[Point], i: int) -> bool:
    """The fix carried a device alarm (``alarms`` is a non-empty list)."""
    return bool(track[i].get("alarms"))


def keeps_fix_source_changes(track: Sequence[Point], i: int) -> bool:
    """Both sides of a change of ``fix_source`` (the last GPS fix and the first cell
    estimate, say), so the line shows where the precision changed."""
    source = track[i].get("fix_source")
    before = i > 0 and track[i - 1].get("fix_source") != source
    after = i + 1 < len(track) and track[i + 1].get("fix_source") != source
    return before or after


def keeps_times(times: set[str]) -> KeepRule:
    """The fixes whose ``time`` (ISO-8601, as :func:`~assetwatch.tracking.service.iso` writes
    it) is one of ``times``: the fixes at which events happened."""

    def rule(track: Sequence[Point], i: int) -> bool:
        return track[i].get("time") in times

    return rule


def any_of(*rules: KeepRule) -> KeepRule:
    """Keep a point when any of ``rules`` does."""

    def rule(track: Sequence[Point], i: int) -> bool:
        return any(r(track, i) for r in rules)

    return rule
