"""From committed outbox rows to :class:`~assetwatch.notify.model.Notice` objects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from assetwatch.notify.model import AlarmFacts, Notice, Recipient
from assetwatch.storage.schema import alarms, assets, devices


def alarm_facts(conn: Connection, alarm_ids: list[int]) -> dict[int, AlarmFacts]:
    """The alarms a notice is about, by id (alarms that no longer exist are left out)."""
    if not alarm_ids:
        return {}
    query = (
        select(
            alarms.c.id, alarms.c.type, alarms.c.severity, alarms.c.status, alarms.c.subject,
            alarms.c.opened_ms, alarms.c.count, alarms.c.details,
            assets.c.key.label("asset"), assets.c.name.label("asset_name"),
            devices.c.key.label("device"),
        )
        .select_from(
            alarms.outerjoin(assets, assets.c.id == alarms.c.asset_id).outerjoin(
                devices, devices.c.id == alarms.c.device_id
            )
        )
        .where(alarms.c.id.in_(alarm_ids))
    )  # fmt: skip
    facts = {}
    for row in conn.execute(query):
        details = dict(row.details or {})
        facts[row.id] = AlarmFacts(
            alarm_id=row.id, type=row.type, severity=row.severity, status=row.status,
            asset=row.asset, asset_name=row.asset_name or None, device=row.device,
            subject=row.subject, opened_ms=row.opened_ms, count=int(row._mapping["count"]),
            lat=_float(details.get("lat")), lon=_float(details.get("lon")), details=details,
        )  # fmt: skip
    return facts


def build_notice(
    row: Any, facts: dict[int, AlarmFacts], tenant: str, *, public_url: str | None
) -> Notice:
    """The notice of one outbox row (``row`` has the ``notifications`` columns)."""
    ids = [int(i) for i in row.alarm_ids]
    recipient = Recipient(**_recipient_fields(row.recipient))
    link = None
    if public_url and len(ids) == 1:
        link = f"{public_url.rstrip('/')}/api/v1/alarms/{ids[0]}"
    return Notice(
        notification_id=row.id,
        idempotency_key=row.idempotency_key,
        kind=row.kind,
        tenant=tenant,
        recipient=recipient,
        alarms=tuple(facts[i] for i in ids if i in facts),
        created_ms=row.created_ms,
        attempt=row.attempts,
        escalation_step=row.escalation_step,
        suppressed=row.suppressed,
        link=link,
    )


def _recipient_fields(raw: Any) -> dict[str, Any]:
    allowed = ("key", "name", "email", "phone", "timezone", "locale")
    fields = {k: v for k, v in dict(raw or {}).items() if k in allowed and v is not None}
    fields.setdefault("key", "?")
    return fields


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
