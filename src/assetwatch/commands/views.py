"""Command routes: request a command for a device, follow it, approve, reject, cancel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status

from assetwatch.api.deps import EngineDep, ScopeDep, acting
from assetwatch.commands import service
from assetwatch.commands.models import CommandCreate, CommandDecision
from assetwatch.storage.clock import now_ms

router = APIRouter(tags=["commands"])

Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0)]


def _kick(request: Request) -> None:
    kick = getattr(request.app.state, "kick_commands", None)
    if kick is not None:
        kick()


@router.post("/devices/{key}/commands", status_code=status.HTTP_201_CREATED)
def request_command(
    key: str,
    body: CommandCreate,
    request: Request,
    engine: EngineDep,
    scope: ScopeDep,
    protocol: Annotated[str | None, Query(description="when two protocols share the key")] = None,
) -> dict[str, Any]:
    """Queue a command. It is sent when the device is online (now, if it is); immobilising
    commands (``cut_oil``) first need an approval by someone other than the requester."""
    row = service.create(
        engine,
        scope=scope,
        device=key,
        protocol=protocol,
        kind=body.kind,
        params=body.params,
        now_ms=now_ms(),
        expires_in_s=body.expires_in_s,
        requested_by=acting(scope, body.requested_by),
        reason=body.reason,
    )
    _kick(request)
    return service.public_view(row)


@router.get("/devices/{key}/commands")
def device_commands(
    key: str, engine: EngineDep, scope: ScopeDep, limit: Limit = 100, offset: Offset = 0
) -> list[dict[str, Any]]:
    rows = service.list_commands(engine, scope=scope, device=key, limit=limit, offset=offset)
    return [service.public_view(r) for r in rows]


@router.get("/commands")
def list_commands(
    engine: EngineDep,
    scope: ScopeDep,
    status: str | None = Query(None, description="queued|sent|acked|failed|expired|cancelled"),
    kind: str | None = Query(None, description="e.g. set_report_interval"),
    device: str | None = Query(None, description="device key"),
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    rows = service.list_commands(
        engine, scope=scope, device=device, status=status, kind=kind, limit=limit, offset=offset
    )
    return [service.public_view(r) for r in rows]


@router.get("/commands/{command_id}")
def get_command(command_id: int, engine: EngineDep, scope: ScopeDep) -> dict[str, Any]:
    return service.public_view(service.get(engine, scope=scope, command_id=command_id))


@router.post("/commands/{command_id}/approve")
def approve(
    command_id: int, body: CommandDecision, request: Request, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    row = service.approve(
        engine, scope=scope, command_id=command_id, by=acting(scope, body.by), now_ms=now_ms()
    )
    _kick(request)
    return service.public_view(row)


@router.post("/commands/{command_id}/reject")
def reject(
    command_id: int, body: CommandDecision, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    row = service.reject(
        engine, scope=scope, command_id=command_id, by=acting(scope, body.by), now_ms=now_ms()
    )
    return service.public_view(row)


@router.post("/commands/{command_id}/cancel")
def cancel(
    command_id: int, body: CommandDecision, engine: EngineDep, scope: ScopeDep
) -> dict[str, Any]:
    row = service.cancel(
        engine, scope=scope, command_id=command_id, by=acting(scope, body.by), now_ms=now_ms()
    )
    return service.public_view(row)
