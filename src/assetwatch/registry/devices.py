"""Devices: trackers, sensors, seals and tags, identified on the wire by ``(protocol, key)``.

Unknown devices that connect are recorded by the pipeline under the ``_quarantine`` system
tenant. Every tenant sees them in ``get_all(status="quarantined")`` and claims one by
creating (or provisioning) it: the row moves to the tenant, keeping its id and history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, exists, select

from assetwatch.errors import ConflictError, NotFoundError
from assetwatch.model.scope import Scope
from assetwatch.registry.bindings import bind_ids, bindings_for_devices, unbind_id
from assetwatch.registry.changes import Change, upsert_with
from assetwatch.registry.lookup import device_id_of, id_of, visible
from assetwatch.registry.models import DeviceCreate, DeviceRead, DeviceUpdate
from assetwatch.storage.clock import now_ms as wall_clock_ms
from assetwatch.storage.schema import (
    QUARANTINE_TENANT_KEY,
    assets,
    bindings,
    device_state,
    devices,
    observations,
    tenants,
)

_SETTINGS = ("status", "report_interval_s", "offline_tolerance", "timezone", "attributes")


def _query() -> Select[Any]:
    open_binding = (bindings.c.device_id == devices.c.id) & bindings.c.valid_to_ms.is_(None)
    return select(
        *(devices.c[name] for name in ("key", "protocol", "created_ms", *_SETTINGS)),
        assets.c.key.label("asset"),
    ).select_from(
        devices.outerjoin(bindings, open_binding).outerjoin(
            assets, assets.c.id == bindings.c.asset_id
        )
    )


def _read(conn: Connection, device_id: int) -> DeviceRead:
    row = conn.execute(_query().where(devices.c.id == device_id)).one()
    return DeviceRead.model_validate(dict(row._mapping))


def get(conn: Connection, *, scope: Scope, key: str, protocol: str | None = None) -> DeviceRead:
    return _read(conn, device_id_of(conn, scope=scope, key=key, protocol=protocol))


def get_all(
    conn: Connection,
    *,
    scope: Scope,
    status: str | None = None,
    protocol: str | None = None,
    asset: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[DeviceRead]:
    """Devices in scope, by key. ``status="quarantined"`` also lists the unclaimed devices
    of the ``_quarantine`` tenant."""
    tenant_ids = [scope.tenant_id]
    if status == "quarantined":
        tenant_ids.append(_quarantine_tenant_id(conn))
    query = _query().where(devices.c.tenant_id.in_(tenant_ids))
    if not scope.tenant_wide:  # only devices bound to its assets (no quarantine either)
        query = query.where(visible(devices, scope))
    if status is not None:
        query = query.where(devices.c.status == status)
    if protocol is not None:
        query = query.where(devices.c.protocol == protocol)
    if asset is not None:
        query = query.where(assets.c.key == asset)
    query = query.order_by(devices.c.key, devices.c.protocol).limit(limit).offset(offset)
    return [DeviceRead.model_validate(dict(row._mapping)) for row in conn.execute(query)]


def _quarantine_tenant_id(conn: Connection) -> int:
    found = conn.scalar(select(tenants.c.id).where(tenants.c.key == QUARANTINE_TENANT_KEY))
    return -1 if found is None else int(found)


def create(
    conn: Connection, *, scope: Scope, data: DeviceCreate, now_ms: int | None = None
) -> DeviceRead:
    """Register a device (or claim it from quarantine), bound to ``data.asset`` from
    ``now_ms`` on. ``ConflictError`` if ``(protocol, key)`` belongs to a tenant."""
    now = wall_clock_ms() if now_ms is None else now_ms
    identity = (devices.c.protocol == data.protocol) & (devices.c.key == data.key)
    existing = conn.execute(select(devices.c.id, devices.c.tenant_id).where(identity)).first()
    settings = data.model_dump(include=set(_SETTINGS))
    name = f"{data.protocol} device {data.key!r}"
    if existing is None:
        inserted = conn.execute(
            devices.insert().values(
                tenant_id=scope.tenant_id,
                protocol=data.protocol,
                key=data.key,
                created_ms=now,
                **settings,
            )
        ).inserted_primary_key
        assert inserted is not None
        device_id = int(inserted[0])
    elif existing.tenant_id == scope.tenant_id:
        raise ConflictError(f"{name} already exists")
    elif existing.tenant_id != _quarantine_tenant_id(conn):
        raise ConflictError(f"{name} is registered to another tenant")
    else:
        device_id = int(existing.id)
        conn.execute(
            devices.update()
            .where(devices.c.id == device_id)
            .values(tenant_id=scope.tenant_id, **settings)
        )
        conn.execute(
            device_state.update()
            .where(device_state.c.device_id == device_id)
            .values(tenant_id=scope.tenant_id)
        )
    if data.asset is not None:
        _rebind(conn, scope, device_id, data.asset, now)
    if existing is not None:
        _adopt_quarantined_history(conn, scope, device_id)
    return _read(conn, device_id)


def _adopt_quarantined_history(conn: Connection, scope: Scope, device_id: int) -> None:
    """A claimed device brings what it sent while quarantined: its observations move to the
    tenant and to the asset its (first) binding covers, so no accepted data is lost."""
    spans = bindings_for_devices(conn, [device_id]).get(device_id, [])
    asset_id = (
        spans[0].asset_id if spans and spans[0].valid_from_ms == FIRST_BINDING_FROM_MS else None
    )
    conn.execute(
        observations.update()
        .where(observations.c.device_id == device_id)
        .values(tenant_id=scope.tenant_id, asset_id=asset_id)
    )


FIRST_BINDING_FROM_MS = 0
"""A device's first binding covers its whole earlier history: data recorded before it was
provisioned (and uploaded later, e.g. as blind-zone backfill) belongs to that asset."""


def _rebind(conn: Connection, scope: Scope, device_id: int, asset: str | None, now: int) -> None:
    if asset is None:
        unbind_id(conn, device_id=device_id, valid_to_ms=now)
        return
    asset_id = id_of(conn, assets, scope=scope, key=asset, what="asset")
    ever_bound = conn.scalar(select(exists().where(bindings.c.device_id == device_id)))
    start = now if ever_bound else FIRST_BINDING_FROM_MS
    bind_ids(conn, scope=scope, device_id=device_id, asset_id=asset_id, valid_from_ms=start)


def update(
    conn: Connection,
    *,
    scope: Scope,
    key: str,
    data: DeviceUpdate,
    protocol: str | None = None,
    now_ms: int | None = None,
) -> DeviceRead:
    """Change the fields sent in ``data``; a changed ``asset`` re-binds at ``now_ms``
    (``null`` unbinds)."""
    device_id = device_id_of(conn, scope=scope, key=key, protocol=protocol)
    changes = data.changes()
    settings = {name: changes[name] for name in _SETTINGS if name in changes}
    if settings:
        conn.execute(devices.update().where(devices.c.id == device_id).values(**settings))
    if "asset" in changes:
        now = wall_clock_ms() if now_ms is None else now_ms
        _rebind(conn, scope, device_id, changes["asset"], now)
    return _read(conn, device_id)


def delete(conn: Connection, *, scope: Scope, key: str, protocol: str | None = None) -> None:
    """Delete a device that never reported; one with data should be ``revoked`` instead."""
    device_id = device_id_of(conn, scope=scope, key=key, protocol=protocol)
    if conn.scalar(select(exists().where(observations.c.device_id == device_id))):
        raise ConflictError(f"device {key!r} has observations: set its status to revoked")
    conn.execute(device_state.delete().where(device_state.c.device_id == device_id))
    conn.execute(bindings.delete().where(bindings.c.device_id == device_id))
    conn.execute(devices.delete().where(devices.c.id == device_id))


def upsert(
    conn: Connection,
    *,
    scope: Scope,
    data: DeviceCreate,
    fields: set[str] | None = None,
    now_ms: int | None = None,
) -> Change:
    """Create, claim or update device ``(data.protocol, data.key)``; ``fields`` limits what
    is compared (an ``asset`` left out keeps the current binding)."""
    try:
        current: dict[str, Any] | None = get(
            conn, scope=scope, key=data.key, protocol=data.protocol
        ).model_dump()
    except NotFoundError:
        current = None
    return upsert_with(
        kind="device",
        key=data.key,
        current=current,
        desired=data.model_dump(include=fields, exclude={"key", "protocol"}),
        create=lambda: create(conn, scope=scope, data=data, now_ms=now_ms),
        update=lambda changes: update(
            conn,
            scope=scope,
            key=data.key,
            data=DeviceUpdate.model_validate(changes),
            protocol=data.protocol,
            now_ms=now_ms,
        ),
    )
