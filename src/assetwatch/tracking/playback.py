"""A track ready to show or export: fixes, optionally simplified, with stays and events.

:func:`playback` checks the caller's options, reads the track and the overlay, and simplifies
(keeping alarm fixes, fix-source changes and the fixes events happened at). Coordinates stay
WGS-84 in the :class:`Playback`; :meth:`Playback.position` converts one on output, so the
datum is applied in exactly one place for JSON and every file format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, cast

from sqlalchemy import Engine

from assetwatch.analytics.model import Stay
from assetwatch.errors import ValidationError
from assetwatch.geo.datum import DATUMS, Datum, from_wgs84
from assetwatch.model.scope import Scope
from assetwatch.tracking import overlay as overlays
from assetwatch.tracking import service
from assetwatch.tracking.simplify import (
    any_of,
    keeps_alarms,
    keeps_fix_source_changes,
    keeps_times,
    simplify,
)

COORDINATE_DECIMALS: Final = 7  # ~1 cm; converted coordinates are rounded to it


def check_datum(text: str) -> Datum:
    if text not in DATUMS:
        raise ValidationError(f"datum: {text!r} is not one of {', '.join(DATUMS)}")
    return cast(Datum, text)


def check_tolerance(simplify_m: float | None) -> float | None:
    if simplify_m is not None and not 0 <= simplify_m < float("inf"):
        raise ValidationError(f"simplify_m: {simplify_m!r} is not a distance ≥ 0 in metres")
    return simplify_m


def displayable(point: Mapping[str, Any]) -> bool:
    """A valid fix with coordinates: what a line on a map is drawn through."""
    return bool(point["valid"]) and point["lat"] is not None and point["lon"] is not None


@dataclass(frozen=True, slots=True)
class Playback:
    """``points`` are :func:`service.track` dicts (WGS-84). ``fixes`` counts the fixes read,
    before simplification; ``truncated`` says the read stopped at the limit."""

    asset: str
    points: list[dict[str, Any]]
    overlay: overlays.Overlay | None
    datum: Datum
    simplify_m: float | None
    fixes: int
    truncated: bool

    def position(self, lat: float, lon: float) -> tuple[float, float]:
        """A WGS-84 point in the output datum (rounded to 1e-7° when converted)."""
        if self.datum == "wgs84":
            return lat, lon
        out_lat, out_lon = from_wgs84(lat, lon, self.datum)
        return round(out_lat, COORDINATE_DECIMALS), round(out_lon, COORDINATE_DECIMALS)

    def located(self) -> list[dict[str, Any]]:
        """The displayable points."""
        return [p for p in self.points if displayable(p)]


def playback(
    engine: Engine,
    *,
    scope: Scope,
    asset: str,
    from_ms: int | None = None,
    to_ms: int | None = None,
    simplify_m: float | None = None,
    with_overlay: bool = False,
    datum: str = "wgs84",
    limit: int = service.MAX_TRACK_POINTS,
    stays: overlays.StaysProvider | None = None,
) -> Playback:
    """The asset's track in [from_ms, to_ms], simplified to ``simplify_m`` metres when given
    (then only displayable fixes remain), with its overlay when ``with_overlay``."""
    checked_datum = check_datum(datum)
    check_tolerance(simplify_m)
    points = service.track(
        engine, scope=scope, asset=asset, from_ms=from_ms, to_ms=to_ms, limit=limit
    )
    over = None
    if with_overlay:
        over = overlays.overlay(
            engine, scope=scope, asset=asset, from_ms=from_ms, to_ms=to_ms, stays=stays
        )
    shown = points
    if simplify_m is not None:
        if over is not None:
            times = over.times()
        else:
            times = overlays.event_times(
                engine, scope=scope, asset=asset, from_ms=from_ms, to_ms=to_ms
            )
        shown = _simplified(points, simplify_m, times)
    return Playback(
        asset=asset,
        points=shown,
        overlay=over,
        datum=checked_datum,
        simplify_m=simplify_m,
        fixes=len(points),
        truncated=len(points) >= min(limit, service.MAX_TRACK_POINTS),
    )


def _simplified(
    points: list[dict[str, Any]], simplify_m: float, event_times_ms: set[int]
) -> list[dict[str, Any]]:
    """The displayable points Douglas-Peucker keeps, with every alarm fix, both sides of every
    fix-source change and the fixes at the events' times."""
    event_times = {t for t in map(service.iso, event_times_ms) if t is not None}
    keep = any_of(keeps_alarms, keeps_fix_source_changes, keeps_times(event_times))
    located = [p for p in points if displayable(p)]
    return simplify(located, simplify_m, keep=keep)


def point_json(playback: Playback, point: dict[str, Any]) -> dict[str, Any]:
    """A track point as the API answers it, in the output datum."""
    if point["lat"] is None or point["lon"] is None:
        return point
    lat, lon = playback.position(point["lat"], point["lon"])
    return {**point, "lat": lat, "lon": lon}


def stay_json(playback: Playback, stay: Stay) -> dict[str, Any]:
    lat, lon = playback.position(stay.lat, stay.lon)
    return {
        "start": service.iso(stay.start_ms),
        "end": service.iso(stay.end_ms),
        "duration_s": stay.duration_s,
        "lat": lat,
        "lon": lon,
        "radius_m": stay.radius_m,
        "points": stay.points,
    }


def event_json(playback: Playback, event: overlays.TrackEvent) -> dict[str, Any]:
    lat, lon = event.lat, event.lon
    if lat is not None and lon is not None:
        lat, lon = playback.position(lat, lon)
    return {
        "time": service.iso(event.time_ms),
        "type": event.type,
        "subject": event.subject,
        "retrospective": event.retrospective,
        "device": event.device,
        "lat": lat,
        "lon": lon,
        "located": event.located,
        "details": dict(event.details),
    }


def playback_json(playback: Playback) -> dict[str, Any]:
    """The API's answer when the overlay is asked for: points, stays and events together."""
    over = playback.overlay or overlays.Overlay()
    return {
        "asset": playback.asset,
        "datum": playback.datum,
        "simplify_m": playback.simplify_m,
        "fixes": playback.fixes,
        "truncated": playback.truncated,
        "points": [point_json(playback, p) for p in playback.points],
        "stays": [stay_json(playback, s) for s in over.stays],
        "events": [event_json(playback, e) for e in over.events],
    }
