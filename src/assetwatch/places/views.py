"""Thin router for places (mounted under ``/api/v1`` by the app)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.places import service
from assetwatch.places.models import PlaceCreate, PlaceKind, PlaceRead, PlaceWrite

router = APIRouter(prefix="/places", tags=["places"])


@router.get("")
def list_places(
    engine: EngineDep,
    scope: ScopeDep,
    kind: PlaceKind | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[PlaceRead]:
    with engine.connect() as conn:
        return service.get_all(conn, scope=scope, kind=kind, limit=limit, offset=offset)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_place(engine: EngineDep, scope: ScopeDep, body: PlaceCreate) -> PlaceRead:
    with engine.begin() as conn:
        return service.create(conn, scope=scope, data=body)


@router.get("/{key}")
def get_place(engine: EngineDep, scope: ScopeDep, key: str) -> PlaceRead:
    with engine.connect() as conn:
        return service.get(conn, scope=scope, key=key)


@router.put("/{key}")
def put_place(
    engine: EngineDep, scope: ScopeDep, key: str, body: PlaceWrite, response: Response
) -> PlaceRead:
    """Create or replace the place ``key``."""
    with engine.begin() as conn:
        change = service.upsert(conn, scope=scope, data=body.with_key(key))
        if change.action == "created":
            response.status_code = status.HTTP_201_CREATED
        return service.get(conn, scope=scope, key=key)


@router.delete("/{key}", status_code=status.HTTP_204_NO_CONTENT)
def delete_place(engine: EngineDep, scope: ScopeDep, key: str) -> Response:
    with engine.begin() as conn:
        service.delete(conn, scope=scope, key=key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
