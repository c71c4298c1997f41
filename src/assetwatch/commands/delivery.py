"""Status transitions made by the dispatcher (system actions, no user scope).

Each is one short transaction with a conditional update, so a command's status only moves
forward: ``queued → sent → acked | failed``, ``queued | sent → expired``, and a ``sent``
command with no answer goes back to ``queued`` for another attempt, or fails for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update

from assetwatch.commands.audit import command_event
from assetwatch.commands.models import OPEN_STATUSES, SENDABLE_APPROVALS
from assetwatch.model.commands import CommandKind, CommandOutcome, CommandResult
from assetwatch.storage.schema import commands, devices


@dataclass(frozen=True, slots=True)
class Deliverable:
    """A command ready to go to an online device."""

    id: int
    protocol: str
    device_key: str
    device_id: int
    kind: CommandKind
    params: dict[str, Any]


def deliverable(engine: Engine, *, now_ms: int, limit: int = 10_000) -> list[Deliverable]:
    """Queued, sendable, unexpired commands, oldest first (per device in request order)."""
    query = (
        select(
            commands.c.id,
            devices.c.protocol,
            devices.c.key,
            commands.c.device_id,
            commands.c.kind,
            commands.c.params,
        )
        .select_from(commands.join(devices, devices.c.id == commands.c.device_id))
        .where(
            (commands.c.status == "queued")
            & commands.c.approval.in_(SENDABLE_APPROVALS)
            & (commands.c.expires_ms > now_ms)
        )
        .order_by(commands.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [
            Deliverable(r.id, r.protocol, r.key, r.device_id, CommandKind(r.kind), r.params)
            for r in conn.execute(query)
        ]


def mark_sent(engine: Engine, *, command_id: int, correlation: int, now_ms: int) -> bool:
    with engine.begin() as conn:
        changed = conn.execute(
            update(commands)
            .where((commands.c.id == command_id) & (commands.c.status == "queued"))
            .values(
                status="sent",
                sent_ms=now_ms,
                correlation=correlation,
                attempts=commands.c.attempts + 1,
            )
        ).rowcount
        if changed:
            command_event(conn, command_id, "sent", details={"correlation": correlation})
    return bool(changed)


def mark_failed(engine: Engine, *, command_id: int, error: str, now_ms: int) -> bool:
    with engine.begin() as conn:
        changed = conn.execute(
            update(commands)
            .where((commands.c.id == command_id) & commands.c.status.in_(OPEN_STATUSES))
            .values(status="failed", settled_ms=now_ms, error=error)
        ).rowcount
        if changed:
            command_event(conn, command_id, "failed")
    return bool(changed)


def settle(
    engine: Engine,
    *,
    outcome: CommandOutcome,
    now_ms: int,
    command_id: int | None = None,
    device: tuple[str, str] | None = None,
) -> int | None:
    """Record a device's answer on the command it correlates with; returns its id.

    With ``command_id`` (the dispatcher remembered what it sent) the command may still be
    ``queued`` in the database: the answer can beat the ``sent`` update. Without it, the
    command is found by ``device`` = (protocol, key) and the correlation among ``sent`` ones.
    """
    status = "acked" if outcome.result is CommandResult.OK else "failed"
    error = None if status == "acked" else f"device answered {outcome.result.value}"
    with engine.begin() as conn:
        if command_id is None:
            if device is None:
                raise ValueError("settle needs command_id or device")
            command_id = conn.scalar(
                select(commands.c.id)
                .select_from(commands.join(devices, devices.c.id == commands.c.device_id))
                .where(
                    (devices.c.protocol == device[0])
                    & (devices.c.key == device[1])
                    & (commands.c.status == "sent")
                    & (commands.c.correlation == outcome.correlation)
                )
                .order_by(commands.c.id.desc())
            )
            if command_id is None:
                return None
        changed = conn.execute(
            update(commands)
            .where((commands.c.id == command_id) & commands.c.status.in_(OPEN_STATUSES))
            .values(status=status, settled_ms=now_ms, reply=outcome.details, error=error)
        ).rowcount
        if changed:
            command_event(conn, command_id, "answered", details={"reply": outcome.details})
    return command_id if changed else None


def _with_protocol(where: Any) -> Any:
    return (
        select(commands.c.id, commands.c.attempts, devices.c.protocol)
        .select_from(commands.join(devices, devices.c.id == commands.c.device_id))
        .where(where)
    )


def expire(engine: Engine, *, now_ms: int) -> list[tuple[int, str]]:
    """Give up on open commands past their expiry; returns their (id, protocol)."""
    due = (commands.c.expires_ms <= now_ms) & commands.c.status.in_(OPEN_STATUSES)
    with engine.begin() as conn:
        rows = [(int(r.id), str(r.protocol)) for r in conn.execute(_with_protocol(due))]
        ids = [i for i, _ in rows]
        if ids:
            conn.execute(
                update(commands)
                .where(commands.c.id.in_(ids) & commands.c.status.in_(OPEN_STATUSES))
                .values(status="expired", settled_ms=now_ms, error="not delivered before expiry")
            )
        for command_id in ids:
            command_event(conn, command_id, "expired")
    return rows


def retry_unanswered(
    engine: Engine, *, now_ms: int, reply_timeout_ms: int, max_attempts: int
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``sent`` commands with no answer within the timeout: back to ``queued`` while attempts
    remain, else ``failed``. Returns the (id, protocol) of the requeued and of the failed."""
    stale = (commands.c.status == "sent") & (commands.c.sent_ms <= now_ms - reply_timeout_ms)
    with engine.begin() as conn:
        rows = conn.execute(_with_protocol(stale)).all()
        retried = [(int(r.id), str(r.protocol)) for r in rows if r.attempts < max_attempts]
        failed = [(int(r.id), str(r.protocol)) for r in rows if r.attempts >= max_attempts]
        again, give_up = [i for i, _ in retried], [i for i, _ in failed]
        if again:
            conn.execute(
                update(commands)
                .where(commands.c.id.in_(again) & (commands.c.status == "sent"))
                .values(status="queued")
            )
        if give_up:
            conn.execute(
                update(commands)
                .where(commands.c.id.in_(give_up) & (commands.c.status == "sent"))
                .values(
                    status="failed",
                    settled_ms=now_ms,
                    error=f"no answer after {max_attempts} attempts",
                )
            )
        for command_id in again:
            command_event(conn, command_id, "requeued")
        for command_id in give_up:
            command_event(conn, command_id, "failed")
    return retried, failed
