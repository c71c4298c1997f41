"""Alarm lifecycle (assignee, history, false positives, escalation) and notification delivery
(contacts, channels, subscriptions, escalation policies, outbox, delivery log, storm windows).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql.schema import SchemaItem

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_OPEN = sa.text("status != 'resolved'")
NEW_OPEN = sa.text("status NOT IN ('resolved', 'false_positive')")


def _alarm_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("assignee", sa.String(100), nullable=True),
        sa.Column("profile", sa.String(60), server_default="default", nullable=False),
        sa.Column("escalation_policy_id", sa.Integer(), nullable=True),
        sa.Column("escalation_step", sa.Integer(), server_default="0", nullable=False),
        sa.Column("escalate_at_ms", sa.BigInteger(), nullable=True),
    ]


NEW_TABLES = (
    "notify_throttle", "notification_attempts", "notifications", "escalation_policies",
    "subscriptions", "channels", "contacts", "alarm_history",
)  # fmt: skip


def _base(table: str, *, key: bool = False) -> list[SchemaItem]:
    items: list[SchemaItem] = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _fk(table, "tenant_id", "tenants"),
    ]
    if key:
        items += [
            sa.Column("key", sa.String(100), nullable=False),
            sa.UniqueConstraint("tenant_id", "key", name=f"uq_{table}_tenant_id"),
        ]
    return items


def _fk(table: str, column: str, target: str) -> SchemaItem:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def _create(table: str, *items: SchemaItem, key: bool = False) -> None:
    op.create_table(table, *_base(table, key=key), *items)
    op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])


def upgrade() -> None:
    with op.batch_alter_table("alarms") as batch:
        for column in _alarm_columns():
            batch.add_column(column)
    op.drop_index("uq_alarms_open_key", "alarms")
    _open_key_index(NEW_OPEN)
    op.create_index("ix_alarms_escalate_at", "alarms", ["escalate_at_ms"])
    _create_people_and_rules()
    _create_outbox()


def _open_key_index(where: sa.TextClause) -> None:
    op.create_index(
        "uq_alarms_open_key", "alarms", ["tenant_id", "asset_id", "type", "subject"],
        unique=True, sqlite_where=where, postgresql_where=where,
    )  # fmt: skip


def _create_people_and_rules() -> None:
    _create(
        "alarm_history",
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        _fk("alarm_history", "alarm_id", "alarms"),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_alarm_history_alarm", "alarm_history", ["alarm_id", "id"])
    _create(
        "contacts",
        sa.Column("name", sa.String(200), server_default="", nullable=False),
        sa.Column("role", sa.String(30), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        _fk("contacts", "org_unit_id", "org_units"),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(30), nullable=True),
        sa.Column("timezone", sa.String(40), server_default="Asia/Shanghai", nullable=False),
        sa.Column("locale", sa.String(10), server_default="zh-CN", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        key=True,
    )
    _create(
        "channels",
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        key=True,
    )
    _create(
        "subscriptions",
        sa.Column("target_kind", sa.String(20), nullable=False),
        sa.Column("target", sa.String(100), server_default="", nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        _fk("subscriptions", "channel_id", "channels"),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("quiet_hours", sa.JSON(), nullable=True),
        sa.Column("delivery", sa.String(10), server_default="immediate", nullable=False),
        sa.Column("digest_minutes", sa.Integer(), server_default="60", nullable=False),
        sa.Column("timezone", sa.String(40), nullable=True),
        sa.Column("locale", sa.String(10), nullable=True),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        key=True,
    )
    _create(
        "escalation_policies",
        sa.Column("priority", sa.Integer(), server_default="100", nullable=False),
        sa.Column("match", sa.JSON(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        key=True,
    )


def _create_outbox() -> None:
    _create(
        "notifications",
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        _fk("notifications", "channel_id", "channels"),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.JSON(), nullable=False),
        sa.Column("alarm_ids", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(80), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_notifications_idempotency_key"),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_ms", sa.BigInteger(), nullable=False),
        sa.Column("lease_until_ms", sa.BigInteger(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("delivered_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("escalation_step", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_ms"])
    _create(
        "notification_attempts",
        sa.Column("notification_id", sa.Integer(), nullable=False),
        _fk("notification_attempts", "notification_id", "notifications"),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_ms", sa.BigInteger(), nullable=False),
        sa.Column("finished_ms", sa.BigInteger(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("retryable", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
    )
    op.create_index(
        "ix_notification_attempts_notification",
        "notification_attempts",
        ["notification_id", "attempt"],
    )
    _create(
        "notify_throttle",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("window_start_ms", sa.BigInteger(), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.Column("suppressed", sa.Integer(), nullable=False),
        sa.Column("suppressed_alarm_ids", sa.JSON(), nullable=False),
        sa.UniqueConstraint("tenant_id", "asset_id", "type", name="uq_notify_throttle_key"),
    )


def downgrade() -> None:
    for table in NEW_TABLES:
        op.drop_table(table)
    op.drop_index("ix_alarms_escalate_at", "alarms")
    op.drop_index("uq_alarms_open_key", "alarms")
    _open_key_index(OLD_OPEN)
    with op.batch_alter_table("alarms") as batch:
        for column in reversed(_alarm_columns()):
            batch.drop_column(column.name)
