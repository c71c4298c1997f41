"""Place service: keyword-only functions over the caller's scope.

A place names the assets it applies to by external key (``applies_to``); references are
checked when the place is written. :mod:`assetwatch.places.fences` resolves them to ids.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, exists, select

from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.places.models import AppliesTo, PlaceCreate, PlaceRead, PlaceWrite
from assetwatch.registry.changes import Change, upsert_with
from assetwatch.registry.lookup import id_of, keys_in_scope, visible
from assetwatch.storage.schema import assets, counterparties, places

_FIELDS = ("kind", "name", "applies_to", "shape", "properties")


def _query(scope: Scope) -> Select[Any]:
    return select(places.c.key, *(places.c[name] for name in _FIELDS)).where(visible(places, scope))


def get(conn: Connection, *, scope: Scope, key: str) -> PlaceRead:
    row = conn.execute(_query(scope).where(places.c.key == key)).first()
    if row is None:
        raise NotFoundError(f"place {key!r} does not exist")
    return PlaceRead.model_validate(dict(row._mapping))


def get_all(
    conn: Connection,
    *,
    scope: Scope,
    kind: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[PlaceRead]:
    query = _query(scope)
    if kind is not None:
        query = query.where(places.c.kind == kind)
    query = query.order_by(places.c.key).limit(limit).offset(offset)
    return [PlaceRead.model_validate(dict(row._mapping)) for row in conn.execute(query)]


def check_references(conn: Connection, *, scope: Scope, applies_to: AppliesTo) -> None:
    """``ValidationError`` when ``applies_to`` names a counterparty or asset not in scope."""
    if applies_to.counterparty is not None:
        known = keys_in_scope(conn, counterparties, scope=scope)
        if applies_to.counterparty not in known:
            raise ValidationError(f"applies_to: unknown counterparty {applies_to.counterparty!r}")
    wanted = applies_to.assets or ([applies_to.asset] if applies_to.asset else [])
    if wanted:
        missing = sorted(set(wanted) - keys_in_scope(conn, assets, scope=scope))
        if missing:
            raise ValidationError(f"applies_to: unknown asset {', '.join(map(repr, missing))}")


def create(conn: Connection, *, scope: Scope, data: PlaceCreate) -> PlaceRead:
    taken = conn.scalar(
        select(exists().where((places.c.tenant_id == scope.tenant_id) & (places.c.key == data.key)))
    )
    if taken:
        raise ConflictError(f"place {data.key!r} already exists")
    check_references(conn, scope=scope, applies_to=data.applies_to)
    conn.execute(places.insert().values(tenant_id=scope.tenant_id, key=data.key, **data.stored()))
    return get(conn, scope=scope, key=data.key)


def replace(conn: Connection, *, scope: Scope, key: str, data: PlaceWrite) -> PlaceRead:
    """Replace every field of an existing place."""
    place_id = id_of(conn, places, scope=scope, key=key, what="place")
    check_references(conn, scope=scope, applies_to=data.applies_to)
    conn.execute(places.update().where(places.c.id == place_id).values(**data.stored()))
    return get(conn, scope=scope, key=key)


def delete(conn: Connection, *, scope: Scope, key: str) -> None:
    place_id = id_of(conn, places, scope=scope, key=key, what="place")
    conn.execute(places.delete().where(places.c.id == place_id))


def upsert(
    conn: Connection, *, scope: Scope, data: PlaceCreate, fields: set[str] | None = None
) -> Change:
    """Create or replace place ``data.key``; ``fields`` limits what is compared (fields left
    out keep their current value)."""
    try:
        current: dict[str, Any] | None = get(conn, scope=scope, key=data.key).model_dump()
    except NotFoundError:
        current = None
    desired = {
        name: value for name, value in data.stored().items() if fields is None or name in fields
    }

    def change(changes: dict[str, Any]) -> None:
        assert current is not None
        merged = PlaceWrite.model_validate({**_without_key(current), **changes})
        replace(conn, scope=scope, key=data.key, data=merged)

    return upsert_with(
        kind="place",
        key=data.key,
        current=current,
        desired=desired,
        create=lambda: create(conn, scope=scope, data=data),
        update=change,
    )


def _without_key(read: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in read.items() if name != "key"}
