"""Resident places: where an asset lives, works and often goes, learnt from its stays.

Stays are clustered with DBSCAN on the haversine metric (scikit-learn, ball tree), each stay
weighted by its duration in hours, so that one long night counts more than many short
stops. A cluster becomes a :class:`ResidentPlace` with its dwell split by local time:

- **home**: the place with the most *night* dwell (22:00–06:00 local), when that is at
  least ``min_home_nights`` distinct nights;
- **work**: the place (other than home) with the most *weekday daytime* dwell
  (Monday–Friday 09:00–18:00), when it is at least ``min_work_days`` distinct days;
- **frequent**: any other place visited on at least ``min_visits`` distinct days.

Night and day dwell are counted by splitting each stay at the window edges in the asset's
time zone, so a stay from 20:00 to 08:00 gives 8 h of night. The labelling is deterministic:
ties go to the place seen first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np

from assetwatch.analytics.model import Stay
from assetwatch.geo.distance import EARTH_RADIUS_M, haversine_m

PlaceLabel = Literal["home", "work", "frequent"]
NIGHT = (time(22, 0), time(6, 0))
WORKDAY = (time(9, 0), time(18, 0))


@dataclass(frozen=True, slots=True)
class ResidentParams:
    eps_m: float = 150.0  # DBSCAN neighbourhood radius
    min_hours: float = 2.0  # DBSCAN: dwell hours a core neighbourhood needs (rounded up)
    min_home_nights: int = 3
    min_work_days: int = 3
    min_visits: int = 3
    timezone: str = "Asia/Shanghai"


@dataclass(slots=True)
class ResidentPlace:
    label: PlaceLabel | None
    lat: float
    lon: float
    radius_m: float
    stays: int
    dwell_h: float
    night_h: float
    workday_h: float
    nights: set[date] = field(default_factory=set)  # local dates the night began
    workdays: set[date] = field(default_factory=set)
    days: set[date] = field(default_factory=set)
    first_ms: int = 0
    last_ms: int = 0

    def contains(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        return haversine_m(self.lat, self.lon, lat, lon) <= self.radius_m + margin_m


def resident_places(stays: Sequence[Stay], params: ResidentParams) -> list[ResidentPlace]:
    """The asset's places, labelled; home first, then work, then by dwell."""
    if not stays:
        return []
    from sklearn.cluster import DBSCAN  # imported here: a second of start-up otherwise

    coords = np.radians([[s.lat, s.lon] for s in stays])
    weights = np.array([max(s.duration_s, 1.0) / 3600 for s in stays])
    labels = DBSCAN(
        eps=params.eps_m / EARTH_RADIUS_M,
        min_samples=max(1, math.ceil(params.min_hours)),  # total weight (hours) needed
        metric="haversine",
        algorithm="ball_tree",
    ).fit_predict(coords, sample_weight=weights)
    tz = ZoneInfo(params.timezone)
    places = [
        _place([s for s, label in zip(stays, labels, strict=True) if label == cluster], tz)
        for cluster in sorted(set(labels) - {-1})
    ]
    _label(places, params)
    order = {"home": 0, "work": 1, "frequent": 2, None: 3}
    return sorted(places, key=lambda p: (order[p.label], -p.dwell_h, p.first_ms))


def _place(members: list[Stay], tz: ZoneInfo) -> ResidentPlace:
    hours = [max(s.duration_s, 1.0) for s in members]
    total = sum(hours)
    lat = sum(s.lat * h for s, h in zip(members, hours, strict=True)) / total
    lon = sum(s.lon * h for s, h in zip(members, hours, strict=True)) / total
    radius = max(haversine_m(lat, lon, s.lat, s.lon) + s.radius_m for s in members)
    place = ResidentPlace(
        None, lat, lon, radius, len(members), total / 3600, 0.0, 0.0,
        first_ms=min(s.start_ms for s in members), last_ms=max(s.end_ms for s in members),
    )  # fmt: skip
    for stay in members:
        _count_windows(place, stay, tz)
    return place


def _count_windows(place: ResidentPlace, stay: Stay, tz: ZoneInfo) -> None:
    start = datetime.fromtimestamp(stay.start_ms / 1000, UTC).astimezone(tz)
    end = datetime.fromtimestamp(stay.end_ms / 1000, UTC).astimezone(tz)
    day = start.date()
    while day <= end.date():
        place.days.add(day)
        day += timedelta(days=1)
    day = start.date() - timedelta(days=1)  # a night that began yesterday may cover it
    while day <= end.date():
        night = window_overlap_s(start, end, day, NIGHT)
        if night > 0:
            place.night_h += night / 3600
            place.nights.add(day)
        if day.weekday() < 5:
            work = window_overlap_s(start, end, day, WORKDAY)
            if work > 0:
                place.workday_h += work / 3600
                place.workdays.add(day)
        day += timedelta(days=1)


def window_overlap_s(start: datetime, end: datetime, day: date, window: tuple[time, time]) -> float:
    """Seconds of [start, end) inside the local window that begins on ``day``."""
    tz = start.tzinfo
    lo = datetime.combine(day, window[0], tzinfo=tz)
    hi = datetime.combine(day, window[1], tzinfo=tz)
    if hi <= lo:
        hi += timedelta(days=1)
    return max(0.0, (min(end, hi) - max(start, lo)).total_seconds())


def _label(places: list[ResidentPlace], params: ResidentParams) -> None:
    candidates = [p for p in places if len(p.nights) >= params.min_home_nights]
    home = max(candidates, key=lambda p: (p.night_h, -p.first_ms), default=None)
    if home is not None:
        home.label = "home"
    workers = [p for p in places if p is not home and len(p.workdays) >= params.min_work_days]
    work = max(workers, key=lambda p: (p.workday_h, -p.first_ms), default=None)
    if work is not None:
        work.label = "work"
    for place in places:
        if place.label is None and len(place.days) >= params.min_visits:
            place.label = "frequent"
