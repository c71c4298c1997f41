"""Scoped lookups by external key: the one place that turns keys into ids.

Every query filters by ``scope.tenant_id``. Tables with an ``org_unit_id`` (assets,
counterparties) are also limited to the org-unit subtrees of a non-tenant-wide scope.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, Select, Table, select

from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.storage.schema import assets, bindings, devices, org_units


def granted_org_units(scope: Scope) -> Select[tuple[int]]:
    """Ids of the org units in the subtrees granted to ``scope`` (a recursive CTE)."""
    granted = frozenset() if scope.org_units is None else scope.org_units
    tree = (
        select(org_units.c.id)
        .where((org_units.c.tenant_id == scope.tenant_id) & org_units.c.id.in_(granted))
        .cte("granted_units", recursive=True)
    )
    child = org_units.alias("child_unit")
    tree = tree.union_all(select(child.c.id).where(child.c.parent_id == tree.c.id))
    return select(tree.c.id)


def visible(table: Table, scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause limiting ``table`` to what ``scope`` may see.

    Within the tenant, a scope limited to org units sees: rows of tables with an
    ``org_unit_id`` (assets, counterparties) in its subtrees; devices bound now to such an
    asset; rows of tables with an ``asset_id`` (alarms, commands, observations, stays,
    trips, events) of such an asset (so an alarm of no asset is tenant-wide only)."""
    clause = table.c.tenant_id == scope.tenant_id
    if scope.tenant_wide:
        return clause
    if "org_unit_id" in table.c:
        return clause & table.c.org_unit_id.in_(granted_org_units(scope))
    if table is devices:
        return clause & table.c.id.in_(
            select(bindings.c.device_id).where(
                bindings.c.valid_to_ms.is_(None) & bindings.c.asset_id.in_(_visible_assets(scope))
            )
        )
    if "asset_id" in table.c:
        return clause & table.c.asset_id.in_(_visible_assets(scope))
    return clause


def _visible_assets(scope: Scope) -> Select[tuple[int]]:
    return select(assets.c.id).where(
        (assets.c.tenant_id == scope.tenant_id) & assets.c.org_unit_id.in_(granted_org_units(scope))
    )


def find_id(conn: Connection, table: Table, *, scope: Scope, key: str) -> int | None:
    """The id of the row with external ``key`` in ``scope``, or ``None``."""
    found = conn.scalar(select(table.c.id).where(visible(table, scope) & (table.c.key == key)))
    return None if found is None else int(found)


def id_of(conn: Connection, table: Table, *, scope: Scope, key: str, what: str) -> int:
    """The id of ``key``; ``NotFoundError`` when it is not in scope."""
    found = find_id(conn, table, scope=scope, key=key)
    if found is None:
        raise NotFoundError(f"{what} {key!r} does not exist")
    return found


def reference(
    conn: Connection, table: Table, *, scope: Scope, key: str | None, what: str
) -> int | None:
    """The id a payload refers to (``None`` stays ``None``); ``ValidationError`` if unknown."""
    if key is None:
        return None
    found = find_id(conn, table, scope=scope, key=key)
    if found is None:
        raise ValidationError(f"unknown {what} {key!r}")
    return found


def keys_in_scope(conn: Connection, table: Table, *, scope: Scope) -> set[str]:
    """Every external key of ``table`` in ``scope`` (for validating references in bulk)."""
    return set(conn.scalars(select(table.c.key).where(visible(table, scope))))


def device_id_of(conn: Connection, *, scope: Scope, key: str, protocol: str | None = None) -> int:
    """The id of device ``key`` in ``scope``. Device identity is ``(protocol, key)``: when
    two protocols share a key in this tenant, ``protocol`` must say which."""
    query = select(devices.c.id, devices.c.protocol).where(
        visible(devices, scope) & (devices.c.key == key)
    )
    if protocol is not None:
        query = query.where(devices.c.protocol == protocol)
    rows = conn.execute(query).all()
    if not rows:
        raise NotFoundError(f"device {key!r} does not exist")
    if len(rows) > 1:
        protocols = ", ".join(sorted(row.protocol for row in rows))
        raise ConflictError(f"device key {key!r} exists for {protocols}: say which protocol")
    return int(rows[0].id)
