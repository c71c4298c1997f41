"""The relational schema (SQLAlchemy Core). Alembic migrations mirror it.

Conventions:
- every table has ``tenant_id`` (the ``_quarantine`` system tenant holds unknown devices);
- times are integer milliseconds since the Unix epoch, UTC, in ``*_ms`` columns;
- external keys (VIN, IMEI, contract number) are unique per tenant, except device
  identity ``(protocol, key)``, which is unique globally because the wire names it;
- the ``cells`` catalogue and ``evidence_keys`` are the tables without ``tenant_id``: cell
  towers are public infrastructure shared by every tenant (docs/architecture.md, ADR-14), and
  one platform key signs every tenant's evidence checkpoints (ADR-23).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)

from assetwatch.storage.analytics_tables import stays, trips
from assetwatch.storage.auth_tables import (
    api_keys,
    audit_log,
    refresh_tokens,
    user_org_units,
    users,
)
from assetwatch.storage.evidence_tables import (
    evidence_checkpoints,
    evidence_entries,
    evidence_heads,
    evidence_keys,
)
from assetwatch.storage.notify_tables import (
    alarm_history,
    channels,
    contacts,
    escalation_policies,
    notification_attempts,
    notifications,
    notify_throttle,
    subscriptions,
)
from assetwatch.storage.risk_tables import monitoring_profiles, risk_scores
from assetwatch.storage.tables_base import (
    OPEN_ALARM,
    QUARANTINE_TENANT_KEY,
    metadata,
    tenant_fk,
)

__all__ = [
    "OPEN_ALARM", "QUARANTINE_TENANT_KEY", "metadata", "alarm_history", "channels", "contacts",
    "escalation_policies", "notification_attempts", "notifications", "notify_throttle",
    "subscriptions", "stays", "trips", "api_keys", "audit_log", "refresh_tokens",
    "user_org_units", "users", "evidence_checkpoints", "evidence_entries",
    "evidence_heads", "evidence_keys", "risk_scores", "monitoring_profiles",
]  # fmt: skip

tenants = Table(
    "tenants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant_id", Integer, nullable=True),  # self id; kept for the every-row rule
    Column("key", String(100), nullable=False, unique=True),
    Column("name", String(200), nullable=False, server_default=""),
    Column("created_ms", BigInteger, nullable=False),
)

org_units = Table(
    "org_units",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("key", String(100), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("parent_id", Integer, ForeignKey("org_units.id"), nullable=True),
    UniqueConstraint("tenant_id", "key"),
)

counterparties = Table(
    "counterparties",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("org_unit_id", Integer, ForeignKey("org_units.id"), nullable=True),
    Column("key", String(100), nullable=False),
    Column("kind", String(30), nullable=False),  # borrower | lessee | dealer | pledgor
    Column("name", String(200), nullable=False, server_default=""),
    Column("addresses", JSON, nullable=False),  # [{label, lat, lon}]
    UniqueConstraint("tenant_id", "key"),
)

contracts = Table(
    "contracts",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("key", String(100), nullable=False),
    Column("kind", String(30), nullable=False),  # loan | lease | floor_plan | pledge
    Column("counterparty_id", Integer, ForeignKey("counterparties.id"), nullable=True),
    Column("amount", Float, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("status", String(20), nullable=False, server_default="active"),
    Column("days_overdue", Integer, nullable=False, server_default="0"),
    UniqueConstraint("tenant_id", "key"),
)

assets = Table(
    "assets",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("org_unit_id", Integer, ForeignKey("org_units.id"), nullable=True),
    Column("key", String(100), nullable=False),
    Column("kind", String(30), nullable=False),  # vehicle | equipment | inventory | herd | site
    Column("name", String(200), nullable=False, server_default=""),
    Column("contract_id", Integer, ForeignKey("contracts.id"), nullable=True),
    Column("value", Float, nullable=True),
    Column("attributes", JSON, nullable=False),
    UniqueConstraint("tenant_id", "key"),
)

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("protocol", String(20), nullable=False),
    Column("key", String(40), nullable=False),  # terminal phone / IMEI as on the wire
    Column("status", String(20), nullable=False, server_default="active"),
    # active | quarantined | revoked
    Column("auth_code", String(64), nullable=True),
    Column("report_interval_s", Integer, nullable=False, server_default="30"),
    Column("offline_tolerance", Float, nullable=False, server_default="3"),
    Column("timezone", String(40), nullable=False, server_default="+08:00"),
    Column("attributes", JSON, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    # HTTP/MQTT credential: SHA-256 hex of the token, and its Mosquitto $7$ hash
    Column("token_hash", String(64), nullable=True),
    Column("mqtt_password_hash", String(200), nullable=True),
    Column("token_issued_ms", BigInteger, nullable=True),
    UniqueConstraint("protocol", "key", name="uq_devices_protocol_key"),
    UniqueConstraint("auth_code", name="uq_devices_auth_code"),  # never shared (NULLs may repeat)
)

bindings = Table(
    "bindings",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("asset_id", Integer, ForeignKey("assets.id"), nullable=False),
    Column("valid_from_ms", BigInteger, nullable=False),
    Column("valid_to_ms", BigInteger, nullable=True),  # NULL = still bound
    Index("ix_bindings_device_from", "device_id", "valid_from_ms"),
)

places = Table(
    "places",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("key", String(100), nullable=False),
    Column("kind", String(30), nullable=False),  # allowed | forbidden | watch | risk_point
    Column("name", String(200), nullable=False, server_default=""),
    Column("applies_to", JSON, nullable=False),  # {"all": true} | {"counterparty": k} | ...
    Column("shape", JSON, nullable=False),  # {"circle": {...}} | {"polygon": [[lon, lat]...]}
    Column("properties", JSON, nullable=False),
    UniqueConstraint("tenant_id", "key"),
)

cells = Table(
    "cells",
    metadata,
    Column("mcc", Integer, nullable=False),
    Column("mnc", Integer, nullable=False),
    Column("lac", Integer, nullable=False),  # LAC (GSM/UMTS) or TAC (LTE/NR)
    Column("cid", BigInteger, nullable=False),  # NR cell ids need 36 bits
    Column("radio", String(5), nullable=False),  # GSM | UMTS | CDMA | LTE | NR
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("range_m", Integer, nullable=False),
    Column("samples", Integer, nullable=False, server_default="0"),
    Column("updated_ms", BigInteger, nullable=False),
    PrimaryKeyConstraint("mcc", "mnc", "lac", "cid", name="pk_cells"),
    sqlite_with_rowid=False,  # one B-tree keyed by the cell: half the writes on import
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("device_id", Integer, nullable=False),
    Column("asset_id", Integer, nullable=True),
    Column("time_ms", BigInteger, nullable=False),
    Column("server_time_ms", BigInteger, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("altitude_m", Float, nullable=True),
    Column("speed_kmh", Float, nullable=True),
    Column("course", Float, nullable=True),
    Column("valid", Boolean, nullable=False),
    Column("fix_source", String(8), nullable=False),
    Column("accuracy_m", Float, nullable=True),
    Column("alarms", Text, nullable=False, server_default=""),  # comma-separated codes
    Column("attributes", Text, nullable=False, server_default="{}"),  # JSON text
    Column("late", Boolean, nullable=False, server_default=false()),
    Column("idem", BigInteger, nullable=False),
    UniqueConstraint("device_id", "time_ms", "idem", name="uq_observations_device_time_idem"),
    Index("ix_observations_asset_time", "asset_id", "time_ms"),
)

device_state = Table(
    "device_state",
    metadata,
    Column("device_id", Integer, ForeignKey("devices.id"), primary_key=True),
    tenant_fk(),
    Column("last_time_ms", BigInteger, nullable=True),  # newest device time seen
    Column("last_server_ms", BigInteger, nullable=True),  # when it last reported
    Column("next_expected_ms", BigInteger, nullable=True),  # offline deadline
    Column("online", Boolean, nullable=False, server_default=true()),
    Column("state", JSON, nullable=False),  # rule state: active device alarms, ...
)

asset_state = Table(
    "asset_state",
    metadata,
    Column("asset_id", Integer, ForeignKey("assets.id"), primary_key=True),
    tenant_fk(),
    Column("device_id", Integer, nullable=True),
    Column("time_ms", BigInteger, nullable=True),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("speed_kmh", Float, nullable=True),
    Column("course", Float, nullable=True),
    Column("state", JSON, nullable=False),  # rule state: places inside, ...
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("asset_id", Integer, nullable=True),
    Column("device_id", Integer, nullable=True),
    Column("time_ms", BigInteger, nullable=False),
    Column("type", String(40), nullable=False),
    Column("subject", String(100), nullable=False, server_default=""),
    Column("retrospective", Boolean, nullable=False, server_default=false()),
    Column("details", JSON, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_events_asset_time", "asset_id", "time_ms"),
)

alarms = Table(
    "alarms",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("asset_id", Integer, nullable=True),
    Column("device_id", Integer, nullable=True),
    Column("type", String(40), nullable=False),
    Column("subject", String(100), nullable=False, server_default=""),
    Column("status", String(20), nullable=False),  # alarms.lifecycle.STATUSES
    Column("severity", String(10), nullable=False, server_default="medium"),
    Column("retrospective", Boolean, nullable=False, server_default=false()),
    Column("opened_ms", BigInteger, nullable=False),  # when it happened (event time)
    Column("last_ms", BigInteger, nullable=False),  # last repeat
    Column("count", Integer, nullable=False, server_default="1"),
    Column("acknowledged_ms", BigInteger, nullable=True),
    Column("acknowledged_by", String(100), nullable=True),
    Column("resolved_ms", BigInteger, nullable=True),
    Column("resolved_by", String(100), nullable=True),
    Column("note", Text, nullable=True),
    Column("details", JSON, nullable=False),
    Column("created_ms", BigInteger, nullable=False),  # when the platform raised it
    Column("assignee", String(100), nullable=True),
    Column("profile", String(60), nullable=False, server_default="default"),
    Column("escalation_policy_id", Integer, nullable=True),
    Column("escalation_step", Integer, nullable=False, server_default="0"),  # steps done
    Column("escalate_at_ms", BigInteger, nullable=True),  # next step due (NULL: none)
    Index("ix_alarms_tenant_status", "tenant_id", "status"),
    Index("ix_alarms_escalate_at", "escalate_at_ms"),
    Index(
        "uq_alarms_open_key",
        "tenant_id",
        "asset_id",
        "type",
        "subject",
        unique=True,
        sqlite_where=text(OPEN_ALARM),
        postgresql_where=text(OPEN_ALARM),
    ),
)

commands = Table(
    "commands",
    metadata,
    Column("id", Integer, primary_key=True),
    tenant_fk(),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("asset_id", Integer, nullable=True),  # bound when it was requested
    Column("kind", String(30), nullable=False),  # model.commands.CommandKind
    Column("params", JSON, nullable=False),
    Column("status", String(12), nullable=False),  # queued | sent | acked | failed | ...
    Column("approval", String(12), nullable=False),  # not_required | pending | approved | ...
    Column("requested_by", String(100), nullable=False),
    Column("reason", Text, nullable=True),
    Column("approved_by", String(100), nullable=True),
    Column("approved_ms", BigInteger, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
    Column("sent_ms", BigInteger, nullable=True),  # last delivery to the device
    Column("settled_ms", BigInteger, nullable=True),  # acked | failed | expired | cancelled
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("correlation", BigInteger, nullable=True),  # what the device echoes in its reply
    Column("reply", JSON, nullable=False),  # what the device answered
    Column("error", Text, nullable=True),
    Index("ix_commands_status", "status"),
    Index("ix_commands_device_id", "device_id", "id"),
)
