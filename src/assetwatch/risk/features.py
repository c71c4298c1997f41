"""The scorecard's features of one asset, read from what the platform stored.

Windows end at ``now_ms``: 7 days for dwell and offline hours, 30 days for counts, the days
before for the usage baseline. Sources:

- risk-point dwell hours: closed stays (``stays``) whose disc overlaps a risk point, the part of
  each stay inside the window;
- nights away: the longest ``away_from_usual_places`` alarm of the window (its ``nights``);
  ``None`` (no data) unless the asset has at least one stay 30 days or older, so a new car is
  not scored as having come home;
- geofence violations: ``geofence_exit`` / ``geofence_enter`` events;
- offline hours: ``offline`` alarms, from opening to resolution (or now), clipped;
- tamper: ``removal``, ``tamper``, ``power_cut`` and ``gnss_antenna_cut`` alarms;
- gatherings: ``gathering`` alarms listing the asset;
- jammer signs: ``jamming``, ``gnss_denied`` and ``repeated_blind_area`` alarms;
- usage anomaly: daily trip distance of the last 7 days against the 90 before, as a z-score
  (``None`` with fewer than 14 days of baseline);
- days overdue: the asset's contract.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any, Final

from sqlalchemy import Connection, func, select

from assetwatch.analytics.model import Stay
from assetwatch.riskpoints.index import RiskPointIndex
from assetwatch.storage.schema import alarms, assets, contracts, events, stays, trips

DAY_MS: Final = 86_400_000
HOUR_MS: Final = 3_600_000
TAMPER: Final = ("removal", "tamper", "power_cut", "gnss_antenna_cut")
JAMMER: Final = ("jamming", "gnss_denied", "repeated_blind_area")
GEOFENCE: Final = ("geofence_exit", "geofence_enter")


def asset_features(
    conn: Connection, *, tenant_id: int, asset_id: int, now_ms: int,
    risk_points: RiskPointIndex | None,
) -> dict[str, float | None]:  # fmt: skip
    """Every feature of the consumer-auto-loan scorecard for the asset, at ``now_ms``."""
    week, month = now_ms - 7 * DAY_MS, now_ms - 30 * DAY_MS
    dwell_7d, dwell_30d = _dwell_h(conn, tenant_id, asset_id, (week, month), now_ms, risk_points)
    return {
        "risk_point_dwell_h_7d": dwell_7d,
        "risk_point_dwell_h_30d": dwell_30d,
        "nights_away_30d": _nights_away(conn, asset_id, month, now_ms),
        "geofence_violations_30d": _count_events(conn, asset_id, GEOFENCE, month, now_ms),
        "offline_h_7d": _offline_h(conn, asset_id, week, now_ms),
        "tamper_events_30d": _count_alarms(conn, asset_id, TAMPER, month, now_ms),
        "gathering_events_30d": _gatherings(conn, tenant_id, asset_id, month, now_ms),
        "jammer_events_30d": _count_alarms(conn, asset_id, JAMMER, month, now_ms),
        "usage_anomaly_z": _usage_z(conn, asset_id, now_ms),
        "days_overdue": _days_overdue(conn, asset_id),
    }


def _dwell_h(
    conn: Connection, tenant_id: int, asset_id: int, windows: tuple[int, int], until: int,
    index: RiskPointIndex | None,
) -> tuple[float, float]:  # fmt: skip
    """Hours at risk points since each of ``windows`` (the first the shorter), from one read
    of the longer window's stays."""
    if index is None or not len(index):
        return 0.0, 0.0  # no risk point is known: nothing to dwell at
    short, long = windows
    rows = conn.execute(
        select(stays.c.start_ms, stays.c.end_ms, stays.c.lat, stays.c.lon, stays.c.radius_m)
        .where((stays.c.asset_id == asset_id) & (stays.c.end_ms > long))
        .where(stays.c.start_ms < until)
    )
    totals = [0, 0]
    for r in rows:
        stay = Stay(r.start_ms, r.end_ms, r.lat, r.lon, r.radius_m, 0)
        if index.overlapping(stay, tenant_id=tenant_id):
            end = min(r.end_ms, until)
            totals[0] += max(0, end - max(r.start_ms, short))
            totals[1] += end - max(r.start_ms, long)
    return totals[0] / HOUR_MS, totals[1] / HOUR_MS


