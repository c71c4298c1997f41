"""Bulk import of an OpenCellID file into the ``cells`` catalogue.

Rows are upserted in batches of :data:`BATCH_ROWS`, one transaction each, sorted by key so
that neighbouring keys land on the same B-tree pages (sorted 50,000-row batches instead of
unsorted 20,000-row ones: 76k → 123k rows/s on SQLite), through the driver's fastest route:

- SQLite: ``executemany`` of one ``INSERT … ON CONFLICT DO UPDATE`` (measured in
  docs/cells.md);
- PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT … SELECT … ON CONFLICT``.

A record replaces a stored one only when it is newer (``updated``), or equally recent with
different values, so re-importing a file changes nothing and an old dump never rolls back a
newer one. Memory stays constant: one batch of rows at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, func, select

from assetwatch.cells.opencellid import CellRow, OpenCellIdReader, Reject
from assetwatch.storage.schema import cells

BATCH_ROWS = 50_000  # ≈ 20 MB of rows; one SQLite write transaction of ≈ 0.4 s
COLUMNS = "mcc, mnc, lac, cid, radio, lon, lat, range_m, samples, updated_ms"
_ON_CONFLICT = (
    " ON CONFLICT (mcc, mnc, lac, cid) DO UPDATE SET radio = excluded.radio,"
    " lon = excluded.lon, lat = excluded.lat, range_m = excluded.range_m,"
    " samples = excluded.samples, updated_ms = excluded.updated_ms"
    " WHERE excluded.updated_ms > cells.updated_ms OR (excluded.updated_ms = cells.updated_ms"
    " AND (excluded.lon <> cells.lon OR excluded.lat <> cells.lat"
    " OR excluded.range_m <> cells.range_m OR excluded.samples <> cells.samples"
    " OR excluded.radio <> cells.radio))"
)
UPSERT_QMARK = (  # noqa: S608 - constants only
    "INSERT INTO cells (mcc, mnc, lac, cid, radio, lon, lat, range_m, samples, updated_ms)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
) + _ON_CONFLICT
PG_STAGE = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS cells_import"
    " (LIKE cells INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
PG_COPY = (
    "COPY cells_import (mcc, mnc, lac, cid, radio, lon, lat, range_m, samples, updated_ms)"
    " FROM STDIN"
)
PG_MERGE = (  # noqa: S608 - constants only
    "INSERT INTO cells (mcc, mnc, lac, cid, radio, lon, lat, range_m, samples, updated_ms)"
    " SELECT DISTINCT ON (mcc, mnc, lac, cid)"
    " mcc, mnc, lac, cid, radio, lon, lat, range_m, samples, updated_ms"
    " FROM cells_import ORDER BY mcc, mnc, lac, cid, updated_ms DESC"
) + _ON_CONFLICT

Progress = Callable[[int, int], None]
"""Called after each batch, and once at the end, with (bytes read from the source, rows read
so far)."""


@dataclass
class ImportSummary:
    """What an import did. ``added`` cells are new, ``updated`` ones replaced an older
    record, ``unchanged`` rows named a cell the catalogue already had as recent (or more
    recent); ``rejected`` rows were bad, ``skipped`` ones filtered out (``--mcc``)."""

    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    seconds: float = 0.0
    bytes_read: int = 0
    header: bool = False
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


def _batches(rows: Iterator[CellRow], size: int) -> Iterator[list[CellRow]]:
    while batch := list(islice(rows, size)):
        yield batch


def _sqlite_upsert(conn: Connection, batch: list[CellRow]) -> int:
    return int(conn.exec_driver_sql(UPSERT_QMARK, batch).rowcount)


def _postgres_upsert(conn: Connection, batch: list[CellRow]) -> int:
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute(PG_STAGE)
        with cursor.copy(PG_COPY) as copy:
            for row in batch:
                copy.write_row(row)
        cursor.execute(PG_MERGE)
        return int(cursor.rowcount)


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(cells)) or 0)


def import_file(
    engine: Engine,
    source: BinaryIO,
    *,
    mcc: frozenset[int] | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> ImportSummary:
    """Stream ``source`` (OpenCellID CSV, plain or gzip) into the catalogue."""
    started = clock()
    upsert = _postgres_upsert if engine.dialect.name == "postgresql" else _sqlite_upsert
    reader = OpenCellIdReader(source, mcc=mcc)
    before = _count(engine)
    accepted = changed = 0
    for batch in _batches(reader.rows(), batch_rows):
        batch.sort()
        with engine.begin() as conn:
            changed += upsert(conn, batch)
        accepted += len(batch)
        if progress is not None:
            progress(reader.bytes_read, accepted + reader.rejected + reader.skipped)
    rows_read = accepted + reader.rejected + reader.skipped
    if progress is not None:
        progress(reader.bytes_read, rows_read)
    added = _count(engine) - before
    return ImportSummary(
        rows_read=rows_read,
        added=added,
        updated=changed - added,
        unchanged=accepted - changed,
        rejected=reader.rejected,
        skipped=reader.skipped,
        seconds=clock() - started,
        bytes_read=reader.bytes_read,
        header=reader.header,
        rejects=reader.rejects,
    )
