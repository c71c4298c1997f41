"""Retrospective re-analysis of a time window that late data (blind-zone backfill) filled in.

The stored fixes of the window, plus the fix just before and just after it, are replayed
in time order through the geofence rule and the device-alarm rule: an alarm bit a tracker
raised while it was in a blind zone (a main-power cut, say) is only seen in the backfill.
Findings not already recorded as events, nor found live in the same batch (a late fix and a
live alarm fix that arrive together), are flagged ``retrospective``. Live state is not
touched. Fixes with an accuracy (cell fixes) count as discs, as in the live rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import Connection, and_, select

from assetwatch.pipeline.batch import Found
from assetwatch.rules import device_alarm, geofence
from assetwatch.storage.schema import events, observations

Fix = tuple[int, int, float, float, str, float | None]
"""``(time_ms, device_id, lat, lon, alarm codes, accuracy_m)``."""


def _window_fixes(conn: Connection, asset_id: int, start_ms: int, end_ms: int) -> list[Fix]:
    cols = (
        observations.c.time_ms,
        observations.c.device_id,
        observations.c.lat,
        observations.c.lon,
        observations.c.alarms,
        observations.c.accuracy_m,
    )
    positioned = and_(
        observations.c.asset_id == asset_id,
        observations.c.valid.is_(True),
        observations.c.lat.is_not(None),
    )
    before = conn.execute(
        select(*cols)
        .where(positioned & (observations.c.time_ms < start_ms))
        .order_by(observations.c.time_ms.desc())
        .limit(1)
    ).all()
    inside = conn.execute(
        select(*cols)
        .where(
            positioned & (observations.c.time_ms >= start_ms) & (observations.c.time_ms <= end_ms)
        )
        .order_by(observations.c.time_ms)
    ).all()
    after = conn.execute(
        select(*cols)
        .where(positioned & (observations.c.time_ms > end_ms))
        .order_by(observations.c.time_ms)
        .limit(1)
    ).all()
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in [*before, *inside, *after]]


def _already_known(conn: Connection, asset_id: int, found: Found) -> bool:
    e = found.event
    row = conn.execute(
        select(events.c.id)
        .where(
            (events.c.asset_id == asset_id)
            & (events.c.type == e.type)
            & (events.c.subject == e.subject)
            & (events.c.time_ms == e.time_ms)
        )
        .limit(1)
    ).first()
    return row is not None


def recheck_window(
    conn: Connection,
    *,
    index: geofence.FenceIndex,
    tenant_id: int,
    asset_id: int,
    counterparty_id: int | None,
    start_ms: int,
    end_ms: int,
    device_key: Callable[[int], str],
) -> list[Found]:
    """Geofence transitions and device-alarm edges inside ``[start_ms, end_ms]`` that are not
    yet recorded as events."""
    fixes = _window_fixes(conn, asset_id, start_ms, end_ms)
    if len(fixes) < 2:
        return []

    def applicable(fences: list[geofence.Fence]) -> frozenset[int]:
        return index.inside_set(
            fences, tenant_id=tenant_id, asset_id=asset_id, counterparty_id=counterparty_id
        )

    lons, lats = [f[3] for f in fixes], [f[2] for f in fixes]
    hits = index.containing(lons, lats)
    straddled = index.straddled_by(lons, lats, [f[5] for f in fixes])
    candidates: list[Found] = []
    before: frozenset[int] | None = None
    active: dict[int, frozenset[str]] = {}  # device → alarm codes of its previous fix
    for n, ((time_ms, device_id, lat, lon, codes, accuracy), fences) in enumerate(
        zip(fixes, hits, strict=True)
    ):
        inside = applicable(fences)
        if n in straddled:
            inside = geofence.settled_inside(before, inside, applicable(straddled[n]))
        events = geofence.transitions(
            before,
            inside,
            index,
            time_ms=time_ms,
            lat=lat,
            lon=lon,
            retrospective=True,
            accuracy_m=accuracy,
        )
        reported = tuple(c for c in codes.split(",") if c)
        if device_id in active:
            _, edges = device_alarm.rising_alarms(
                active[device_id], reported, time_ms=time_ms, device_key=device_key(device_id)
            )
            events += [dataclasses.replace(e, retrospective=True) for e in edges]
        active[device_id] = frozenset(reported)
        before = inside
        candidates += [Found(tenant_id, asset_id, device_id, e) for e in events]
    return [f for f in candidates if not _already_known(conn, asset_id, f)]


def not_found_live(candidates: list[Found], live: list[Found]) -> list[Found]:
    """The retrospective ``candidates`` that the batch's ``live`` findings (recorded in the
    same transaction, after them) do not hold already: one event counts once."""
    seen = {(f.asset_id, f.event.type, f.event.subject, f.event.time_ms) for f in live}
    return [
        f
        for f in candidates
        if (f.asset_id, f.event.type, f.event.subject, f.event.time_ms) not in seen
    ]