def _nights_away(conn: Connection, asset_id: int, since: int, until: int) -> float | None:
    oldest = conn.scalar(select(func.min(stays.c.start_ms)).where(stays.c.asset_id == asset_id))
    if oldest is None or oldest > since:
        return None  # too little history to know its usual places
    details = conn.scalars(
        select(alarms.c.details).where(
            (alarms.c.asset_id == asset_id) & (alarms.c.type == "away_from_usual_places")
            & (alarms.c.last_ms >= since) & (alarms.c.opened_ms < until)
        )
    ).all()  # fmt: skip
    return float(max((int(d.get("nights", 0)) for d in details), default=0))


def _count_events(
    conn: Connection, asset_id: int, types: tuple[str, ...], since: int, until: int
) -> float:
    where = (events.c.asset_id == asset_id) & events.c.type.in_(types)
    where &= (events.c.time_ms >= since) & (events.c.time_ms < until)
    return float(conn.scalar(select(func.count()).select_from(events).where(where)) or 0)


def _count_alarms(
    conn: Connection, asset_id: int, types: tuple[str, ...], since: int, until: int
) -> float:
    """Occurrences: an alarm that repeated counts each repeat (``count``)."""
    where = (alarms.c.asset_id == asset_id) & alarms.c.type.in_(types)
    where &= (alarms.c.opened_ms >= since) & (alarms.c.opened_ms < until)
    return float(conn.scalar(select(func.sum(alarms.c.count)).where(where)) or 0)


def _offline_h(conn: Connection, asset_id: int, since: int, until: int) -> float:
    rows = conn.execute(
        select(alarms.c.opened_ms, alarms.c.resolved_ms).where(
            (alarms.c.asset_id == asset_id) & (alarms.c.type == "offline")
            & (alarms.c.opened_ms < until)
            & ((alarms.c.resolved_ms.is_(None)) | (alarms.c.resolved_ms > since))
        )
    )  # fmt: skip
    total = sum(int(min(r.resolved_ms or until, until) - max(r.opened_ms, since)) for r in rows)
    return max(total, 0) / HOUR_MS


def _gatherings(conn: Connection, tenant_id: int, asset_id: int, since: int, until: int) -> float:
    rows = conn.scalars(
        select(alarms.c.details).where(
            (alarms.c.tenant_id == tenant_id) & (alarms.c.type == "gathering")
            & (alarms.c.opened_ms >= since) & (alarms.c.opened_ms < until)
        )
    )  # fmt: skip
    return float(sum(1 for d in rows if asset_id in (d or {}).get("assets", [])))


def _usage_z(conn: Connection, asset_id: int, now_ms: int) -> float | None:
    baseline_from = now_ms - 97 * DAY_MS  # 90 days of baseline, then the last 7
    daily: dict[int, float] = defaultdict(float)
    rows = conn.execute(
        select(trips.c.start_ms, trips.c.distance_m).where(
            (trips.c.asset_id == asset_id) & (trips.c.start_ms >= baseline_from)
            & (trips.c.start_ms < now_ms)
        )
    )  # fmt: skip
    for r in rows:
        daily[(r.start_ms - baseline_from) // DAY_MS] += r.distance_m / 1000
    days = 97
    per_day = [daily.get(d, 0.0) for d in range(days)]
    first = min(daily, default=None)
    if first is None or days - 7 - first < 14:
        return None  # under two weeks of baseline
    baseline, recent = per_day[first : days - 7], per_day[days - 7 :]
    spread = statistics.pstdev(baseline)
    mean = statistics.fmean(baseline)
    if spread == 0:
        return 0.0 if statistics.fmean(recent) == mean else None
    return (statistics.fmean(recent) - mean) / spread


def _days_overdue(conn: Connection, asset_id: int) -> float | None:
    found: Any = conn.scalar(
        select(contracts.c.days_overdue)
        .select_from(assets.join(contracts, contracts.c.id == assets.c.contract_id))
        .where(assets.c.id == asset_id)
    )
    return None if found is None else float(found)
