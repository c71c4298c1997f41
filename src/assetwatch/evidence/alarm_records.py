"""What the alarm lifecycle puts into the evidence ledger: one entry per ``alarm_history``
row, in the same transaction.

- an alarm opening is an ``alarm`` entry (its type, subject, severity, device, details);
- every later change (acknowledged, resolved, false positive, auto-resolved, assigned, note,
  escalated) is an ``alarm_change`` entry (action, statuses, actor, note, details).

Repeats of an open alarm only count on the alarm and are not entries. The entry's subject is
the alarm's asset (``asset:<key>``), or ``device:<protocol>/<key>`` for an alarm of a device
bound to no asset.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Connection, bindparam, select

from assetwatch.evidence import ledger
from assetwatch.evidence.entries import asset_subject
from assetwatch.evidence.ledger import Entry
from assetwatch.storage.schema import alarms, assets, devices

_ALARM = (
    select(
        alarms.c.id,
        alarms.c.type,
        alarms.c.subject,
        alarms.c.severity,
        alarms.c.retrospective,
        alarms.c.opened_ms,
        alarms.c.details,
        assets.c.key.label("asset"),
        devices.c.protocol,
        devices.c.key.label("device"),
    )  # fmt: skip
    .outerjoin(assets, assets.c.id == alarms.c.asset_id)
    .outerjoin(devices, devices.c.id == alarms.c.device_id)
)


def plain(value: Any) -> Any:
    """``value`` with what canonical JSON refuses (NaN, infinities, odd types) spelled as
    text, so that recording evidence never fails the transaction it is part of."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


_ONE_ALARM = _ALARM.where(
    (alarms.c.id == bindparam("alarm_id")) & (alarms.c.tenant_id == bindparam("tenant_id"))
)  # built once: SQLAlchemy memoises its cache key, which is most of a small query's cost


def _alarm(conn: Connection, tenant_id: int, alarm_id: int) -> Any:
    return conn.execute(_ONE_ALARM, {"alarm_id": alarm_id, "tenant_id": tenant_id}).one()


def _subject(row: Any) -> str:
    if row.asset is not None:
        return asset_subject(row.asset)
    return f"device:{row.protocol}/{row.device}" if row.device is not None else "platform"


def _identity(row: Any) -> dict[str, Any]:
    return {
        "alarm_id": int(row.id), "type": row.type, "subject": row.subject,
        "asset": row.asset, "device": row.device,
    }  # fmt: skip


def opened(conn: Connection, *, tenant_id: int, alarm_id: int, now_ms: int) -> Entry:
    """The ``alarm`` entry of a newly opened alarm (at its event time)."""
    row = _alarm(conn, tenant_id, alarm_id)
    record = {
        **_identity(row), "severity": row.severity, "retrospective": bool(row.retrospective),
        "details": plain(row.details or {}),
    }  # fmt: skip
    return ledger.append(
        conn, tenant_id, "alarm", _subject(row), record, int(row.opened_ms), now_ms=now_ms
    )


def changed(
    conn: Connection, *, tenant_id: int, alarm_id: int, time_ms: int, actor: str, action: str,
    from_status: str | None = None, to_status: str | None = None, note: str | None = None,
    details: dict[str, Any] | None = None,
) -> Entry:  # fmt: skip
    """The ``alarm_change`` entry of one history row of an existing alarm."""
    row = _alarm(conn, tenant_id, alarm_id)
    record = {
        **_identity(row), "action": action, "actor": actor, "from_status": from_status,
        "to_status": to_status, "note": note, "details": plain(details or {}),
    }  # fmt: skip
    return ledger.append(conn, tenant_id, "alarm_change", _subject(row), record, time_ms)
