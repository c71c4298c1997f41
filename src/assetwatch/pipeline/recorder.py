"""Recording what the rules found, inside the processor's transaction: events, alarms (with
repeats counted), auto-resolution of exit alarms when the asset is back inside, and the
notification outbox rows of the new alarms."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from assetwatch.alarms import service as alarm_service
from assetwatch.alarms.service import RaisedAlarm
from assetwatch.notify.outbox import Outbox
from assetwatch.observability import Metrics
from assetwatch.pipeline.batch import Found
from assetwatch.storage.schema import events


def record(
    conn: Any,
    found: list[Found],
    now: int,
    *,
    outbox: Outbox | None,
    metrics: Metrics,
    auto_resolve: frozenset[str],
) -> tuple[list[RaisedAlarm], int]:
    """Events, alarms, auto-resolutions and outbox rows of one commit."""
    if not found:
        return [], 0
    conn.execute(
        insert(events),
        [
            {
                "tenant_id": f.tenant_id,
                "asset_id": f.asset_id,
                "device_id": f.device_id,
                "time_ms": f.event.time_ms,
                "type": f.event.type,
                "subject": f.event.subject,
                "retrospective": f.event.retrospective,
                "details": f.event.details,
                "created_ms": now,
            }
            for f in found
        ],
    )
    raised: list[RaisedAlarm] = []
    for f in found:
        if _back_inside(f, auto_resolve):
            alarm_service.auto_resolve(
                conn, tenant_id=f.tenant_id, alarm_type="geofence_exit",
                subject=f.event.subject, asset_id=f.asset_id, now_ms=now,
                why="back inside the allowed place",
            )  # fmt: skip
        if f.event.alarm:
            raised.append(
                alarm_service.raise_alarm(
                    conn,
                    tenant_id=f.tenant_id,
                    asset_id=f.asset_id,
                    device_id=f.device_id,
                    alarm_type=f.event.type,
                    subject=f.event.subject,
                    time_ms=f.event.time_ms,
                    now_ms=now,
                    retrospective=f.event.retrospective,
                    details=f.event.details,
                )
            )
    if outbox is None or not raised:
        return raised, 0
    counts = outbox.on_alarms(conn, raised, now)
    metrics.notifications_queued.labels("alarm").inc(counts.alarm)
    metrics.notifications_queued.labels("digest").inc(counts.digest)
    metrics.notifications_suppressed.inc(counts.suppressed)
    return raised, counts.alarm + counts.digest


def _back_inside(f: Found, auto_resolve: frozenset[str]) -> bool:
    """A live entry into an allowed place closes the exit alarm of that place."""
    event = f.event
    return (
        event.type == "geofence_enter"
        and not event.retrospective
        and event.details.get("place_kind") == "allowed"
        and f.asset_id is not None
        and "geofence_exit" in auto_resolve
    )
