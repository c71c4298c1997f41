"""Stays and trips of an asset, from the ``stays`` and ``trips`` tables, scoped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from assetwatch.analytics.model import Stay, Trip
from assetwatch.model.scope import Scope
from assetwatch.storage.schema import stays as stays_table
from assetwatch.storage.schema import trips as trips_table
from assetwatch.tracking.service import asset_id_of, iso

MAX_SEGMENTS = 10_000


def _window(table: Any, asset_id: int, from_ms: int | None, to_ms: int | None) -> Any:
    query = select(table).where(table.c.asset_id == asset_id)
    if from_ms is not None:
        query = query.where(table.c.end_ms >= from_ms)
    if to_ms is not None:
        query = query.where(table.c.start_ms <= to_ms)
    return query.order_by(table.c.start_ms).limit(MAX_SEGMENTS)


def stays(
    engine: Engine, *, scope: Scope, asset: str, from_ms: int | None = None,
    to_ms: int | None = None,
) -> list[Stay]:  # fmt: skip
    """The asset's stays overlapping [from_ms, to_ms], oldest first."""
    asset_id = asset_id_of(engine, scope, asset)
    with engine.connect() as conn:
        rows = conn.execute(_window(stays_table, asset_id, from_ms, to_ms)).all()
    return [Stay(r.start_ms, r.end_ms, r.lat, r.lon, r.radius_m, r.points) for r in rows]


def stay_rows(
    engine: Engine, *, scope: Scope, asset: str, from_ms: int | None = None,
    to_ms: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """API/CLI view of the stays: times in ISO-8601, duration, late-found flag."""
    asset_id = asset_id_of(engine, scope, asset)
    with engine.connect() as conn:
        rows = conn.execute(_window(stays_table, asset_id, from_ms, to_ms)).all()
    return [
        {
            "start": iso(r.start_ms), "end": iso(r.end_ms),
            "duration_s": (r.end_ms - r.start_ms) / 1000, "lat": r.lat, "lon": r.lon,
            "radius_m": round(r.radius_m, 1), "points": r.points,
            "retrospective": bool(r.retrospective),
        }
        for r in rows
    ]  # fmt: skip


def trip_rows(
    engine: Engine, *, scope: Scope, asset: str, from_ms: int | None = None,
    to_ms: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    asset_id = asset_id_of(engine, scope, asset)
    with engine.connect() as conn:
        rows = conn.execute(_window(trips_table, asset_id, from_ms, to_ms)).all()
    return [
        {
            "start": iso(r.start_ms), "end": iso(r.end_ms),
            "duration_s": (r.end_ms - r.start_ms) / 1000, "distance_m": round(r.distance_m, 1),
            "max_speed_kmh": round(r.max_speed_kmh, 1), "avg_speed_kmh": round(r.avg_speed_kmh, 1),
            "points": r.points, "retrospective": bool(r.retrospective),
        }
        for r in rows
    ]  # fmt: skip


def trips(
    engine: Engine, *, scope: Scope, asset: str, from_ms: int | None = None,
    to_ms: int | None = None,
) -> list[Trip]:  # fmt: skip
    asset_id = asset_id_of(engine, scope, asset)
    with engine.connect() as conn:
        rows = conn.execute(_window(trips_table, asset_id, from_ms, to_ms)).all()
    return [
        Trip(r.start_ms, r.end_ms, r.distance_m, r.max_speed_kmh, r.avg_speed_kmh, r.points)
        for r in rows
    ]
