"""Trajectory analytics routes: an asset's stays, trips, and resident places with signals."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from assetwatch.analytics import resident_report
from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.storage.clock import now_ms
from assetwatch.tracking import segments
from assetwatch.tracking.service import parse_time

router = APIRouter(tags=["analytics"])
From = Query(None, alias="from", description="ISO-8601 or epoch ms")
To = Query(None, description="ISO-8601 or epoch ms")


@router.get("/assets/{key}/stays")
def stays(
    key: str, engine: EngineDep, scope: ScopeDep, from_: str | None = From, to: str | None = To
) -> list[dict[str, Any]]:
    """Where the asset stopped (centroid, radius, start, end), oldest first."""
    return segments.stay_rows(
        engine, scope=scope, asset=key, from_ms=parse_time(from_, field="from"),
        to_ms=parse_time(to, field="to"),
    )  # fmt: skip


@router.get("/assets/{key}/trips")
def trips(
    key: str, engine: EngineDep, scope: ScopeDep, from_: str | None = From, to: str | None = To
) -> list[dict[str, Any]]:
    """The movements between stays: distance, duration, max and average speed."""
    return segments.trip_rows(
        engine, scope=scope, asset=key, from_ms=parse_time(from_, field="from"),
        to_ms=parse_time(to, field="to"),
    )  # fmt: skip


@router.get("/assets/{key}/resident-places")
def resident_places(
    key: str,
    engine: EngineDep,
    scope: ScopeDep,
    days: int = Query(60, ge=1, le=730, description="stays of the last N days"),
    tz: str = Query("Asia/Shanghai", description="IANA zone that defines night and day"),
) -> dict[str, Any]:
    """Home, work and frequent places learnt from the stays, and what they signal
    (declared address never visited, nights away, new night-time place)."""
    return resident_report.report(
        engine, scope=scope, asset=key, now_ms=now_ms(), days=days, timezone=tz
    )
