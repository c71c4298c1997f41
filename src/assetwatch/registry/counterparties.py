"""Counterparties: borrowers, lessees, dealers and pledgors, with declared addresses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from assetwatch.errors import NotFoundError
from assetwatch.model.scope import Scope
from assetwatch.registry.changes import Change, upsert_with
from assetwatch.registry.lookup import find_id, reference, visible
from assetwatch.registry.models import CounterpartyCreate, CounterpartyRead
from assetwatch.storage.schema import counterparties, org_units


def _query(scope: Scope) -> Select[Any]:
    return (
        select(
            counterparties.c.key,
            counterparties.c.kind,
            counterparties.c.name,
            counterparties.c.addresses,
            org_units.c.key.label("org_unit"),
        )
        .select_from(
            counterparties.outerjoin(org_units, org_units.c.id == counterparties.c.org_unit_id)
        )
        .where(visible(counterparties, scope))
    )


def get(conn: Connection, *, scope: Scope, key: str) -> CounterpartyRead:
    row = conn.execute(_query(scope).where(counterparties.c.key == key)).first()
    if row is None:
        raise NotFoundError(f"counterparty {key!r} does not exist")
    return CounterpartyRead.model_validate(dict(row._mapping))


def get_all(
    conn: Connection, *, scope: Scope, kind: str | None = None, limit: int = 100, offset: int = 0
) -> list[CounterpartyRead]:
    query = _query(scope)
    if kind is not None:
        query = query.where(counterparties.c.kind == kind)
    query = query.order_by(counterparties.c.key).limit(limit).offset(offset)
    return [CounterpartyRead.model_validate(dict(row._mapping)) for row in conn.execute(query)]


def upsert(
    conn: Connection, *, scope: Scope, data: CounterpartyCreate, fields: set[str] | None = None
) -> Change:
    """Create or update counterparty ``data.key``; ``fields`` limits what is compared."""
    try:
        current: dict[str, Any] | None = get(conn, scope=scope, key=data.key).model_dump()
    except NotFoundError:
        current = None

    def values(changes: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: changes[name] for name in ("kind", "name", "addresses") if name in changes
        }
        if "org_unit" in changes:
            out["org_unit_id"] = reference(
                conn, org_units, scope=scope, key=changes["org_unit"], what="org unit"
            )
        return out

    def create() -> None:
        conn.execute(
            insert(counterparties).values(
                tenant_id=scope.tenant_id, key=data.key, **values(data.model_dump())
            )
        )

    def change(changes: dict[str, Any]) -> None:
        row_id = find_id(conn, counterparties, scope=scope, key=data.key)
        conn.execute(
            update(counterparties).where(counterparties.c.id == row_id).values(**values(changes))
        )

    return upsert_with(
        kind="counterparty",
        key=data.key,
        current=current,
        desired=data.model_dump(include=fields, exclude={"key"}),
        create=create,
        update=change,
    )
