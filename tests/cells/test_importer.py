"""Catalogue import: batched upserts, idempotency, newer-wins, progress, PostgreSQL COPY."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import Engine, select

from assetwatch.cells import service
from assetwatch.cells.catalogue import find_cells
from assetwatch.cells.importer import ImportSummary, import_file
from assetwatch.errors import ValidationError
from assetwatch.storage.engine import migrate
from assetwatch.storage.schema import cells
from tests.cells.conftest import GOOD, csv_text, gz

NEWER = "GSM,460,0,9338,3692,,114.0590,22.5440,800,20,1,1600000000,1710000000,0"
OLDER = "GSM,460,0,9338,3692,,100.0000,30.0000,9000,1,1,1600000000,1690000000,0"


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(cells.c.cid, cells.c.radio, cells.c.lat, cells.c.range_m).order_by(
                    cells.c.cid
                )
            )
        ]


def counts(summary: ImportSummary) -> tuple[int, ...]:
    s = summary
    return (s.rows_read, s.added, s.updated, s.unchanged, s.rejected, s.skipped)


def load(engine: Engine, data: bytes, **kw: Any) -> ImportSummary:
    return import_file(engine, io.BytesIO(data), **kw)


def test_import_then_reimport_changes_nothing(engine: Engine) -> None:
    assert counts(load(engine, csv_text(*GOOD))) == (3, 3, 0, 0, 0, 0)
    first = stored(engine)
    assert first == [(3692, "GSM", 22.5431, 1000), (2342912, "UMTS", 22.5, 2000),
                     (120458499, "LTE", 22.55, 500)]  # fmt: skip
    again = load(engine, gz(csv_text(*GOOD)))
    assert counts(again) == (3, 0, 0, 3, 0, 0)
    assert stored(engine) == first


def test_newer_records_replace_older_ones_never_the_reverse(engine: Engine) -> None:
    load(engine, csv_text(*GOOD))
    assert counts(load(engine, csv_text(NEWER))) == (1, 0, 1, 0, 0, 0)
    assert counts(load(engine, csv_text(OLDER))) == (1, 0, 0, 1, 0, 0)
    assert stored(engine)[0] == (3692, "GSM", 22.544, 800)


def test_same_time_different_values_is_an_update(engine: Engine) -> None:
    load(engine, csv_text(*GOOD))
    corrected = GOOD[0].replace(",1000,12,", ",1100,12,")
    assert counts(load(engine, csv_text(corrected))) == (1, 0, 1, 0, 0, 0)
    assert stored(engine)[0][3] == 1100


def test_small_batches_bad_rows_and_duplicates_in_one_file(engine: Engine) -> None:
    lines = [GOOD[0], "junk", GOOD[1], NEWER, GOOD[2], "GSM,460,0,1,2"]
    seen: list[tuple[int, int]] = []
    summary = load(
        engine, csv_text(*lines), batch_rows=2, progress=lambda b, r: seen.append((b, r))
    )
    assert counts(summary) == (6, 3, 1, 0, 2, 0)
    assert [r.line for r in summary.rejects] == [3, 7]
    assert stored(engine)[0] == (3692, "GSM", 22.544, 800)
    assert [rows for _, rows in seen] == [3, 5, 6]  # after each batch, and at the end
    assert seen[-1][0] == summary.bytes_read == len(csv_text(*lines))


def test_mcc_filter(engine: Engine) -> None:
    other = "GSM,262,1,100,200,,13.4,52.5,1000,1,1,0,1700000000,0"
    summary = load(engine, csv_text(other, *GOOD), mcc=frozenset({262}))
    assert counts(summary) == (4, 1, 0, 0, 0, 3)
    assert stored(engine) == [(200, "GSM", 52.5, 1000)]


def test_service_refuses_an_empty_file_or_one_without_any_valid_row(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="empty"):
        service.import_csv(engine, actor="test", source=io.BytesIO(b""))
    with pytest.raises(ValidationError, match=r"line 1: no valid row among 2 \(first: expected"):
        service.import_csv(engine, actor="test", source=io.BytesIO(b"a,b\nc,d\n"))
    header_only = service.import_csv(engine, actor="test", source=io.BytesIO(csv_text()))
    assert header_only.header and header_only.rows_read == 0


@pytest.mark.integration
def test_postgresql_copy_route(postgres_engine: Engine) -> None:
    migrate(postgres_engine)
    assert counts(load(postgres_engine, csv_text(*GOOD), batch_rows=2)) == (3, 3, 0, 0, 0, 0)
    assert counts(load(postgres_engine, csv_text(*GOOD))) == (3, 0, 0, 3, 0, 0)
    assert counts(load(postgres_engine, csv_text(NEWER, OLDER))) == (2, 0, 1, 1, 0, 0)
    assert stored(postgres_engine)[0] == (3692, "GSM", 22.544, 800)
    with postgres_engine.connect() as conn:
        found = find_cells(conn, [(460, 0, 9338, 3692), (460, 0, 1, 1), (460, 1, 40977, 2342912)])
    assert {key: cell.range_m for key, cell in found.items()} == {
        (460, 0, 9338, 3692): 800.0,
        (460, 1, 40977, 2342912): 2000.0,
    }
