"""JT/T 808 auth codes are never shared by two devices: the schema refuses it (SQLite and
PostgreSQL), migration 0009 clears duplicates that exist, and the directory draws again when
a fresh code collides."""

from __future__ import annotations

import itertools

import pytest
from alembic import command
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from assetwatch.pipeline import directory as directory_module
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.storage.engine import alembic_config, ensure_tenant, migrate
from assetwatch.storage.schema import devices


def add_devices(engine: Engine, *keys: str, code: str | None = None) -> None:
    with engine.begin() as conn:
        tenant_id = ensure_tenant(conn, "t")
        for key in keys:
            conn.execute(
                insert(devices).values(
                    tenant_id=tenant_id, protocol="jt808", key=key, auth_code=code,
                    attributes={}, created_ms=0,
                )
            )  # fmt: skip


def codes(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        rows = conn.execute(select(devices.c.key, devices.c.auth_code))
        return {row.key: row.auth_code for row in rows}


def refuses_a_shared_code(engine: Engine) -> None:
    add_devices(engine, "013900000001", "013900000002")
    with engine.begin() as conn:
        conn.execute(update(devices).where(devices.c.key == "013900000001").values(auth_code="c1"))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(update(devices).where(devices.c.key == "013900000002").values(auth_code="c1"))


def test_sqlite_refuses_a_shared_code(migrated: Engine) -> None:
    refuses_a_shared_code(migrated)


@pytest.mark.integration
def test_postgresql_refuses_a_shared_code(postgres_engine: Engine) -> None:
    migrate(postgres_engine)
    refuses_a_shared_code(postgres_engine)


def test_the_migration_keeps_a_shared_code_for_its_first_device_only(sqlite_engine: Engine) -> None:
    config = alembic_config()
    with sqlite_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006")
    add_devices(sqlite_engine, "013900000001", "013900000002", code="same")
    add_devices(sqlite_engine, "013900000003", "013900000004")  # never registered
    migrate(sqlite_engine)
    assert codes(sqlite_engine) == {
        "013900000001": "same",
        "013900000002": None,  # registers again and gets a code of its own
        "013900000003": None,
        "013900000004": None,
    }


def test_a_colliding_draw_is_drawn_again(migrated: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    add_devices(migrated, "013900000001", "013900000002")
    directory = DeviceDirectory(migrated)
    first = directory.get("jt808", "013900000001")
    second = directory.get("jt808", "013900000002")
    assert first is not None and second is not None
    draws = itertools.chain(["aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaa"], ["bbbbbbbbbbbbbbbb"])
    monkeypatch.setattr(directory_module.secrets, "token_hex", lambda _n: next(draws))
    assert directory.issue_auth_code(first) == "aaaaaaaaaaaaaaaa"
    assert directory.issue_auth_code(second) == "bbbbbbbbbbbbbbbb"
    assert codes(migrated) == {
        "013900000001": "aaaaaaaaaaaaaaaa",
        "013900000002": "bbbbbbbbbbbbbbbb",
    }


def test_a_code_stored_by_another_connection_is_the_one_sent(migrated: Engine) -> None:
    """Two connections registering one terminal at once: both send the first code stored."""
    add_devices(migrated, "013900000001")
    stale = DeviceDirectory(migrated).get("jt808", "013900000001")
    winner = DeviceDirectory(migrated).get("jt808", "013900000001")
    assert stale is not None and winner is not None
    code = DeviceDirectory(migrated).issue_auth_code(winner)
    assert DeviceDirectory(migrated).issue_auth_code(stale) == code
    assert codes(migrated) == {"013900000001": code}
