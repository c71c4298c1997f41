"""Thin router for the cell catalogue (mounted under ``/api/v1`` by the app)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, BinaryIO, cast

from fastapi import APIRouter, Path, Query, Request

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.api.uploads import BodyReader
from assetwatch.cells import service
from assetwatch.cells.importer import ImportSummary
from assetwatch.cells.models import (
    CellId,
    CellPositionRead,
    CellRead,
    ImportSummaryRead,
    Lac,
    Mcc,
    Mnc,
    RejectRead,
    ResolveRequest,
)

router = APIRouter(prefix="/cells", tags=["cells"])

CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "OpenCellID CSV, plain or gzip-compressed (detected from its content)",
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/gzip": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get("/{mcc}/{mnc}/{lac}/{cid}")
def get_cell(
    engine: EngineDep,
    mcc: Annotated[Mcc, Path()],
    mnc: Annotated[Mnc, Path()],
    lac: Annotated[Lac, Path()],
    cid: Annotated[CellId, Path()],
) -> CellRead:
    with engine.connect() as conn:
        return service.get(conn, mcc=mcc, mnc=mnc, lac=lac, cid=cid)


@router.post("/resolve")
def resolve(engine: EngineDep, body: ResolveRequest) -> CellPositionRead:
    """The position (and accuracy radius) of a device that hears these cells."""
    with engine.connect() as conn:
        return service.resolve(conn, cells=body.cells)


@router.post("/import", openapi_extra=CSV_BODY)
async def import_cells(
    request: Request,
    engine: EngineDep,
    scope: ScopeDep,
    mcc: Annotated[list[int] | None, Query(description="keep only these country codes")] = None,
) -> ImportSummaryRead:
    """Stream an OpenCellID file into the global catalogue. Bad rows are counted and
    skipped (the first ones are listed with their line numbers)."""
    source = cast(BinaryIO, BodyReader(request.stream(), asyncio.get_running_loop()))
    summary = await asyncio.to_thread(
        service.import_csv,
        engine,
        actor=scope.actor,
        source=source,
        mcc=frozenset(mcc) if mcc else None,
    )
    return summary_read(summary)


def summary_read(summary: ImportSummary) -> ImportSummaryRead:
    return ImportSummaryRead(
        rows_read=summary.rows_read,
        added=summary.added,
        updated=summary.updated,
        unchanged=summary.unchanged,
        rejected=summary.rejected,
        skipped=summary.skipped,
        seconds=round(summary.seconds, 3),
        rows_per_second=round(summary.rows_per_second),
        bytes_read=summary.bytes_read,
        rejects=[RejectRead(line=r.line, reason=r.reason) for r in summary.rejects],
    )
