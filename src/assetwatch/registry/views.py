"""Thin routers for assets and devices (mounted under ``/api/v1`` by the app).

Views open the transaction and call the service; ``NotFoundError``, ``ValidationError`` and
``ConflictError`` propagate to the app's problem+json handlers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.registry import assets, bindings, devices
from assetwatch.registry.change_log import registry_changed
from assetwatch.registry.models import (
    AssetCreate,
    AssetKind,
    AssetRead,
    AssetUpdate,
    DeviceCreate,
    DeviceRead,
    DeviceStatus,
    DeviceUpdate,
)

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]
ProtocolQuery = Annotated[
    str | None, Query(description="needed only when two protocols share the key")
]

assets_router = APIRouter(prefix="/assets", tags=["assets"])
devices_router = APIRouter(prefix="/devices", tags=["devices"])


@assets_router.get("")
def list_assets(
    engine: EngineDep,
    scope: ScopeDep,
    kind: AssetKind | None = None,
    contract: str | None = None,
    counterparty: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AssetRead]:
    with engine.connect() as conn:
        return assets.get_all(
            conn,
            scope=scope,
            kind=kind,
            contract=contract,
            counterparty=counterparty,
            limit=limit,
            offset=offset,
        )


@assets_router.post("", status_code=status.HTTP_201_CREATED)
def create_asset(engine: EngineDep, scope: ScopeDep, body: AssetCreate) -> AssetRead:
    with engine.begin() as conn:
        made = assets.create(conn, scope=scope, data=body)
        registry_changed(conn, scope, "asset", "create", body.key, None, made)
        return made


@assets_router.get("/{key}")
def get_asset(engine: EngineDep, scope: ScopeDep, key: str) -> AssetRead:
    with engine.connect() as conn:
        return assets.get(conn, scope=scope, key=key)


@assets_router.patch("/{key}")
def update_asset(engine: EngineDep, scope: ScopeDep, key: str, body: AssetUpdate) -> AssetRead:
    with engine.begin() as conn:
        before = assets.get(conn, scope=scope, key=key)
        after = assets.update(conn, scope=scope, key=key, data=body)
        registry_changed(conn, scope, "asset", "update", key, before, after)
        return after


@assets_router.delete("/{key}", status_code=status.HTTP_204_NO_CONTENT)
def delete_asset(engine: EngineDep, scope: ScopeDep, key: str) -> Response:
    with engine.begin() as conn:
        before = assets.get(conn, scope=scope, key=key)
        assets.delete(conn, scope=scope, key=key)
        registry_changed(conn, scope, "asset", "delete", key, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@devices_router.get("")
def list_devices(
    engine: EngineDep,
    scope: ScopeDep,
    status: DeviceStatus | None = None,
    protocol: str | None = None,
    asset: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[DeviceRead]:
    with engine.connect() as conn:
        return devices.get_all(
            conn,
            scope=scope,
            status=status,
            protocol=protocol,
            asset=asset,
            limit=limit,
            offset=offset,
        )


@devices_router.post("", status_code=status.HTTP_201_CREATED)
def create_device(engine: EngineDep, scope: ScopeDep, body: DeviceCreate) -> DeviceRead:
    with engine.begin() as conn:
        made = devices.create(conn, scope=scope, data=body)
        registry_changed(conn, scope, "device", "create", body.key, None, made)
        return made


@devices_router.get("/{key}")
def get_device(
    engine: EngineDep, scope: ScopeDep, key: str, protocol: ProtocolQuery = None
) -> DeviceRead:
    with engine.connect() as conn:
        return devices.get(conn, scope=scope, key=key, protocol=protocol)


@devices_router.get("/{key}/bindings")
def get_device_bindings(
    engine: EngineDep, scope: ScopeDep, key: str, protocol: ProtocolQuery = None
) -> list[dict[str, str | int | None]]:
    with engine.connect() as conn:
        history = bindings.history(conn, scope=scope, device_key=key, protocol=protocol)
    return [span._asdict() for span in history]


@devices_router.patch("/{key}")
def update_device(
    engine: EngineDep,
    scope: ScopeDep,
    key: str,
    body: DeviceUpdate,
    protocol: ProtocolQuery = None,
) -> DeviceRead:
    with engine.begin() as conn:
        before = devices.get(conn, scope=scope, key=key, protocol=protocol)
        after = devices.update(conn, scope=scope, key=key, data=body, protocol=protocol)
        registry_changed(conn, scope, "device", "update", key, before, after)
        return after


@devices_router.delete("/{key}", status_code=status.HTTP_204_NO_CONTENT)
def delete_device(
    engine: EngineDep, scope: ScopeDep, key: str, protocol: ProtocolQuery = None
) -> Response:
    with engine.begin() as conn:
        before = devices.get(conn, scope=scope, key=key, protocol=protocol)
        devices.delete(conn, scope=scope, key=key, protocol=protocol)
        registry_changed(conn, scope, "device", "delete", key, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router = APIRouter()
router.include_router(assets_router)
router.include_router(devices_router)
