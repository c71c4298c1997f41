"""Alarm routes: list with filters, acknowledge, resolve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from assetwatch.alarms import service
from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.pipeline.processor import now_ms
from assetwatch.tracking.service import parse_time

router = APIRouter(tags=["alarms"])


class AlarmAction(BaseModel):
    note: str | None = Field(None, max_length=2000, description="Why, in the operator's words")


@router.get("/alarms")
def list_alarms(
    engine: EngineDep,
    scope: ScopeDep,
    status: str | None = Query(None, description="open | acknowledged | resolved | active"),
    type: str | None = Query(None, description="alarm type, e.g. geofence_exit"),  # noqa: A002
    asset: str | None = Query(None, description="asset key"),
    retrospective: bool | None = None,
    since: str | None = Query(None, description="raised at or after (ISO-8601)"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    rows = service.list_alarms(
        engine,
        scope=scope,
        status=status,
        alarm_type=type,
        asset=asset,
        retrospective=retrospective,
        since_ms=parse_time(since, field="since"),
        limit=limit,
        offset=offset,
    )
    return [service.public_view(r) for r in rows]


@router.get("/alarms/{alarm_id}")
def get_alarm(alarm_id: int, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    return service.public_view(service.get_alarm(engine, scope=scope, alarm_id=alarm_id))


@router.post("/alarms/{alarm_id}/ack")
def acknowledge(
    alarm_id: int, engine: EngineDep, scope: ScopeDep, action: AlarmAction | None = None
) -> dict[str, Any]:
    note = action.note if action else None
    return service.public_view(
        service.acknowledge(engine, scope=scope, alarm_id=alarm_id, now_ms=now_ms(), note=note)
    )


@router.post("/alarms/{alarm_id}/resolve")
def resolve(
    alarm_id: int, engine: EngineDep, scope: ScopeDep, action: AlarmAction | None = None
) -> dict[str, Any]:
    note = action.note if action else None
    return service.public_view(
        service.resolve(engine, scope=scope, alarm_id=alarm_id, now_ms=now_ms(), note=note)
    )
