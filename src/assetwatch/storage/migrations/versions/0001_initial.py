"""Initial schema: every table, index and constraint of ``assetwatch.storage.schema``.

Written by hand (explicit names, no naming-convention magic) so it stays valid when
``schema.py`` moves on. Runs on SQLite and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_ALARM = sa.text("status != 'resolved'")


def _id(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _tenant(table: str) -> list[SchemaItem]:
    return [
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _fk(table, "tenant_id", "tenants"),
    ]


def _fk(table: str, column: str, target: str, target_column: str = "id") -> SchemaItem:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.{target_column}"], name=f"fk_{table}_{column}_{target}"
    )


def _tenant_scoped_key(table: str, length: int = 100) -> list[SchemaItem]:
    return [
        sa.Column("key", sa.String(length), nullable=False),
        sa.UniqueConstraint("tenant_id", "key", name=f"uq_{table}_tenant_id"),
    ]


def _tenant_index(table: str) -> None:
    op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"])


def _create_tenants_and_parties() -> None:
    op.create_table(
        "tenants",
        *_id("tenants"),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), server_default="", nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("key", name="uq_tenants_key"),
    )
    op.create_table(
        "org_units",
        *_id("org_units"),
        *_tenant("org_units"),
        *_tenant_scoped_key("org_units"),
        sa.Column("name", sa.String(200), server_default="", nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        _fk("org_units", "parent_id", "org_units"),
    )
    op.create_table(
        "counterparties",
        *_id("counterparties"),
        *_tenant("counterparties"),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        _fk("counterparties", "org_unit_id", "org_units"),
        *_tenant_scoped_key("counterparties"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("name", sa.String(200), server_default="", nullable=False),
        sa.Column("addresses", sa.JSON(), nullable=False),
    )
    for table in ("org_units", "counterparties"):
        _tenant_index(table)


def _create_contracts_and_assets() -> None:
    op.create_table(
        "contracts",
        *_id("contracts"),
        *_tenant("contracts"),
        *_tenant_scoped_key("contracts"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("counterparty_id", sa.Integer(), nullable=True),
        _fk("contracts", "counterparty_id", "counterparties"),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("status", sa.String(20), server_default="active", nullable=False),
        sa.Column("days_overdue", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_table(
        "assets",
        *_id("assets"),
        *_tenant("assets"),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        _fk("assets", "org_unit_id", "org_units"),
        *_tenant_scoped_key("assets"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("name", sa.String(200), server_default="", nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=True),
        _fk("assets", "contract_id", "contracts"),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
    )
    for table in ("contracts", "assets"):
        _tenant_index(table)


def _create_devices() -> None:
    op.create_table(
        "devices",
        *_id("devices"),
        *_tenant("devices"),
        sa.Column("protocol", sa.String(20), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), server_default="active", nullable=False),
        sa.Column("auth_code", sa.String(64), nullable=True),
        sa.Column("report_interval_s", sa.Integer(), server_default="30", nullable=False),
        sa.Column("offline_tolerance", sa.Float(), server_default="3", nullable=False),
        sa.Column("timezone", sa.String(40), server_default="+08:00", nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("protocol", "key", name="uq_devices_protocol_key"),
    )
    _tenant_index("devices")
    op.create_table(
        "bindings",
        *_id("bindings"),
        *_tenant("bindings"),
        sa.Column("device_id", sa.Integer(), nullable=False),
        _fk("bindings", "device_id", "devices"),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        _fk("bindings", "asset_id", "assets"),
        sa.Column("valid_from_ms", sa.BigInteger(), nullable=False),
        sa.Column("valid_to_ms", sa.BigInteger(), nullable=True),
    )
    _tenant_index("bindings")
    op.create_index("ix_bindings_device_from", "bindings", ["device_id", "valid_from_ms"])
    op.create_table(
        "places",
        *_id("places"),
        *_tenant("places"),
        *_tenant_scoped_key("places"),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("name", sa.String(200), server_default="", nullable=False),
        sa.Column("applies_to", sa.JSON(), nullable=False),
        sa.Column("shape", sa.JSON(), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
    )
    _tenant_index("places")


def _create_observations() -> None:
    op.create_table(
        "observations",
        *_id("observations"),
        *_tenant("observations"),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("server_time_ms", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("altitude_m", sa.Float(), nullable=True),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("course", sa.Float(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("fix_source", sa.String(8), nullable=False),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("alarms", sa.Text(), server_default="", nullable=False),
        sa.Column("attributes", sa.Text(), server_default="{}", nullable=False),
        sa.Column("late", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("idem", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint(
            "device_id", "time_ms", "idem", name="uq_observations_device_time_idem"
        ),
    )
    _tenant_index("observations")
    op.create_index("ix_observations_asset_time", "observations", ["asset_id", "time_ms"])


def _create_state() -> None:
    op.create_table(
        "device_state",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name="pk_device_state"),
        _fk("device_state", "device_id", "devices"),
        *_tenant("device_state"),
        sa.Column("last_time_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_server_ms", sa.BigInteger(), nullable=True),
        sa.Column("next_expected_ms", sa.BigInteger(), nullable=True),
        sa.Column("online", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
    )
    _tenant_index("device_state")
    op.create_table(
        "asset_state",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("asset_id", name="pk_asset_state"),
        _fk("asset_state", "asset_id", "assets"),
        *_tenant("asset_state"),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("time_ms", sa.BigInteger(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("course", sa.Float(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
    )
    _tenant_index("asset_state")


def _create_events_and_alarms() -> None:
    op.create_table(
        "events",
        *_id("events"),
        *_tenant("events"),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("time_ms", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), server_default="", nullable=False),
        sa.Column("retrospective", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
    )
    _tenant_index("events")
    op.create_index("ix_events_asset_time", "events", ["asset_id", "time_ms"])
    op.create_table(
        "alarms",
        *_id("alarms"),
        *_tenant("alarms"),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(100), server_default="", nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(10), server_default="medium", nullable=False),
        sa.Column("retrospective", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("opened_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_ms", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), server_default="1", nullable=False),
        sa.Column("acknowledged_ms", sa.BigInteger(), nullable=True),
        sa.Column("acknowledged_by", sa.String(100), nullable=True),
        sa.Column("resolved_ms", sa.BigInteger(), nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
    )
    _tenant_index("alarms")
    op.create_index("ix_alarms_tenant_status", "alarms", ["tenant_id", "status"])
    op.create_index(
        "uq_alarms_open_key",
        "alarms",
        ["tenant_id", "asset_id", "type", "subject"],
        unique=True,
        sqlite_where=OPEN_ALARM,
        postgresql_where=OPEN_ALARM,
    )


def upgrade() -> None:
    _create_tenants_and_parties()
    _create_contracts_and_assets()
    _create_devices()
    _create_observations()
    _create_state()
    _create_events_and_alarms()


DROP_ORDER = (
    "alarms",
    "events",
    "asset_state",
    "device_state",
    "observations",
    "places",
    "bindings",
    "devices",
    "assets",
    "contracts",
    "counterparties",
    "org_units",
    "tenants",
)


def downgrade() -> None:
    for table in DROP_ORDER:
        op.drop_table(table)  # drops the table's indexes with it
