"""Assets: vehicles (VIN), equipment (serial), inventory lots, herds and sites."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Row, Select, exists, select

from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.model.scope import Scope
from assetwatch.registry.bindings import CHUNK
from assetwatch.registry.changes import Change, upsert_with
from assetwatch.registry.lookup import id_of, reference, visible
from assetwatch.registry.models import AssetCreate, AssetRead, AssetUpdate
from assetwatch.storage.schema import (
    alarms,
    asset_state,
    assets,
    bindings,
    contracts,
    counterparties,
    devices,
    events,
    observations,
    org_units,
)

_PLAIN = ("kind", "name", "value", "attributes")


def _query(scope: Scope) -> Select[Any]:
    return (
        select(
            assets.c.id,
            *(assets.c[name] for name in ("key", *_PLAIN)),
            contracts.c.key.label("contract"),
            counterparties.c.key.label("counterparty"),
            org_units.c.key.label("org_unit"),
        )
        .select_from(
            assets.outerjoin(contracts, contracts.c.id == assets.c.contract_id)
            .outerjoin(counterparties, counterparties.c.id == contracts.c.counterparty_id)
            .outerjoin(org_units, org_units.c.id == assets.c.org_unit_id)
        )
        .where(visible(assets, scope))
    )


def _reads(conn: Connection, rows: list[Row[Any]]) -> list[AssetRead]:
    """Rows of :func:`_query` as ``AssetRead``, with the keys of the devices bound now."""
    ids = [row.id for row in rows]
    bound: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        query = (
            select(bindings.c.asset_id, devices.c.key)
            .select_from(bindings.join(devices, devices.c.id == bindings.c.device_id))
            .where(bindings.c.asset_id.in_(ids[start : start + CHUNK]))
            .where(bindings.c.valid_to_ms.is_(None))
            .order_by(devices.c.key)
        )
        for asset_id, device_key in conn.execute(query):
            bound[asset_id].append(device_key)
    return [AssetRead.model_validate({**row._mapping, "devices": bound[row.id]}) for row in rows]


def get(conn: Connection, *, scope: Scope, key: str) -> AssetRead:
    rows = conn.execute(_query(scope).where(assets.c.key == key)).all()
    if not rows:
        raise NotFoundError(f"asset {key!r} does not exist")
    return _reads(conn, list(rows))[0]


def get_all(
    conn: Connection,
    *,
    scope: Scope,
    kind: str | None = None,
    contract: str | None = None,
    counterparty: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AssetRead]:
    """Assets in scope, by key, filtered."""
    query = _query(scope)
    if kind is not None:
        query = query.where(assets.c.kind == kind)
    if contract is not None:
        query = query.where(contracts.c.key == contract)
    if counterparty is not None:
        query = query.where(counterparties.c.key == counterparty)
    query = query.order_by(assets.c.key).limit(limit).offset(offset)
    return _reads(conn, list(conn.execute(query).all()))


def _values(
    conn: Connection, scope: Scope, changes: dict[str, Any], current_contract: str | None
) -> dict[str, Any]:
    """Column values for the changed fields; references resolved, counterparty checked."""
    out = {name: changes[name] for name in _PLAIN if name in changes}
    if "contract" in changes:
        out["contract_id"] = reference(
            conn, contracts, scope=scope, key=changes["contract"], what="contract"
        )
    if "org_unit" in changes:
        out["org_unit_id"] = reference(
            conn, org_units, scope=scope, key=changes["org_unit"], what="org unit"
        )
    claimed = changes.get("counterparty")
    if claimed is not None:
        contract_key = changes["contract"] if "contract" in changes else current_contract
        actual = None
        if contract_key is not None:
            actual = conn.scalar(
                select(counterparties.c.key)
                .select_from(
                    contracts.join(
                        counterparties, counterparties.c.id == contracts.c.counterparty_id
                    )
                )
                .where(visible(contracts, scope) & (contracts.c.key == contract_key))
            )
        if actual != claimed:
            raise ValidationError(
                f"counterparty {claimed!r} does not match contract {contract_key!r} "
                f"(counterparty {actual!r}): an asset's counterparty comes from its contract"
            )
    return out


def create(conn: Connection, *, scope: Scope, data: AssetCreate) -> AssetRead:
    taken = conn.scalar(
        select(exists().where((assets.c.tenant_id == scope.tenant_id) & (assets.c.key == data.key)))
    )
    if taken:
        raise ConflictError(f"asset {data.key!r} already exists")
    values = _values(conn, scope, data.model_dump(), None)
    conn.execute(assets.insert().values(tenant_id=scope.tenant_id, key=data.key, **values))
    return get(conn, scope=scope, key=data.key)


def update(conn: Connection, *, scope: Scope, key: str, data: AssetUpdate) -> AssetRead:
    """Change the fields sent in ``data``."""
    current = get(conn, scope=scope, key=key)
    changes = data.changes()
    values = _values(conn, scope, changes, current.contract)
    if values:
        asset_id = id_of(conn, assets, scope=scope, key=key, what="asset")
        conn.execute(assets.update().where(assets.c.id == asset_id).values(**values))
    return get(conn, scope=scope, key=key)


def delete(conn: Connection, *, scope: Scope, key: str) -> None:
    """Delete an asset that never recorded anything (with its bindings and live state)."""
    asset_id = id_of(conn, assets, scope=scope, key=key, what="asset")
    for table in (observations, events, alarms):
        if conn.scalar(select(exists().where(table.c.asset_id == asset_id))):
            raise ConflictError(f"asset {key!r} has recorded {table.name}; it cannot be deleted")
    conn.execute(asset_state.delete().where(asset_state.c.asset_id == asset_id))
    conn.execute(bindings.delete().where(bindings.c.asset_id == asset_id))
    conn.execute(assets.delete().where(assets.c.id == asset_id))


def upsert(
    conn: Connection, *, scope: Scope, data: AssetCreate, fields: set[str] | None = None
) -> Change:
    """Create or update asset ``data.key``; ``fields`` limits what is compared."""
    try:
        current: dict[str, Any] | None = get(conn, scope=scope, key=data.key).model_dump(
            exclude={"devices"}
        )
    except NotFoundError:
        current = None
    return upsert_with(
        kind="asset",
        key=data.key,
        current=current,
        desired=data.model_dump(include=fields, exclude={"key"}),
        create=lambda: create(conn, scope=scope, data=data),
        update=lambda changes: update(
            conn, scope=scope, key=data.key, data=AssetUpdate.model_validate(changes)
        ),
    )
