"""A command's life in the audit log and the evidence ledger: requested, approved or
rejected, sent, answered, failed, expired, cancelled, each written in the transaction of the
change. Ledger entries are ``command`` (``command_approval`` for approve/reject), about the
command's asset (or its device when bound to none), so an evidence export of the car shows who
asked for its engine to be cut, who approved, and what the terminal answered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from assetwatch.audit.log import record
from assetwatch.evidence import ledger
from assetwatch.evidence.entries import asset_subject
from assetwatch.model.scope import Scope
from assetwatch.storage.clock import now_ms
from assetwatch.storage.schema import assets, commands, devices


def state_of(conn: Connection, command_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(
            commands.c.tenant_id, commands.c.kind, commands.c.status, commands.c.approval,
            commands.c.requested_by, commands.c.approved_by, commands.c.error,
            devices.c.key.label("device"), devices.c.protocol, assets.c.key.label("asset"),
        )
        .select_from(
            commands.join(devices, devices.c.id == commands.c.device_id).outerjoin(
                assets, assets.c.id == commands.c.asset_id
            )
        )
        .where(commands.c.id == command_id)
    ).first()  # fmt: skip
    return None if row is None else dict(row._mapping)


def command_event(
    conn: Connection, command_id: int, action: str, *, scope: Scope | None = None,
    actor: str | None = None, before: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    """Record ``command.<action>`` for the command as it is now (``before``: as it was)."""
    after = state_of(conn, command_id)
    if after is None:
        return
    tenant_id = after.pop("tenant_id")
    if before is not None:
        before = {k: v for k, v in before.items() if k != "tenant_id"}
    who = actor or (scope.actor if scope else "system")
    record(conn, scope=scope, tenant_id=tenant_id, actor=who, action=f"command.{action}",
           target=f"command:{command_id}", before=before, after=after,
           details=details)  # fmt: skip
    subject = (
        asset_subject(after["asset"]) if after["asset"]
        else f"device:{after['protocol']}/{after['device']}"
    )  # fmt: skip
    kind = "command_approval" if action in ("approve", "reject") else "command"
    entry = {"command_id": command_id, "action": action, "actor": who, **after,
             "details": details or {}}  # fmt: skip
    ledger.append(conn, tenant_id, kind, subject, entry, now_ms())
