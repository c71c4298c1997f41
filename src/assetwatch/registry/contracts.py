"""Contracts: loans, leases, floor-plan lines and pledges, each with one counterparty."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from assetwatch.errors import NotFoundError
from assetwatch.model.scope import Scope
from assetwatch.registry.changes import Change, upsert_with
from assetwatch.registry.lookup import find_id, reference, visible
from assetwatch.registry.models import ContractCreate, ContractRead
from assetwatch.storage.schema import contracts, counterparties

_PLAIN = ("kind", "amount", "currency", "status", "days_overdue")


def _query(scope: Scope) -> Select[Any]:
    return (
        select(
            *(contracts.c[name] for name in ("key", *_PLAIN)),
            counterparties.c.key.label("counterparty"),
        )
        .select_from(
            contracts.outerjoin(counterparties, counterparties.c.id == contracts.c.counterparty_id)
        )
        .where(visible(contracts, scope))
    )


def get(conn: Connection, *, scope: Scope, key: str) -> ContractRead:
    row = conn.execute(_query(scope).where(contracts.c.key == key)).first()
    if row is None:
        raise NotFoundError(f"contract {key!r} does not exist")
    return ContractRead.model_validate(dict(row._mapping))


def get_all(
    conn: Connection,
    *,
    scope: Scope,
    status: str | None = None,
    counterparty: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ContractRead]:
    query = _query(scope)
    if status is not None:
        query = query.where(contracts.c.status == status)
    if counterparty is not None:
        query = query.where(counterparties.c.key == counterparty)
    query = query.order_by(contracts.c.key).limit(limit).offset(offset)
    return [ContractRead.model_validate(dict(row._mapping)) for row in conn.execute(query)]


def upsert(
    conn: Connection, *, scope: Scope, data: ContractCreate, fields: set[str] | None = None
) -> Change:
    """Create or update contract ``data.key``; ``fields`` limits what is compared."""
    try:
        current: dict[str, Any] | None = get(conn, scope=scope, key=data.key).model_dump()
    except NotFoundError:
        current = None

    def values(changes: dict[str, Any]) -> dict[str, Any]:
        out = {name: changes[name] for name in _PLAIN if name in changes}
        if "counterparty" in changes:
            out["counterparty_id"] = reference(
                conn, counterparties, scope=scope, key=changes["counterparty"], what="counterparty"
            )
        return out

    def create() -> None:
        conn.execute(
            insert(contracts).values(
                tenant_id=scope.tenant_id, key=data.key, **values(data.model_dump())
            )
        )

    def change(changes: dict[str, Any]) -> None:
        row_id = find_id(conn, contracts, scope=scope, key=data.key)
        conn.execute(update(contracts).where(contracts.c.id == row_id).values(**values(changes)))

    return upsert_with(
        kind="contract",
        key=data.key,
        current=current,
        desired=data.model_dump(include=fields, exclude={"key"}),
        create=create,
        update=change,
    )
