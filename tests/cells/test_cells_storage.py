"""Migration 0002: the ``cells`` table, its key, and its removal."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, insert, inspect, text
from sqlalchemy.exc import IntegrityError

from assetwatch.storage.engine import alembic_config
from assetwatch.storage.schema import cells

ROW = dict(
    mcc=460, mnc=0, lac=9338, cid=(1 << 36) - 1, radio="NR", lon=114.0, lat=22.5,
    range_m=300, samples=1, updated_ms=1,
)  # fmt: skip


def test_cells_are_keyed_by_mcc_mnc_lac_cid_without_rowid(engine: Engine) -> None:
    with engine.connect() as conn:
        sql = conn.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'cells'"))
    assert sql is not None and sql.rstrip().endswith("WITHOUT ROWID")
    assert inspect(engine).get_pk_constraint("cells")["constrained_columns"] == [
        "mcc", "mnc", "lac", "cid",
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(cells).values(**ROW))  # a 36-bit NR cell id fits
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(cells).values(**{**ROW, "radio": "LTE"}))


def test_downgrade_to_0001_drops_only_the_catalogue(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    tables = set(inspect(engine).get_table_names())
    assert "cells" not in tables and {"observations", "places", "tenants"} <= tables
