"""Opening, configuring and migrating the database.

SQLite (embedded and edge modes) gets the pragmas that make ack-after-commit safe:
write-ahead logging, ``synchronous=FULL`` (a committed batch survives a SIGKILL or power cut),
foreign keys and a busy timeout. PostgreSQL (scale-out) is reached through psycopg 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, insert, select, update
from sqlalchemy.engine import make_url

from assetwatch.storage.clock import now_ms
from assetwatch.storage.schema import QUARANTINE_TENANT_KEY, tenants

__all__ = [
    "alembic_config",
    "ensure_tenant",
    "migrate",
    "now_ms",
    "open_engine",
    "sqlite_url",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_FILENAME = "assetwatch.db"
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


def sqlite_url(data_dir: Path) -> str:
    """``sqlite:///<data_dir>/assetwatch.db``, creating ``data_dir`` if needed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir.resolve() / SQLITE_FILENAME}"


def open_engine(url: str) -> Engine:
    """An engine for ``url``. ``postgresql://`` means psycopg 3 (``postgresql+psycopg://``)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def alembic_config() -> Config:
    """An Alembic configuration built in code: no ``alembic.ini`` on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (``head``) in one transaction, then make sure the
    ``_quarantine`` system tenant exists."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        ensure_tenant(conn, QUARANTINE_TENANT_KEY, "Quarantine")


def ensure_tenant(conn: Connection, key: str, name: str = "") -> int:
    """The id of tenant ``key``, created (with ``name``) if it does not exist yet."""
    tenant_id = conn.scalar(select(tenants.c.id).where(tenants.c.key == key))
    if tenant_id is not None:
        return int(tenant_id)
    created = conn.execute(
        insert(tenants).values(key=key, name=name, created_ms=now_ms())
    ).inserted_primary_key
    assert created is not None
    new_id = int(created[0])
    conn.execute(update(tenants).where(tenants.c.id == new_id).values(tenant_id=new_id))
    return new_id
