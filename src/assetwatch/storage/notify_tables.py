"""Tables of the alarm lifecycle and of notification delivery (issue 4).

``alarm_history`` is the append-only trail of an alarm; ``contacts``, ``channels``,
``subscriptions`` and ``escalation_policies`` say who is told what and how;
``notifications`` is the outbox (rows written in the transaction that raises the alarm) and
``notification_attempts`` the delivery log; ``notify_throttle`` holds the storm windows.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from assetwatch.storage.tables_base import metadata, tenant_fk

alarm_history = Table(
    "alarm_history",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("alarm_id", Integer, ForeignKey("alarms.id"), nullable=False),
    Column("time_ms", BigInteger, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(20), nullable=False),  # alarms.lifecycle.ACTIONS
    Column("from_status", String(20), nullable=True),
    Column("to_status", String(20), nullable=True),
    Column("note", Text, nullable=True),
    Column("details", JSON, nullable=False),
    Index("ix_alarm_history_alarm", "alarm_id", "id"),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("key", String(100), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("role", String(30), nullable=True),  # risk_officer | operator | agent | ...
    Column("org_unit_id", Integer, ForeignKey("org_units.id"), nullable=True),
    Column("email", String(200), nullable=True),
    Column("phone", String(30), nullable=True),
    Column("timezone", String(40), nullable=False, server_default="Asia/Shanghai"),
    Column("locale", String(10), nullable=False, server_default="zh-CN"),
    Column("active", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("tenant_id", "key"),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("key", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # notify.channels.CHANNEL_KINDS
    Column("config", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    Column("updated_ms", BigInteger, nullable=False),
    UniqueConstraint("tenant_id", "key"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("key", String(100), nullable=False),
    Column("target_kind", String(20), nullable=False),  # contact | role | org_unit | channel
    Column("target", String(100), nullable=False, server_default=""),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("filters", JSON, nullable=False),  # {alarm_types, min_severity, asset_groups}
    Column("quiet_hours", JSON, nullable=True),  # {start, end, timezone?, bypass_severity}
    Column("delivery", String(10), nullable=False, server_default="immediate"),  # | digest
    Column("digest_minutes", Integer, nullable=False, server_default="60"),
    Column("timezone", String(40), nullable=True),  # for channel targets (group robots)
    Column("locale", String(10), nullable=True),
    Column("enabled", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("tenant_id", "key"),
)

escalation_policies = Table(
    "escalation_policies",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("key", String(100), nullable=False),
    Column("priority", Integer, nullable=False, server_default="100"),  # lowest first
    Column("match", JSON, nullable=False),  # {alarm_types, min_severity, asset_groups}
    Column("steps", JSON, nullable=False),  # [{after_minutes, targets, channel}]
    Column("enabled", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("tenant_id", "key"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("kind", String(12), nullable=False),  # alarm | escalation | summary | digest | test
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("subscription_id", Integer, nullable=True),
    Column("recipient", JSON, nullable=False),  # notify.model.Recipient fields
    Column("alarm_ids", JSON, nullable=False),
    Column("idempotency_key", String(80), nullable=False, unique=True),
    Column("status", String(12), nullable=False),  # pending | sending | delivered | dead
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_ms", BigInteger, nullable=False),
    Column("lease_until_ms", BigInteger, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("delivered_ms", BigInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("escalation_step", Integer, nullable=True),
    Column("suppressed", Integer, nullable=False, server_default="0"),
    Index("ix_notifications_due", "status", "next_attempt_ms"),
)

notification_attempts = Table(
    "notification_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("notification_id", Integer, ForeignKey("notifications.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("started_ms", BigInteger, nullable=False),
    Column("finished_ms", BigInteger, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("retryable", Boolean, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("detail", Text, nullable=False, server_default=""),
    Index("ix_notification_attempts_notification", "notification_id", "attempt"),
)

notify_throttle = Table(
    "notify_throttle",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("asset_id", Integer, nullable=False),  # 0 for alarms without an asset
    Column("type", String(40), nullable=False),
    Column("window_start_ms", BigInteger, nullable=False),
    Column("notified", Integer, nullable=False),
    Column("suppressed", Integer, nullable=False),
    Column("suppressed_alarm_ids", JSON, nullable=False),  # the first few, for the summary
    UniqueConstraint("tenant_id", "asset_id", "type", name="uq_notify_throttle_key"),
)
