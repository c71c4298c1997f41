"""What operators do with commands: request, list, look at, approve, reject, cancel.

Every function takes the caller's scope. Status changes are conditional updates (``WHERE
status = ...``), so two people acting on one command at once cannot both win.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Select, insert, select, update

from assetwatch.commands.audit import command_event, state_of
from assetwatch.commands.models import MAX_EXPIRY_S, STATUSES, checked_params
from assetwatch.errors import ConflictError, NotFoundError, ValidationError
from assetwatch.model.commands import IMMOBILISING
from assetwatch.model.scope import Scope
from assetwatch.registry.bindings import open_asset_id
from assetwatch.registry.lookup import device_id_of, visible
from assetwatch.storage.schema import assets, commands, devices
from assetwatch.tracking.service import iso


def _query() -> Select[Any]:
    return select(
        commands,
        devices.c.key.label("device"),
        devices.c.protocol.label("protocol"),
        assets.c.key.label("asset"),
    ).select_from(
        commands.join(devices, devices.c.id == commands.c.device_id).outerjoin(
            assets, assets.c.id == commands.c.asset_id
        )
    )


def _mine(scope: Scope, command_id: int) -> Any:
    return (commands.c.id == command_id) & visible(commands, scope)


def public_view(row: Any) -> dict[str, Any]:
    """A command as the API and ``--json`` show it (ISO-8601 UTC times)."""
    r = row._mapping if hasattr(row, "_mapping") else row
    return {
        "id": r["id"],
        "device": r["device"],
        "protocol": r["protocol"],
        "asset": r["asset"],
        "kind": r["kind"],
        "params": r["params"],
        "status": r["status"],
        "approval": r["approval"],
        "requested_by": r["requested_by"],
        "reason": r["reason"],
        "approved_by": r["approved_by"],
        "approved_at": iso(r["approved_ms"]),
        "created_at": iso(r["created_ms"]),
        "expires_at": iso(r["expires_ms"]),
        "sent_at": iso(r["sent_ms"]),
        "settled_at": iso(r["settled_ms"]),
        "attempts": r["attempts"],
        "reply": r["reply"],
        "error": r["error"],
    }


def create(
    engine: Engine,
    *,
    scope: Scope,
    device: str,
    kind: str,
    params: dict[str, Any] | None,
    now_ms: int,
    expires_in_s: int,
    requested_by: str,
    protocol: str | None = None,
    reason: str | None = None,
) -> Any:
    """Queue a command for a device. Immobilising kinds wait for an approval."""
    command_kind, checked = checked_params(kind, params)
    if not 0 < expires_in_s <= MAX_EXPIRY_S:
        raise ValidationError(f"expires_in_s must be between 1 and {MAX_EXPIRY_S}")
    with engine.begin() as conn:
        device_id = device_id_of(conn, scope=scope, key=device, protocol=protocol)
        status = conn.scalar(select(devices.c.status).where(devices.c.id == device_id))
        if status != "active":
            raise ConflictError(f"device {device!r} is {status}: commands go to active devices")
        inserted = conn.execute(
            insert(commands).values(
                tenant_id=scope.tenant_id,
                device_id=device_id,
                asset_id=open_asset_id(conn, device_id),
                kind=command_kind.value,
                params=checked,
                status="queued",
                approval="pending" if command_kind in IMMOBILISING else "not_required",
                requested_by=requested_by,
                reason=reason,
                created_ms=now_ms,
                expires_ms=now_ms + expires_in_s * 1000,
                reply={},
            )
        ).inserted_primary_key
        assert inserted is not None
        command_event(conn, inserted[0], "request", scope=scope, actor=requested_by,
                      details={"reason": reason})  # fmt: skip
        return conn.execute(_query().where(commands.c.id == inserted[0])).one()


def get(engine: Engine, *, scope: Scope, command_id: int) -> Any:
    with engine.connect() as conn:
        row = conn.execute(
            _query().where((commands.c.id == command_id) & visible(commands, scope))
        ).first()
    if row is None:
        raise NotFoundError(f"command {command_id} does not exist")
    return row


def list_commands(
    engine: Engine,
    *,
    scope: Scope,
    device: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Any]:
    """Commands in scope, newest first."""
    if status is not None and status not in STATUSES:
        raise ValidationError(f"status must be one of {', '.join(STATUSES)}")
    query = _query().where(visible(commands, scope))
    with engine.connect() as conn:
        if device is not None:  # a device out of scope is not found, rather than empty
            query = query.where(commands.c.device_id == device_id_of(conn, scope=scope, key=device))
    if status is not None:
        query = query.where(commands.c.status == status)
    if kind is not None:
        query = query.where(commands.c.kind == kind)
    query = query.order_by(commands.c.id.desc()).limit(limit).offset(offset)
    with engine.connect() as conn:
        return list(conn.execute(query))


def _decide(
    engine: Engine,
    *,
    scope: Scope,
    command_id: int,
    values: dict[str, Any],
    allowed: Any,
    refused: str,
    action: str,
    by: str,
) -> Any:
    with engine.begin() as conn:
        before = state_of(conn, command_id)
        changed = conn.execute(
            update(commands).where(_mine(scope, command_id) & allowed).values(**values)
        ).rowcount
        if changed:
            command_event(conn, command_id, action, scope=scope, actor=by, before=before)
        row = conn.execute(
            _query().where((commands.c.id == command_id) & visible(commands, scope))
        ).first()
    if row is None:
        raise NotFoundError(f"command {command_id} does not exist")
    if not changed:
        raise ConflictError(refused.format(status=row.status, approval=row.approval))
    return row


def approve(engine: Engine, *, scope: Scope, command_id: int, by: str, now_ms: int) -> Any:
    """Approve a pending command. The approver must not be the requester (four eyes)."""
    row = get(engine, scope=scope, command_id=command_id)
    if row.requested_by == by:
        raise ConflictError(f"{by!r} requested command {command_id}: someone else must approve")
    return _decide(
        engine,
        scope=scope,
        command_id=command_id,
        values={"approval": "approved", "approved_by": by, "approved_ms": now_ms},
        allowed=(commands.c.approval == "pending") & (commands.c.status == "queued"),
        refused="command is {status}, approval {approval}: only pending commands are approved",
        action="approve",
        by=by,
    )


def reject(engine: Engine, *, scope: Scope, command_id: int, by: str, now_ms: int) -> Any:
    """Reject a pending command: it is cancelled and never sent."""
    return _decide(
        engine,
        scope=scope,
        command_id=command_id,
        values={
            "approval": "rejected",
            "approved_by": by,
            "approved_ms": now_ms,
            "status": "cancelled",
            "settled_ms": now_ms,
        },
        allowed=(commands.c.approval == "pending") & (commands.c.status == "queued"),
        refused="command is {status}, approval {approval}: only pending commands are rejected",
        action="reject",
        by=by,
    )


def cancel(engine: Engine, *, scope: Scope, command_id: int, by: str, now_ms: int) -> Any:
    """Cancel a command that has not been sent yet."""
    return _decide(
        engine,
        scope=scope,
        command_id=command_id,
        values={"status": "cancelled", "settled_ms": now_ms, "error": f"cancelled by {by}"},
        allowed=commands.c.status == "queued",
        refused="command is {status}: only queued commands can be cancelled",
        action="cancel",
        by=by,
    )
