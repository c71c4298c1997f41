"""Thin router for risk points (mounted under ``/api/v1`` by the app)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.api.problems import problem
from assetwatch.api.uploads import read_body, uploaded_file
from assetwatch.geo.datum import Datum
from assetwatch.model.scope import Scope
from assetwatch.riskpoints import service
from assetwatch.riskpoints.catalogue import CatalogueError, Format, format_of
from assetwatch.riskpoints.categories import Category
from assetwatch.riskpoints.models import (
    ImportSummaryRead,
    ProblemRead,
    RiskPointRead,
    RiskPointWrite,
    Source,
)
from assetwatch.riskpoints.suggestions import suggest
from assetwatch.storage.clock import now_ms

router = APIRouter(prefix="/risk-points", tags=["risk points"])

MAX_CATALOGUE_BYTES = 32 * 1024 * 1024
DatumQuery = Annotated[Datum, Query(description="datum of the coordinates given (stored WGS-84)")]
_FILE = {"schema": {"type": "string", "format": "binary"}}
IMPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A CSV or GeoJSON catalogue: the body (its content type decides, else"
        " the content), or the file of a multipart/form-data form",
        "content": {
            "text/csv": _FILE,
            "application/geo+json": _FILE,
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": _FILE}, "required": ["file"]}
            },
        },
    }
}


def _import(
    engine: Engine, scope: Scope, data: bytes, fmt: Format | None, **options: Any
) -> ImportSummaryRead:
    with engine.begin() as conn:
        return service.import_catalogue(conn, scope=scope, data=data, fmt=fmt, **options).read()


@router.post(
    "/import",
    openapi_extra=IMPORT_BODY,
    response_model=ImportSummaryRead,
    responses={422: {"description": "the file's problems, each with its line or feature"}},
)
async def import_risk_points(
    request: Request,
    engine: EngineDep,
    scope: ScopeDep,
    datum: DatumQuery = "wgs84",
    dry_run: Annotated[bool, Query(description="check and count, write nothing")] = False,
    source: Annotated[Source | None, Query(description="default: the file name")] = None,
) -> ImportSummaryRead | JSONResponse:
    """Upsert a catalogue by key. A file with any problem writes nothing: the problem+json
    lists every problem (``problems``: ``line`` for CSV, ``feature`` for GeoJSON)."""
    body = await read_body(request.stream(), limit=MAX_CATALOGUE_BYTES)
    file = uploaded_file(request.headers.get("content-type"), body)
    fmt = format_of(file.content_type, file.filename)
    label = source or file.filename or "api"
    try:
        return await asyncio.to_thread(
            _import, engine, scope, file.data, fmt, datum=datum, source=label, dry_run=dry_run
        )
    except CatalogueError as err:
        found = [
            ProblemRead(line=p.line, feature=p.feature, message=p.message) for p in err.problems
        ]
        return problem(
            err.status_code, err.title, str(err), problems=[p.model_dump() for p in found]
        )


@router.get("")
def list_risk_points(
    engine: EngineDep,
    scope: ScopeDep,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RiskPointRead]:
    with engine.connect() as conn:
        return service.get_all(conn, scope=scope, category=category, limit=limit, offset=offset)


@router.get("/suggestions")
def suggestions(
    engine: EngineDep,
    scope: ScopeDep,
    days: int = Query(180, ge=7, le=1095, description="stays of the last N days"),
) -> list[dict[str, Any]]:
    """Places where assets of defaulted contracts stayed significantly more often than the
    rest of the portfolio, not yet in the catalogue: candidates for an operator to confirm."""
    return suggest(engine, scope=scope, now_ms=now_ms(), days=days)


@router.get("/{key}")
def get_risk_point(engine: EngineDep, scope: ScopeDep, key: str) -> RiskPointRead:
    with engine.connect() as conn:
        return service.get(conn, scope=scope, key=key)


@router.put("/{key}")
def put_risk_point(
    engine: EngineDep,
    scope: ScopeDep,
    key: str,
    body: RiskPointWrite,
    response: Response,
    datum: DatumQuery = "wgs84",
    source: Annotated[Source, Query()] = "api",
) -> RiskPointRead:
    """Create or replace the risk point ``key``; its coordinates are in ``datum``."""
    with engine.begin() as conn:
        change = service.upsert(conn, scope=scope, key=key, data=body, datum=datum, source=source)
        if change.action == "created":
            response.status_code = status.HTTP_201_CREATED
        return service.get(conn, scope=scope, key=key)


@router.delete("/{key}", status_code=status.HTTP_204_NO_CONTENT)
def delete_risk_point(engine: EngineDep, scope: ScopeDep, key: str) -> Response:
    with engine.begin() as conn:
        service.delete(conn, scope=scope, key=key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
