"""Alarm routes: list with filters; acknowledge, resolve, false positive, assign, notes and
history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from assetwatch.alarms import lifecycle, service
from assetwatch.alarms.statuses import ACKNOWLEDGED, FALSE_POSITIVE, RESOLVED
from assetwatch.api.deps import EngineDep, ScopeDep, acting
from assetwatch.pipeline.processor import now_ms
from assetwatch.tracking.service import iso, parse_time

router = APIRouter(tags=["alarms"])


class AlarmAction(BaseModel):
    note: str | None = Field(None, max_length=2000, description="Why, in the operator's words")
    by: str | None = Field(
        None,
        max_length=100,
        description="Development mode only: who acts (otherwise the signed-in caller)",
    )


class Assignment(AlarmAction):
    assignee: str | None = Field(..., max_length=100, description="New owner; null to unassign")


class Note(BaseModel):
    note: str = Field(..., min_length=1, max_length=2000)
    by: str | None = Field(None, max_length=100)


@router.get("/alarms")
def list_alarms(
    engine: EngineDep,
    scope: ScopeDep,
    status: str | None = Query(
        None, description="open | acknowledged | resolved | false_positive | active"
    ),
    type: str | None = Query(None, description="alarm type, e.g. geofence_exit"),  # noqa: A002
    asset: str | None = Query(None, description="asset key"),
    retrospective: bool | None = None,
    since: str | None = Query(None, description="raised at or after (ISO-8601)"),
    severity: str | None = Query(None, description="low | medium | high | critical"),
    assignee: str | None = None,
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
        severity=severity,
        assignee=assignee,
        limit=limit,
        offset=offset,
    )
    return [service.public_view(r) for r in rows]


@router.get("/alarms/{alarm_id}")
def get_alarm(alarm_id: int, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    return service.public_view(service.get_alarm(engine, scope=scope, alarm_id=alarm_id))


@router.get("/alarms/{alarm_id}/history")
def history(alarm_id: int, engine: EngineDep, scope: ScopeDep) -> list[dict[str, Any]]:
    return [
        {**{k: v for k, v in row.items() if k != "time_ms"}, "time": iso(row["time_ms"])}
        for row in lifecycle.history(engine, scope=scope, alarm_id=alarm_id)
    ]


@router.post("/alarms/{alarm_id}/notes")
def add_note(alarm_id: int, body: Note, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    alarm = lifecycle.add_note(
        engine,
        scope=scope,
        alarm_id=alarm_id,
        note=body.note,
        now_ms=now_ms(),
        by=acting(scope, body.by),
    )
    return service.public_view(alarm)


def _move(
    alarm_id: int, to: str, engine: EngineDep, scope: ScopeDep, body: AlarmAction | None
) -> dict[str, Any]:
    body = body or AlarmAction()
    alarm = lifecycle.transition(
        engine, scope=scope, alarm_id=alarm_id, to=to, now_ms=now_ms(), note=body.note,
        by=acting(scope, body.by),
    )  # fmt: skip
    return service.public_view(alarm)


@router.post("/alarms/{alarm_id}/ack")
def acknowledge(
    alarm_id: int, engine: EngineDep, scope: ScopeDep, body: AlarmAction | None = None
) -> dict[str, Any]:
    """open → acknowledged; stops escalation."""
    return _move(alarm_id, ACKNOWLEDGED, engine, scope, body)


@router.post("/alarms/{alarm_id}/resolve")
def resolve(
    alarm_id: int, engine: EngineDep, scope: ScopeDep, body: AlarmAction | None = None
) -> dict[str, Any]:
    """open | acknowledged → resolved."""
    return _move(alarm_id, RESOLVED, engine, scope, body)


@router.post("/alarms/{alarm_id}/false-positive")
def false_positive(
    alarm_id: int, engine: EngineDep, scope: ScopeDep, body: AlarmAction | None = None
) -> dict[str, Any]:
    """open | acknowledged → false_positive (counted against the rule and the profile)."""
    return _move(alarm_id, FALSE_POSITIVE, engine, scope, body)


@router.put("/alarms/{alarm_id}/assignee")
def assign(alarm_id: int, body: Assignment, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    alarm = lifecycle.assign(
        engine, scope=scope, alarm_id=alarm_id, assignee=body.assignee, now_ms=now_ms(),
        note=body.note, by=acting(scope, body.by),
    )  # fmt: skip
    return service.public_view(alarm)
