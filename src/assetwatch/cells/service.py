"""Cell catalogue service: look up one cell, resolve what a device hears, import a file.

The catalogue is global (ADR-14) and holds no tenant's data, so these functions take no
scope; an import names its ``actor`` for the log. Once roles arrive (issue 6), the views
will let only administrators change a catalogue that every tenant relies on.
"""

from __future__ import annotations

import logging
from typing import BinaryIO

from sqlalchemy import Connection, Engine, select

from assetwatch.cells.catalogue import find_cells
from assetwatch.cells.importer import ImportSummary, Progress, import_file
from assetwatch.cells.models import CellPositionRead, CellRead, SeenCell
from assetwatch.cells.resolver import CellKey, locate_known
from assetwatch.errors import NotFoundError, ValidationError
from assetwatch.storage.schema import cells
from assetwatch.tracking.service import iso

log = logging.getLogger(__name__)


def get(conn: Connection, *, mcc: int, mnc: int, lac: int, cid: int) -> CellRead:
    row = conn.execute(
        select(cells).where(
            (cells.c.mcc == mcc)
            & (cells.c.mnc == mnc)
            & (cells.c.lac == lac)
            & (cells.c.cid == cid)
        )
    ).first()
    if row is None:
        raise NotFoundError(f"cell {mcc}-{mnc}-{lac}-{cid} is not in the catalogue")
    return CellRead(
        radio=row.radio,
        mcc=row.mcc,
        mnc=row.mnc,
        lac=row.lac,
        cid=row.cid,
        lat=row.lat,
        lon=row.lon,
        range_m=row.range_m,
        samples=row.samples,
        updated=iso(row.updated_ms) if row.updated_ms else None,
    )


def resolve(conn: Connection, *, cells: list[SeenCell]) -> CellPositionRead:
    """The position of a device hearing ``cells`` (serving cell first);
    :class:`NotFoundError` when none of them is in the catalogue."""
    heard: list[tuple[CellKey, float | None]] = [
        ((c.mcc, c.mnc, c.lac, c.ci), c.signal_dbm) for c in cells
    ]
    known = find_cells(conn, [key for key, _ in heard])
    fix = locate_known(heard, known)
    if fix is None:
        raise NotFoundError("none of the cells is in the catalogue")
    return CellPositionRead(
        lat=fix.lat,
        lon=fix.lon,
        accuracy_m=fix.accuracy_m,
        cells_used=fix.cells_used,
        unknown=[c for c, (key, _) in zip(cells, heard, strict=True) if key not in known],
    )


def import_csv(
    engine: Engine,
    *,
    actor: str,
    source: BinaryIO,
    mcc: frozenset[int] | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import an OpenCellID CSV (plain or gzip) from ``source``. Bad rows are counted and
    skipped; :class:`ValidationError` only when the file is empty or unreadable, or when it had rows
    and not one of them was valid (the wrong file, most likely)."""
    summary = import_file(engine, source, mcc=mcc, progress=progress)
    log.info(
        "cells import by %s: %d read, %d added, %d updated, %d rejected in %.1f s",
        actor,
        summary.rows_read,
        summary.added,
        summary.updated,
        summary.rejected,
        summary.seconds,
    )
    if summary.bytes_read == 0:
        raise ValidationError("the file is empty")
    if summary.rejected and summary.rejected == summary.rows_read:
        first = summary.rejects[0]
        raise ValidationError(
            f"no valid row among {summary.rejected} (first: {first.reason})", line=first.line
        )
    return summary
