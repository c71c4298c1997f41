"""Alembic environment. ``assetwatch.storage.engine.migrate`` passes an open connection in
``config.attributes["connection"]``; developers may instead set ``sqlalchemy.url`` (for
``alembic revision --autogenerate``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from assetwatch.storage.engine import open_engine
from assetwatch.storage.schema import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    engine = open_engine(url)
    try:
        with engine.begin() as conn:
            run_migrations(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported")
run_online()
