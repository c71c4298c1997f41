"""What resident places tell a lender: declared addresses never visited, nights away, new
night-time places. Pure functions of an asset's stays, its places and its counterparty's
declared addresses; they return rule events for the alarm layer.

- ``declared_address_never_visited``: no stay within ``near_m`` of a declared address
  (home, workplace, dealer lot) over the analysed window, which must cover at least
  ``min_window_days`` days — a borrower who gave a false address.
- ``away_from_usual_places``: the last ``nights`` consecutive nights were each spent (at least
  ``min_night_h`` hours of night stays) outside every resident place — the car no longer
  sleeps where it used to.
- ``new_night_place``: a night stay of at least ``min_night_h`` hours away from every
  resident place and every declared address; the subject is a ~200 m grid cell, so the same
  new place is one alarm, not one a night.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from assetwatch.analytics.model import Stay
from assetwatch.analytics.resident import (
    NIGHT,
    ResidentParams,
    ResidentPlace,
    resident_places,
    window_overlap_s,
)
from assetwatch.geo.distance import haversine_m
from assetwatch.rules.events import RuleEvent

DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class SignalParams:
    near_m: float = 300.0
    min_window_days: int = 14
    nights: int = 3
    min_night_h: float = 2.0
    timezone: str = "Asia/Shanghai"


def declared_never_visited(
    addresses: Sequence[dict[str, Any]], stays: Sequence[Stay], params: SignalParams, now_ms: int
) -> list[RuleEvent]:
    if not stays or now_ms - min(s.start_ms for s in stays) < params.min_window_days * DAY_MS:
        return []
    events = []
    for address in addresses:
        lat, lon = address.get("lat"), address.get("lon")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            continue
        if any(haversine_m(s.lat, s.lon, lat, lon) <= params.near_m + s.radius_m for s in stays):
            continue
        label = str(address.get("label") or f"{lat:.5f},{lon:.5f}")
        events.append(
            RuleEvent(
                type="declared_address_never_visited", time_ms=now_ms, subject=label,
                details={"address": label, "lat": lat, "lon": lon, "stays_checked": len(stays),
                         "window_days": round((now_ms - stays[0].start_ms) / DAY_MS, 1)},
            )
        )  # fmt: skip
    return events


def _night_dwell(stays: Sequence[Stay], tz: ZoneInfo) -> dict[date, list[tuple[Stay, float]]]:
    """Night (local 22:00–06:00, keyed by the date it began) → the stays in it, with seconds."""
    nights: dict[date, list[tuple[Stay, float]]] = {}
    for stay in stays:
        start = datetime.fromtimestamp(stay.start_ms / 1000, UTC).astimezone(tz)
        end = datetime.fromtimestamp(stay.end_ms / 1000, UTC).astimezone(tz)
        day = start.date() - timedelta(days=1)
        while day <= end.date():
            seconds = window_overlap_s(start, end, day, NIGHT)
            if seconds > 0:
                nights.setdefault(day, []).append((stay, seconds))
            day += timedelta(days=1)
    return nights


def _at_a_place(stay: Stay, places: Sequence[ResidentPlace], margin_m: float) -> bool:
    return any(p.contains(stay.lat, stay.lon, margin_m) for p in places)


def nights_away(
    stays: Sequence[Stay], places: Sequence[ResidentPlace], params: SignalParams, now_ms: int
) -> list[RuleEvent]:
    usual = [p for p in places if p.label is not None]
    if not usual:
        return []
    nights = _night_dwell(stays, ZoneInfo(params.timezone))
    run: list[date] = []
    for night in sorted(nights, reverse=True):  # newest first: the run must be current
        spent = nights[night]
        slept = sum(seconds for _, seconds in spent) >= params.min_night_h * 3600
        away = slept and not any(_at_a_place(s, usual, 50.0) for s, _ in spent)
        if not away or (run and (run[-1] - night).days != 1):
            break
        run.append(night)
    if len(run) < params.nights:
        return []
    first = min(run)
    return [
        RuleEvent(
            type="away_from_usual_places", time_ms=now_ms, subject=f"since {first.isoformat()}",
            details={"nights": len(run), "since": first.isoformat(),
                     "usual_places": [p.label for p in usual]},
        )
    ]  # fmt: skip


def new_night_places(
    stays: Sequence[Stay],
    places: Sequence[ResidentPlace],
    addresses: Sequence[dict[str, Any]],
    params: SignalParams,
) -> list[RuleEvent]:
    known = [p for p in places if p.label is not None]
    events: dict[str, RuleEvent] = {}
    for night, spent in sorted(_night_dwell(stays, ZoneInfo(params.timezone)).items()):
        for stay, seconds in spent:
            if seconds < params.min_night_h * 3600 or _at_a_place(stay, known, 50.0):
                continue
            if _near_address(stay, addresses, params.near_m):
                continue
            cell = f"{round(stay.lat / 0.002) * 0.002:.3f},{round(stay.lon / 0.002) * 0.002:.3f}"
            events.setdefault(
                cell,
                RuleEvent(
                    type="new_night_place", time_ms=stay.start_ms, subject=cell,
                    details={"lat": stay.lat, "lon": stay.lon, "night": night.isoformat(),
                             "night_hours": round(seconds / 3600, 1)},
                ),
            )  # fmt: skip
    return list(events.values())


def _near_address(stay: Stay, addresses: Sequence[dict[str, Any]], near_m: float) -> bool:
    for address in addresses:
        lat, lon = address.get("lat"), address.get("lon")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            if haversine_m(stay.lat, stay.lon, lat, lon) <= near_m:
                return True
    return False


def baseline(stays: Sequence[Stay], params: SignalParams, now_ms: int) -> list[Stay]:
    """The stays that define the usual places: all but the last ``nights + 1`` days, so
    that a recent change of habits is compared with the old ones, not absorbed by them."""
    cutoff = now_ms - (params.nights + 1) * DAY_MS
    older = [s for s in stays if s.end_ms < cutoff]
    return older or list(stays)


def signals(
    stays: Sequence[Stay], addresses: Sequence[dict[str, Any]], params: SignalParams, now_ms: int
) -> list[RuleEvent]:
    """Every signal of one asset: its usual places are learnt from :func:`baseline`."""

    usual = resident_places(
        baseline(stays, params, now_ms), ResidentParams(timezone=params.timezone)
    )
    return [
        *declared_never_visited(addresses, stays, params, now_ms),
        *nights_away(stays, usual, params, now_ms),
        *new_night_places(stays, usual, addresses, params),
    ]
