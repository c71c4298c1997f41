"""Alarm record analysis: ``GET /alarms/stats`` (JSON) and ``GET /alarms/stats.png`` (charts).

Included before :mod:`assetwatch.api.alarms`, whose ``/alarms/{alarm_id}`` would otherwise
capture ``stats``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from assetwatch.alarms.stats import MAX_TOP, alarm_stats
from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.tracking.service import parse_time

router = APIRouter(tags=["alarms"])


def stats_filters(
    since: str | None = Query(None, description="raised at or after (ISO-8601 or epoch ms)"),
    until: str | None = Query(None, description="raised before (ISO-8601 or epoch ms)"),
    type: str | None = Query(None, description="only this alarm type"),  # noqa: A002
    tz: str = Query("UTC", description="IANA time zone of the day buckets"),
    top: int = Query(20, ge=1, le=MAX_TOP, description="assets and counterparties listed"),
) -> dict[str, Any]:
    """The keyword arguments of :func:`alarm_stats`; a bad time is a 422 problem."""
    return {
        "since_ms": parse_time(since, field="since"),
        "until_ms": parse_time(until, field="until"),
        "alarm_type": type,
        "timezone": tz,
        "top": top,
    }


StatsFilters = Annotated[dict[str, Any], Depends(stats_filters)]


@router.get("/alarms/stats")
def get_alarm_stats(engine: EngineDep, scope: ScopeDep, filters: StatsFilters) -> dict[str, Any]:
    return alarm_stats(engine, scope=scope, **filters)


@router.get("/alarms/stats.png", response_class=Response)
def get_alarm_stats_png(engine: EngineDep, scope: ScopeDep, filters: StatsFilters) -> Response:
    stats = alarm_stats(engine, scope=scope, **filters)
    from assetwatch.alarms.stats_plot import default_title, stats_png  # matplotlib: slow import

    return Response(stats_png(stats, title=default_title(stats)), media_type="image/png")
