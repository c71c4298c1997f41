"""Org units: the tree of branches and regions that scopes data (分权分域)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from assetwatch.errors import ValidationError
from assetwatch.model.scope import Scope
from assetwatch.registry.changes import Change, upsert_with
from assetwatch.registry.lookup import find_id, reference
from assetwatch.registry.models import OrgUnitCreate
from assetwatch.storage.schema import org_units


def get_all(conn: Connection, *, scope: Scope) -> list[OrgUnitCreate]:
    parent = org_units.alias("parent_unit")
    query = (
        select(org_units.c.key, org_units.c.name, parent.c.key.label("parent"))
        .select_from(org_units.outerjoin(parent, parent.c.id == org_units.c.parent_id))
        .where(org_units.c.tenant_id == scope.tenant_id)
        .order_by(org_units.c.key)
    )
    return [OrgUnitCreate.model_validate(dict(row._mapping)) for row in conn.execute(query)]


def upsert(
    conn: Connection, *, scope: Scope, data: OrgUnitCreate, fields: set[str] | None = None
) -> Change:
    """Create or update the org unit ``data.key``; ``fields`` limits what is compared."""
    current = {unit.key: unit for unit in get_all(conn, scope=scope)}.get(data.key)
    desired = data.model_dump(include=fields, exclude={"key"})

    def values(changes: dict[str, Any]) -> dict[str, Any]:
        out = {name: changes[name] for name in ("name",) if name in changes}
        if "parent" in changes:
            if changes["parent"] == data.key:
                raise ValidationError(f"org unit {data.key!r} cannot be its own parent")
            out["parent_id"] = reference(
                conn, org_units, scope=scope, key=changes["parent"], what="org unit"
            )
        return out

    def create() -> None:
        conn.execute(
            insert(org_units).values(
                tenant_id=scope.tenant_id, key=data.key, **values(data.model_dump())
            )
        )

    def change(changes: dict[str, Any]) -> None:
        unit_id = find_id(conn, org_units, scope=scope, key=data.key)
        conn.execute(update(org_units).where(org_units.c.id == unit_id).values(**values(changes)))

    return upsert_with(
        kind="org_unit",
        key=data.key,
        current=None if current is None else current.model_dump(),
        desired=desired,
        create=create,
        update=change,
    )
