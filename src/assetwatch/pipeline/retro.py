"""Retrospective re-analysis of a time window that late data (blind-zone backfill) filled in.

The stored fixes of the window, plus the fix just before and just after it, are replayed
through the geofence rule in time order. Transitions that are not already recorded as events
are new findings and are flagged ``retrospective``. Live state is not touched.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, select

from assetwatch.pipeline.batch import Found
from assetwatch.rules import geofence
from assetwatch.storage.schema import events, observations


def _window_fixes(
    conn: Connection, asset_id: int, start_ms: int, end_ms: int
) -> list[tuple[int, int, float, float]]:
    cols = (
        observations.c.time_ms,
        observations.c.device_id,
        observations.c.lat,
        observations.c.lon,
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
    return [(r[0], r[1], r[2], r[3]) for r in [*before, *inside, *after]]


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
) -> list[Found]:
    """Geofence transitions inside ``[start_ms, end_ms]`` not yet recorded as events."""
    fixes = _window_fixes(conn, asset_id, start_ms, end_ms)
    if len(fixes) < 2:
        return []
    hits = index.containing([f[3] for f in fixes], [f[2] for f in fixes])
    found: list[Found] = []
    before: frozenset[int] | None = None
    for (time_ms, device_id, lat, lon), fences in zip(fixes, hits, strict=True):
        inside = index.inside_set(
            fences, tenant_id=tenant_id, asset_id=asset_id, counterparty_id=counterparty_id
        )
        for event in geofence.transitions(
            before, inside, index, time_ms=time_ms, lat=lat, lon=lon, retrospective=True
        ):
            candidate = Found(tenant_id, asset_id, device_id, event)
            if not _already_known(conn, asset_id, candidate):
                found.append(candidate)
        before = inside
    return found
