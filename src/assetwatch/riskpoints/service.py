"""Risk-point service: keyword-only functions over the caller's scope.

Risk points are the ``places`` rows of kind ``risk_point`` of the scope's tenant. An import
upserts by key (never deletes what the file leaves out) in the caller's transaction, after
the whole file has been read and checked: a file with any problem writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import pydantic
from sqlalchemy import Connection, Select, bindparam, select

from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.geo.datum import Datum
from assetwatch.model.scope import Scope
from assetwatch.places.models import PlaceCreate
from assetwatch.registry.changes import Change, diff
from assetwatch.registry.lookup import visible
from assetwatch.riskpoints.catalogue import (
    Catalogue,
    CatalogueError,
    Format,
    pydantic_message,
    read_catalogue,
)
from assetwatch.riskpoints.models import (
    RISK_POINT_KIND,
    ImportSummaryRead,
    RiskPointRead,
    RiskPointWrite,
)
from assetwatch.storage.schema import places

WRITE_BATCH = 500
_FIELDS = ("kind", "name", "applies_to", "shape", "properties")
_UPDATE = (
    places.update()
    .where(places.c.id == bindparam("place_id"))
    .values(
        name=bindparam("new_name"),
        applies_to=bindparam("new_applies_to", type_=places.c.applies_to.type),
        shape=bindparam("new_shape", type_=places.c.shape.type),
        properties=bindparam("new_properties", type_=places.c.properties.type),
    )
)

Progress = Callable[[int, int], None]
"""Called while writing with (risk points written so far, total to write)."""


@dataclass
class ImportSummary:
    """What an import did (or, with ``dry_run``, would do)."""

    catalogue: Catalogue
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def read(self) -> ImportSummaryRead:
        return ImportSummaryRead(
            format=self.catalogue.format,
            encoding=self.catalogue.encoding,
            datum=self.catalogue.datum,
            source=self.catalogue.source,
            dry_run=self.dry_run,
            rows=len(self.catalogue.entries),
            created=len(self.created),
            updated=len(self.updated),
            unchanged=len(self.unchanged),
            ignored_columns=self.catalogue.ignored_columns,
            seconds=round(self.seconds, 3),
        )


def _query(scope: Scope) -> Select[Any]:
    return select(places.c.key, *(places.c[name] for name in _FIELDS)).where(
        visible(places, scope) & (places.c.kind == RISK_POINT_KIND)
    )


def _read(row: Any) -> RiskPointRead:
    props = row.properties
    return RiskPointRead(
        key=row.key,
        name=row.name,
        category=str(props.get("category", "custom")),
        shape=row.shape,
        source=str(props.get("source", "")),
        datum_in=str(props.get("datum_in", "wgs84")),
        address=props.get("address"),
        phone=props.get("phone"),
    )


def get(conn: Connection, *, scope: Scope, key: str) -> RiskPointRead:
    row = conn.execute(_query(scope).where(places.c.key == key)).first()
    if row is None:
        raise NotFoundError(f"risk point {key!r} does not exist")
    return _read(row)


def get_all(
    conn: Connection,
    *,
    scope: Scope,
    category: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[RiskPointRead]:
    query = _query(scope)
    if category is not None:
        query = query.where(places.c.properties["category"].as_string() == category)
    query = query.order_by(places.c.key).limit(limit).offset(offset)
    return [_read(row) for row in conn.execute(query)]


def delete(conn: Connection, *, scope: Scope, key: str) -> None:
    deleted = conn.execute(
        places.delete().where(
            visible(places, scope) & (places.c.kind == RISK_POINT_KIND) & (places.c.key == key)
        )
    )
    if deleted.rowcount == 0:
        raise NotFoundError(f"risk point {key!r} does not exist")


def upsert(
    conn: Connection,
    *,
    scope: Scope,
    key: str,
    data: RiskPointWrite,
    datum: Datum = "wgs84",
    source: str = "api",
) -> Change:
    """Create or replace risk point ``key`` (coordinates in ``datum``); ``ConflictError`` when
    ``key`` is a place of another kind (a geofence)."""
    try:
        place = data.place(key, datum=datum, source=source)
    except pydantic.ValidationError as err:
        raise ValidationError(f"risk point {key!r}: {pydantic_message(err)}") from err
    existing = _existing(conn, scope=scope, keys={key})
    clash = _clash(existing, key)
    if clash is not None:
        raise ConflictError(clash)
    created, updated, _ = _plan([place], existing)
    _write(conn, scope=scope, create=created, update=updated, existing=existing)
    if created:
        return Change("risk_point", key, "created")
    changed = diff(existing[key], place.stored()) if updated else {}
    return Change("risk_point", key, "updated" if updated else "unchanged", changed)


def import_catalogue(
    conn: Connection,
    *,
    scope: Scope,
    data: bytes,
    datum: Datum = "wgs84",
    source: str = "",
    fmt: Format | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> ImportSummary:
    """Read a CSV or GeoJSON catalogue (:func:`~assetwatch.riskpoints.catalogue.read_catalogue`)
    and upsert its risk points by key; :class:`CatalogueError` (nothing written) when the file
    has problems or reuses the key of a geofence."""
    started = clock()
    catalogue = read_catalogue(data, datum=datum, source=source, fmt=fmt)
    existing = _existing(conn, scope=scope, keys={e.place.key for e in catalogue.entries})
    clashes = [
        entry.problem(clash)
        for entry in catalogue.entries
        if (clash := _clash(existing, entry.place.key)) is not None
    ]
    if clashes:
        raise CatalogueError(clashes)
    created, updated, unchanged = _plan([e.place for e in catalogue.entries], existing)
    if not dry_run:
        _write(
            conn, scope=scope, create=created, update=updated, existing=existing, progress=progress
        )
    return ImportSummary(
        catalogue,
        dry_run,
        created=[p.key for p in created],
        updated=[p.key for p in updated],
        unchanged=unchanged,
        seconds=clock() - started,
    )


def _existing(conn: Connection, *, scope: Scope, keys: set[str]) -> dict[str, dict[str, Any]]:
    """The stored places (any kind) of the scope's tenant among ``keys``, by key; one query
    for the whole tenant (a tenant has thousands of places, not millions)."""
    query = select(places.c.id, places.c.key, *(places.c[name] for name in _FIELDS)).where(
        visible(places, scope)
    )
    return {row.key: dict(row._mapping) for row in conn.execute(query) if row.key in keys}


def _clash(existing: dict[str, dict[str, Any]], key: str) -> str | None:
    """Why ``key`` cannot be a risk point (it names a geofence), or ``None``."""
    kind = existing.get(key, {}).get("kind", RISK_POINT_KIND)
    if kind == RISK_POINT_KIND:
        return None
    return f"key {key!r} is already a place of kind {kind!r}"


def _plan(
    wanted: Iterable[PlaceCreate], existing: dict[str, dict[str, Any]]
) -> tuple[list[PlaceCreate], list[PlaceCreate], list[str]]:
    """Split ``wanted`` into (to create, to update, keys unchanged)."""
    created: list[PlaceCreate] = []
    updated: list[PlaceCreate] = []
    unchanged: list[str] = []
    for place in wanted:
        current = existing.get(place.key)
        if current is None:
            created.append(place)
        elif diff(current, place.stored()):
            updated.append(place)
        else:
            unchanged.append(place.key)
    return created, updated, unchanged


def _write(
    conn: Connection,
    *,
    scope: Scope,
    create: list[PlaceCreate],
    update: list[PlaceCreate],
    existing: dict[str, dict[str, Any]],
    progress: Progress | None = None,
) -> None:
    """Insert ``create`` and rewrite ``update`` in batches of :data:`WRITE_BATCH` rows."""
    total, done = len(create) + len(update), 0
    inserts = ({"tenant_id": scope.tenant_id, "key": p.key, **p.stored()} for p in create)
    updates = (
        {"place_id": existing[p.key]["id"]}
        | {f"new_{name}": value for name, value in p.stored().items() if name != "kind"}
        for p in update
    )
    for statement, rows in ((places.insert(), inserts), (_UPDATE, updates)):
        while batch := list(islice(rows, WRITE_BATCH)):
            conn.execute(statement, batch)
            done += len(batch)
            if progress is not None:
                progress(done, total)
    if progress is not None and total == 0:
        progress(0, 0)
