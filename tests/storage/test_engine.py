from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, select

from assetwatch.storage.clock import now_ms
from assetwatch.storage.engine import (
    alembic_config,
    ensure_tenant,
    migrate,
    open_engine,
    sqlite_url,
)
from assetwatch.storage.schema import QUARANTINE_TENANT_KEY, tenants


def test_sqlite_url_creates_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "a" / "b"
    url = sqlite_url(data_dir)
    assert data_dir.is_dir()
    assert url == f"sqlite:///{data_dir.resolve()}/assetwatch.db"


def test_every_sqlite_connection_gets_the_pragmas(sqlite_engine: Engine) -> None:
    for _ in range(2):  # a fresh pooled connection each time
        with sqlite_engine.connect() as conn:
            pragma = conn.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
        sqlite_engine.dispose()


def test_plain_postgresql_urls_use_psycopg3() -> None:
    engine = open_engine("postgresql://postgres@127.0.0.1:5432/x")
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()


def test_migrate_is_idempotent_and_creates_the_quarantine_tenant(sqlite_engine: Engine) -> None:
    migrate(sqlite_engine)
    migrate(sqlite_engine)
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(tenants.c.id, tenants.c.tenant_id, tenants.c.key)).all()
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert [(row.key, row.tenant_id == row.id) for row in rows] == [(QUARANTINE_TENANT_KEY, True)]
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_ensure_tenant_gets_or_creates(migrated: Engine) -> None:
    before = now_ms()
    with migrated.begin() as conn:
        first = ensure_tenant(conn, "demo-bank", "Demo Bank")
        again = ensure_tenant(conn, "demo-bank", "ignored")
        row = conn.execute(select(tenants).where(tenants.c.id == first)).one()
    assert first == again
    assert (row.key, row.name, row.tenant_id) == ("demo-bank", "Demo Bank", first)
    assert before <= row.created_ms <= now_ms()
