from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from assetwatch.storage.engine import migrate, open_engine, sqlite_url

PG_ADMIN_URL = os.environ.get(
    "ASSETWATCH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required when CI=true: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(sqlite_url(tmp_path / "data"))
    yield engine
    engine.dispose()


@pytest.fixture
def migrated(sqlite_engine: Engine) -> Engine:
    migrate(sqlite_engine)
    return sqlite_engine


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """An engine on a throwaway database, dropped afterwards."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed")
    admin = open_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"assetwatch_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as err:
        admin.dispose()
        _unavailable(str(err).splitlines()[0])
    engine = open_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
