"""Notification configuration and the outbox, for the API and the CLI.

Contacts, channels, subscriptions and escalation policies are put by key (create or
replace) and deleted by key. Notifications are listed with their delivery log; dead ones
can be queued again. Every function takes the caller's scope.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.notify.channels import redact, validate_config
from assetwatch.notify.model import Recipient
from assetwatch.notify.models import (
    ChannelIn,
    ContactIn,
    EscalationPolicyIn,
    SubscriptionIn,
)
from assetwatch.notify.outbox import idempotency_key, recipient_row
from assetwatch.storage.schema import (
    alarms,
    channels,
    contacts,
    escalation_policies,
    notification_attempts,
    notifications,
    org_units,
    subscriptions,
)
from assetwatch.tracking.service import iso

NOTIFICATION_STATUSES = ("pending", "sending", "delivered", "dead")


def _upsert(conn: Connection, table: Any, scope: Scope, key: str, values: dict[str, Any]) -> None:
    where = (table.c.tenant_id == scope.tenant_id) & (table.c.key == key)
    if conn.execute(update(table).where(where).values(values)).rowcount == 0:
        conn.execute(insert(table).values(tenant_id=scope.tenant_id, key=key, **values))


def _id_of(conn: Connection, table: Any, scope: Scope, key: str, what: str) -> int:
    found = conn.scalar(
        select(table.c.id).where((table.c.tenant_id == scope.tenant_id) & (table.c.key == key))
    )
    if found is None:
        raise NotFoundError(f"{what} {key!r} does not exist")
    return int(found)


def put_contact(engine: Engine, *, scope: Scope, key: str, body: ContactIn) -> dict[str, Any]:
    values = body.model_dump(exclude={"org_unit"})
    with engine.begin() as conn:
        values["org_unit_id"] = (
            _id_of(conn, org_units, scope, body.org_unit, "org unit") if body.org_unit else None
        )
        _upsert(conn, contacts, scope, key, values)
    return get_row(engine, scope=scope, table="contacts", key=key)


def put_channel(
    engine: Engine, *, scope: Scope, key: str, body: ChannelIn, now_ms: int
) -> dict[str, Any]:
    config = validate_config(body.kind, body.config)
    values = {"kind": body.kind, "config": config, "enabled": body.enabled, "updated_ms": now_ms}
    with engine.begin() as conn:
        _upsert(conn, channels, scope, key, values)
    return get_row(engine, scope=scope, table="channels", key=key)


def put_subscription(
    engine: Engine, *, scope: Scope, key: str, body: SubscriptionIn
) -> dict[str, Any]:
    with engine.begin() as conn:
        channel_id = _id_of(conn, channels, scope, body.channel, "channel")
        _check_target(conn, scope, body.target_kind, body.target)
        values = body.model_dump(exclude={"channel"})
        values["channel_id"] = channel_id
        values["quiet_hours"] = body.quiet_hours.model_dump() if body.quiet_hours else None
        _upsert(conn, subscriptions, scope, key, values)
    return get_row(engine, scope=scope, table="subscriptions", key=key)


def put_policy(
    engine: Engine, *, scope: Scope, key: str, body: EscalationPolicyIn
) -> dict[str, Any]:
    with engine.begin() as conn:
        for step in body.steps:
            _id_of(conn, channels, scope, step.channel, "channel")
            for target in step.targets:
                _check_target(conn, scope, target.kind, target.key)
        _upsert(conn, escalation_policies, scope, key, body.model_dump())
    return get_row(engine, scope=scope, table="escalation_policies", key=key)


def _check_target(conn: Connection, scope: Scope, kind: str, key: str) -> None:
    if kind == "contact":
        _id_of(conn, contacts, scope, key, "contact")
    elif kind == "org_unit":
        _id_of(conn, org_units, scope, key, "org unit")


TABLES = {
    "contacts": contacts,
    "channels": channels,
    "subscriptions": subscriptions,
    "escalation_policies": escalation_policies,
}


def _table(name: str) -> Any:
    if name not in TABLES:
        raise ValidationError(f"unknown notification table {name!r}")
    return TABLES[name]


def list_rows(engine: Engine, *, scope: Scope, table: str) -> list[dict[str, Any]]:
    t = _table(table)
    with engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.tenant_id == scope.tenant_id).order_by(t.c.key))
        return [_public(table, dict(row._mapping), conn) for row in rows]


def get_row(engine: Engine, *, scope: Scope, table: str, key: str) -> dict[str, Any]:
    t = _table(table)
    with engine.connect() as conn:
        row = conn.execute(
            select(t).where((t.c.tenant_id == scope.tenant_id) & (t.c.key == key))
        ).first()
        if row is None:
            raise NotFoundError(f"{table[:-1].replace('_', ' ')} {key!r} does not exist")
        return _public(table, dict(row._mapping), conn)


def delete_row(engine: Engine, *, scope: Scope, table: str, key: str) -> None:
    t = _table(table)
    with engine.begin() as conn:
        row_id = _id_of(conn, t, scope, key, table[:-1].replace("_", " "))
        if table == "channels" and _channel_in_use(conn, row_id):
            raise ConflictError(
                f"channel {key!r} has subscriptions or notifications; disable it instead"
            )
        conn.execute(delete(t).where(t.c.id == row_id))


def _channel_in_use(conn: Connection, channel_id: int) -> bool:
    for table in (subscriptions, notifications):
        if conn.scalar(select(func.count()).where(table.c.channel_id == channel_id)):
            return True
    return False


def _public(table: str, row: dict[str, Any], conn: Connection) -> dict[str, Any]:
    row.pop("tenant_id", None)
    if table == "channels":
        row["config"] = redact(row["kind"], row["config"])
        row["updated_at"] = iso(row.pop("updated_ms"))
    elif table == "subscriptions":
        row["channel"] = conn.scalar(
            select(channels.c.key).where(channels.c.id == row["channel_id"])
        )
    elif table == "contacts" and row.get("org_unit_id") is not None:
        row["org_unit"] = conn.scalar(
            select(org_units.c.key).where(org_units.c.id == row["org_unit_id"])
        )
    return row


def _with_channel() -> Any:
    channel = (channels.c.key.label("channel"), channels.c.kind.label("channel_kind"))
    return select(notifications, *channel).join(
        channels, channels.c.id == notifications.c.channel_id
    )


def list_notifications(
    engine: Engine,
    *,
    scope: Scope,
    status: str | None = None,
    alarm_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    if status is not None and status not in NOTIFICATION_STATUSES:
        raise ValidationError(f"status must be one of {', '.join(NOTIFICATION_STATUSES)}")
    query = _with_channel().where(notifications.c.tenant_id == scope.tenant_id)
    if status is not None:
        query = query.where(notifications.c.status == status)
    query = query.order_by(notifications.c.id.desc())
    with engine.connect() as conn:
        if alarm_id is None:
            rows = [dict(r._mapping) for r in conn.execute(query.limit(limit).offset(offset))]
            return [_notification_view(r) for r in rows]
        # alarm ids are a JSON list (portable across SQLite and PostgreSQL): only rows
        # written since the alarm was raised can name it
        raised = conn.scalar(
            select(alarms.c.created_ms).where(
                (alarms.c.id == alarm_id) & (alarms.c.tenant_id == scope.tenant_id)
            )
        )
        if raised is None:
            raise NotFoundError(f"alarm {alarm_id} does not exist")
        query = query.where(notifications.c.created_ms >= raised)
        rows = [dict(r._mapping) for r in conn.execute(query)]
    rows = [r for r in rows if alarm_id in r["alarm_ids"]]
    return [_notification_view(r) for r in rows[offset : offset + limit]]


def get_notification(engine: Engine, *, scope: Scope, notification_id: int) -> dict[str, Any]:
    query = (
        select(
            notifications, channels.c.key.label("channel"), channels.c.kind.label("channel_kind")
        )
        .join(channels, channels.c.id == notifications.c.channel_id)
        .where(
            (notifications.c.id == notification_id) & (notifications.c.tenant_id == scope.tenant_id)
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"notification {notification_id} does not exist")
        attempts = conn.execute(
            select(notification_attempts)
            .where(notification_attempts.c.notification_id == notification_id)
            .order_by(notification_attempts.c.attempt, notification_attempts.c.id)
        ).all()
    view = _notification_view(dict(row._mapping))
    view["attempt_log"] = [
        {
            "attempt": a.attempt, "started_at": iso(a.started_ms),
            "finished_at": iso(a.finished_ms), "ok": a.ok, "retryable": a.retryable,
            "status_code": a.status_code, "detail": a.detail,
        }
        for a in attempts
    ]  # fmt: skip
    return view


def requeue(engine: Engine, *, scope: Scope, notification_id: int, now_ms: int) -> dict[str, Any]:
    """Queue a dead notification again (same idempotency key, attempts start over)."""
    with engine.begin() as conn:
        changed = conn.execute(
            update(notifications)
            .where(
                (notifications.c.id == notification_id)
                & (notifications.c.tenant_id == scope.tenant_id)
                & (notifications.c.status == "dead")
            )
            .values(status="pending", next_attempt_ms=now_ms, attempts=0, last_error=None)
        ).rowcount
    if not changed:
        current = get_notification(engine, scope=scope, notification_id=notification_id)
        raise ConflictError(f"notification {notification_id} is {current['status']}, not dead")
    return get_notification(engine, scope=scope, notification_id=notification_id)


def send_test(
    engine: Engine, *, scope: Scope, channel: str, recipient: Recipient, now_ms: int
) -> dict[str, Any]:
    """Queue a test notification on a channel, to check its settings end to end."""
    with engine.begin() as conn:
        channel_id = _id_of(conn, channels, scope, channel, "channel")
        inserted = conn.execute(
            insert(notifications),
            {
                "tenant_id": scope.tenant_id, "kind": "test", "channel_id": channel_id,
                "recipient": recipient_row(recipient), "alarm_ids": [],
                "idempotency_key": idempotency_key("test", channel_id, recipient.key, now_ms),
                "status": "pending", "next_attempt_ms": now_ms, "created_ms": now_ms,
            },
        ).inserted_primary_key  # fmt: skip
    assert inserted is not None
    return get_notification(engine, scope=scope, notification_id=int(inserted[0]))


def _notification_view(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if not k.endswith("_ms") and k != "tenant_id"}
    out["created_at"] = iso(row["created_ms"])
    out["next_attempt_at"] = iso(row["next_attempt_ms"])
    out["delivered_at"] = iso(row["delivered_ms"])
    return out
