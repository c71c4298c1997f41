"""Resident places and their signals on a synthetic borrower: home, work, a gym, then four
nights somewhere else."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from assetwatch.analytics.model import Stay
from assetwatch.analytics.resident import ResidentParams, resident_places
from assetwatch.analytics.resident_signals import (
    SignalParams,
    declared_never_visited,
    new_night_places,
    nights_away,
)

TZ = ZoneInfo("Asia/Shanghai")
HOME = (22.5431, 114.0579)
WORK = (22.5330, 113.9300)
GYM = (22.5600, 114.1000)
ELSEWHERE = (22.7200, 114.2500)  # 25 km away: a yard in Longgang
DAY0 = datetime(2026, 11, 2, tzinfo=TZ)  # a Monday


def _stay(where: tuple[float, float], start: datetime, end: datetime, jitter: int = 0) -> Stay:
    lat, lon = where
    return Stay(int(start.timestamp() * 1000), int(end.timestamp() * 1000),
                lat + jitter * 1e-5, lon - jitter * 1e-5, 30.0, 100)  # fmt: skip


def _life(days: int = 14, away_nights: int = 4) -> list[Stay]:
    stays = []
    for n in range(days):
        day = DAY0 + timedelta(days=n)
        nights_left = days - n
        night_at = ELSEWHERE if nights_left <= away_nights else HOME
        if day.weekday() < 5:
            stays.append(
                _stay(WORK, day.replace(hour=9, minute=30), day.replace(hour=17, minute=30), n % 3)
            )
        if n % 4 == 1:
            stays.append(_stay(GYM, day.replace(hour=18, minute=30), day.replace(hour=20), n % 2))
        stays.append(
            _stay(night_at, day.replace(hour=21), day.replace(hour=8) + timedelta(days=1), n % 4)
        )
    return sorted(stays, key=lambda s: s.start_ms)


def test_home_work_and_frequent_are_found() -> None:
    places = resident_places(_life(away_nights=0), ResidentParams())
    labelled = {p.label: p for p in places}
    assert set(labelled) == {"home", "work", "frequent"}
    assert abs(labelled["home"].lat - HOME[0]) < 1e-4 and len(labelled["home"].nights) == 14
    assert abs(labelled["work"].lon - WORK[1]) < 1e-4 and len(labelled["work"].workdays) == 10
    assert abs(labelled["frequent"].lat - GYM[0]) < 1e-4
    assert labelled["home"].night_h == 14 * 8  # 22:00-06:00 of every night


def test_four_nights_elsewhere_raise_away_and_a_new_night_place() -> None:
    stays = _life(away_nights=4)
    history = [s for s in stays if s.start_ms < int((DAY0 + timedelta(days=10)).timestamp() * 1000)]
    places = resident_places(history, ResidentParams())
    now = stays[-1].end_ms
    [away] = nights_away(stays, places, SignalParams(nights=3), now)
    assert away.type == "away_from_usual_places" and away.details["nights"] == 4
    assert away.details["since"] == "2026-11-12"
    [new] = new_night_places(stays, places, [], SignalParams())
    assert new.type == "new_night_place" and abs(new.details["lat"] - ELSEWHERE[0]) < 1e-3
    assert nights_away(stays, places, SignalParams(nights=5), now) == []


def test_a_declared_address_never_visited() -> None:
    stays = _life(days=15, away_nights=0)  # the check needs 14 days of history
    declared = [{"label": "home", "lat": HOME[0] + 0.001, "lon": HOME[1]},  # 110 m off: visited
                {"label": "employer", "lat": 22.6000, "lon": 113.8000}]  # fmt: skip
    [event] = declared_never_visited(declared, stays, SignalParams(), stays[-1].end_ms)
    assert event.type == "declared_address_never_visited" and event.subject == "employer"
    assert declared_never_visited(declared, stays[:5], SignalParams(), stays[4].end_ms) == []
