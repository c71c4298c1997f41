"""Appending to and reading the audit log.

Rows are only ever inserted (there is no update or delete path in the platform). Domain
services write their entry in the same transaction as the change, with before/after; the API
adds one entry for every other write request and every export (``api.audit_trail``). Values
are JSON; secrets (passwords, keys, tokens) are never passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, insert, select

from assetwatch.model.scope import Scope
from assetwatch.storage.clock import now_ms
from assetwatch.storage.schema import audit_log

OUTCOMES: Final = ("ok", "denied", "failed")
MAX_ROWS: Final = 1000


def record(
    conn: Connection,
    *,
    scope: Scope | None,
    action: str,
    target: str | None = None,
    outcome: str = "ok",
    before: Any = None,
    after: Any = None,
    details: dict[str, Any] | None = None,
    actor: str | None = None,
    tenant_id: int | None = None,
    source: str | None = None,
    time_ms: int | None = None,
) -> None:
    """One entry. ``scope`` gives tenant, actor and source unless given separately."""
    conn.execute(
        insert(audit_log).values(
            tenant_id=tenant_id if tenant_id is not None else (scope and scope.tenant_id),
            time_ms=now_ms() if time_ms is None else time_ms,
            actor=actor or (scope.actor if scope else "system"),
            source=source or (scope.source if scope else None),
            action=action,
            target=target,
            outcome=outcome,
            before=before,
            after=after,
            details=details or {},
        )
    )


def plain(value: Any) -> Any:
    """A pydantic model as its JSON form; anything else as it is."""
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def changed(
    conn: Connection, scope: Scope, action: str, target: str, before: Any, after: Any
) -> None:
    """A domain change with its before and after (pydantic models or plain JSON values)."""
    record(conn, scope=scope, action=action, target=target, before=plain(before),
           after=plain(after))  # fmt: skip


@dataclass(frozen=True, slots=True)
class AuditQuery:
    since_ms: int | None = None
    until_ms: int | None = None
    actor: str | None = None
    action: str | None = None  # an exact action, or a prefix ending in "." (e.g. "command.")
    target: str | None = None
    limit: int = 200
    after_id: int | None = None  # paging: entries after this id


def query(conn: Connection, *, scope: Scope, q: AuditQuery) -> list[dict[str, Any]]:
    """The tenant's entries matching ``q``, oldest first."""
    where = audit_log.c.tenant_id == scope.tenant_id
    if q.since_ms is not None:
        where &= audit_log.c.time_ms >= q.since_ms
    if q.until_ms is not None:
        where &= audit_log.c.time_ms < q.until_ms
    if q.actor is not None:
        where &= audit_log.c.actor == q.actor
    if q.action is not None:
        where &= (
            audit_log.c.action.startswith(q.action, autoescape=True)
            if q.action.endswith(".")
            else audit_log.c.action == q.action
        )
    if q.target is not None:
        where &= audit_log.c.target == q.target
    if q.after_id is not None:
        where &= audit_log.c.id > q.after_id
    rows = conn.execute(
        select(audit_log).where(where).order_by(audit_log.c.id).limit(min(q.limit, MAX_ROWS))
    )
    return [
        {
            "id": r.id, "time_ms": r.time_ms, "actor": r.actor, "source": r.source,
            "action": r.action, "target": r.target, "outcome": r.outcome,
            "before": r.before, "after": r.after, "details": r.details,
        }
        for r in rows
    ]  # fmt: skip
