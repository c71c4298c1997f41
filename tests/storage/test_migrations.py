"""The initial migration builds exactly ``schema.metadata`` on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, text
from sqlalchemy.exc import IntegrityError

from assetwatch.registry.provisioning import apply_file, apply_text
from assetwatch.storage.engine import alembic_config, ensure_tenant, migrate
from assetwatch.storage.schema import OPEN_ALARM, alarms, metadata


def _differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def _shape(engine: Engine) -> dict[str, Any]:
    """Tables → columns, indexes, unique constraints and foreign keys, by name."""
    inspector = inspect(engine)
    shape: dict[str, Any] = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        shape[table] = {
            "columns": [(c["name"], c["nullable"]) for c in inspector.get_columns(table)],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
                if not i.get("duplicates_constraint")  # PostgreSQL: a UNIQUE's own index
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "fks": sorted(fk["name"] for fk in inspector.get_foreign_keys(table)),
        }
    return shape


def _expected_shape() -> dict[str, Any]:
    shape: dict[str, Any] = {}
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        shape[table.name] = {
            "columns": [(c.name, c.nullable) for c in table.columns],
            "indexes": sorted(
                (i.name, tuple(c.name for c in i.columns), i.unique) for i in table.indexes
            ),
            "unique": sorted(
                (c.name, tuple(col.name for col in c.columns))
                for c in table.constraints
                if c.__class__.__name__ == "UniqueConstraint"
            ),
            "fks": sorted(fk.name for fk in table.foreign_key_constraints),
        }
    return shape


def _check_open_alarm_index(engine: Engine) -> None:
    """One open alarm per (tenant, asset, type, subject); resolved ones do not count."""
    with engine.begin() as conn:
        tenant_id = ensure_tenant(conn, "t")
    row = dict(
        tenant_id=tenant_id, asset_id=1, type="removal", subject="", details={},
        opened_ms=1, last_ms=1, created_ms=1,
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(alarms).values(status="resolved", **row))
        conn.execute(insert(alarms).values(status="open", **row))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(alarms).values(status="acknowledged", **row))


def test_sqlite_migration_matches_the_schema(migrated: Engine) -> None:
    assert _differences(migrated) == []
    assert _shape(migrated) == _expected_shape()
    with migrated.connect() as conn:
        sql = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'uq_alarms_open_key'")
        ).scalar()
    assert sql is not None and sql.endswith(f"WHERE {OPEN_ALARM}")
    _check_open_alarm_index(migrated)


def test_sqlite_downgrade_removes_everything(migrated: Engine) -> None:
    config = alembic_config()
    with migrated.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(migrated).get_table_names()) == {"alembic_version"}


@pytest.mark.integration
def test_postgresql_migration_matches_the_schema(postgres_engine: Engine) -> None:
    migrate(postgres_engine)
    migrate(postgres_engine)  # idempotent
    assert _differences(postgres_engine) == []
    assert _shape(postgres_engine) == _expected_shape()
    with postgres_engine.connect() as conn:
        definition = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_alarms_open_key'")
        ).scalar()
        defaults = dict(
            conn.execute(
                text(
                    "SELECT column_name, column_default FROM information_schema.columns "
                    "WHERE table_name = 'observations' AND column_name = 'late'"
                )
            ).all()
        )
    assert definition is not None and "WHERE" in definition and "resolved" in definition
    assert defaults == {"late": "false"}
    _check_open_alarm_index(postgres_engine)


@pytest.mark.integration
def test_postgresql_runs_provisioning(postgres_engine: Engine) -> None:
    """The registry services work on PostgreSQL too (JSON, partial updates, bindings)."""
    example = Path(__file__).parents[1] / "registry" / "data" / "example.yaml"
    migrate(postgres_engine)
    assert apply_file(postgres_engine, example, now_ms=1000).changed
    again = apply_file(postgres_engine, example, now_ms=2000)
    assert not again.changed
    text = example.read_text(encoding="utf-8").replace("value: 158000", "value: 1")
    changed = apply_text(postgres_engine, text, "fleet.yaml", now_ms=3000)
    assert changed.render() == "~ asset LSVAU2180N2183294 (value: 158000 → 1)\n= 6 unchanged"
