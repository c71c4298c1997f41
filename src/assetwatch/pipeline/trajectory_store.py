"""Stays and trips in the database, and their retrospective recomputation.

Live stays and trips are appended as the processor closes them. When late data fills a
window of an asset (a blind-zone backfill), :func:`recompute_window` re-runs the batch
detector over the stored fixes around that window, replaces the stays and trips that lie
in it, and returns the risk-point dwell events of the recomputed stays that were not known
yet, flagged ``retrospective`` (the alarm then says it was found late).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, and_, delete, insert, select

from assetwatch.analytics.model import Fix, Stay, Trip, fix_source
from assetwatch.analytics.stays import detect
from assetwatch.pipeline.batch import Found
from assetwatch.pipeline.trajectory import TrajectoryRules
from assetwatch.storage.schema import events, observations, stays, trips

MARGIN_MS = 6 * 3_600_000
"""How far around a late window fixes are re-read: a stay may have begun before it."""


def stay_row(
    tenant_id: int, asset_id: int, stay: Stay, now_ms: int, retro: bool
) -> dict[str, object]:
    return {
        "tenant_id": tenant_id, "asset_id": asset_id, "start_ms": stay.start_ms,
        "end_ms": stay.end_ms, "lat": stay.lat, "lon": stay.lon, "radius_m": stay.radius_m,
        "points": stay.points, "retrospective": retro, "created_ms": now_ms,
    }  # fmt: skip


def trip_row(
    tenant_id: int, asset_id: int, trip: Trip, now_ms: int, retro: bool
) -> dict[str, object]:
    return {
        "tenant_id": tenant_id, "asset_id": asset_id, "start_ms": trip.start_ms,
        "end_ms": trip.end_ms, "distance_m": trip.distance_m,
        "max_speed_kmh": trip.max_speed_kmh, "avg_speed_kmh": trip.avg_speed_kmh,
        "points": trip.points, "retrospective": retro, "created_ms": now_ms,
    }  # fmt: skip


def insert_segments(
    conn: Connection,
    stay_rows: Sequence[dict[str, object]],
    trip_rows: Sequence[dict[str, object]],
) -> None:
    if stay_rows:
        conn.execute(insert(stays), list(stay_rows))
    if trip_rows:
        conn.execute(insert(trips), list(trip_rows))


def _fixes(conn: Connection, asset_id: int, start_ms: int, end_ms: int) -> list[Fix]:
    rows = conn.execute(
        select(
            observations.c.time_ms, observations.c.lat, observations.c.lon,
            observations.c.accuracy_m, observations.c.speed_kmh, observations.c.fix_source,
        )
        .where(
            and_(
                observations.c.asset_id == asset_id, observations.c.valid.is_(True),
                observations.c.lat.is_not(None), observations.c.time_ms >= start_ms,
                observations.c.time_ms <= end_ms,
            )
        )
        .order_by(observations.c.time_ms)
    ).all()  # fmt: skip
    fixes, last = [], None
    for r in rows:
        if r.time_ms == last:
            continue  # two devices of one asset at the same instant: keep the first
        last = r.time_ms
        source = fix_source(r.fix_source)
        fixes.append(Fix(r.time_ms, r.lat, r.lon, r.accuracy_m, r.speed_kmh, source))
    return fixes


def recompute_window(
    conn: Connection,
    *,
    tenant_id: int,
    asset_id: int,
    device_id: int,
    start_ms: int,
    end_ms: int,
    rules: TrajectoryRules,
    now_ms: int,
) -> list[Found]:
    """Replace the asset's closed stays and trips around [start_ms, end_ms] by those the
    stored fixes give now; the new risk-point dwells, as retrospective events."""
    lo, hi = start_ms - MARGIN_MS, end_ms + MARGIN_MS
    found_stays, found_trips = detect(_fixes(conn, asset_id, lo, hi), rules.stay_params)
    # only segments that end inside the re-read span are final; the live detector owns
    # whatever is still open at its end
    found_stays = [s for s in found_stays if s.end_ms < hi and s.start_ms > lo]
    found_trips = [t for t in found_trips if t.end_ms < hi and t.start_ms > lo]
    if not found_stays and not found_trips:
        return []
    first = min([s.start_ms for s in found_stays] + [t.start_ms for t in found_trips])
    last = max([s.end_ms for s in found_stays] + [t.end_ms for t in found_trips])
    for table in (stays, trips):
        conn.execute(
            delete(table).where(
                (table.c.asset_id == asset_id) & (table.c.start_ms >= first)
                & (table.c.end_ms <= last)
            )
        )  # fmt: skip
    insert_segments(
        conn,
        [stay_row(tenant_id, asset_id, s, now_ms, True) for s in found_stays],
        [trip_row(tenant_id, asset_id, t, now_ms, True) for t in found_trips],
    )
    out = []
    for stay in found_stays:
        for event in rules.dwell(tenant_id, stay, ongoing=False, retrospective=True):
            if not _known(conn, asset_id, event.type, event.subject, stay):
                out.append(Found(tenant_id, asset_id, device_id, event))
    return out


def _known(conn: Connection, asset_id: int, event_type: str, subject: str, stay: Stay) -> bool:
    """A dwell at this risk point already recorded during this stay (live)."""
    row = conn.execute(
        select(events.c.id)
        .where(
            (events.c.asset_id == asset_id) & (events.c.type == event_type)
            & (events.c.subject == subject) & (events.c.time_ms >= stay.start_ms)
            & (events.c.time_ms <= stay.end_ms)
        )
        .limit(1)
    ).first()  # fmt: skip
    return row is not None
