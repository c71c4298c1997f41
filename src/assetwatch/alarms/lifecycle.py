"""The alarm lifecycle: open → acknowledged → resolved | false_positive, with an assignee,
notes and an append-only history.

Every change is one conditional UPDATE (on the current status) plus one ``alarm_history``
row, in one transaction: two people acting at once cannot both succeed, and nothing changes
without its trail. Acknowledging or closing an alarm stops its escalation.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Final

from sqlalchemy import Connection, Engine, insert, select, update

from assetwatch.alarms.service import get_alarm
from assetwatch.alarms.statuses import ACKNOWLEDGED, ACTIVE, FALSE_POSITIVE, OPEN, RESOLVED
from assetwatch.errors import ConflictError, ValidationError
from assetwatch.evidence import alarm_records
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import visible
from assetwatch.storage.schema import alarm_history, alarms

ACTIONS: Final = (
    "opened", "acknowledged", "resolved", "false_positive", "auto_resolved", "assigned",
    "note", "escalated",
)  # fmt: skip
"""What an ``alarm_history`` row records."""

# target status → (statuses it may come from, column stamped with the time, column with who)
TRANSITIONS: Final[dict[str, tuple[tuple[str, ...], str, str]]] = {
    ACKNOWLEDGED: ((OPEN,), "acknowledged_ms", "acknowledged_by"),
    RESOLVED: (ACTIVE, "resolved_ms", "resolved_by"),
    FALSE_POSITIVE: (ACTIVE, "resolved_ms", "resolved_by"),
}
MAX_NOTE = 2000


def record(
    conn: Connection,
    *,
    tenant_id: int,
    alarm_id: int,
    time_ms: int,
    actor: str,
    action: str,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one history row, and its evidence entry (inside the caller's transaction)."""
    conn.execute(
        insert(alarm_history),
        {
            "tenant_id": tenant_id,
            "alarm_id": alarm_id,
            "time_ms": time_ms,
            "actor": actor,
            "action": action,
            "from_status": from_status,
            "to_status": to_status,
            "note": note,
            "details": details or {},
        },
    )
    alarm_records.changed(
        conn, tenant_id=tenant_id, alarm_id=alarm_id, time_ms=time_ms, actor=actor,
        action=action, from_status=from_status, to_status=to_status, note=note, details=details,
    )  # fmt: skip


def transition(
    engine: Engine,
    *,
    scope: Scope,
    alarm_id: int,
    to: str,
    now_ms: int,
    note: str | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """Move an alarm along its lifecycle; raises :class:`ConflictError` from a status that
    does not lead to ``to`` (e.g. acknowledging a resolved alarm)."""
    if to not in TRANSITIONS:
        raise ValidationError(f"an alarm cannot be moved to {to!r}")
    allowed, stamp, actor_column = TRANSITIONS[to]
    note = _checked_note(note)
    actor = by or scope.actor
    current = get_alarm(engine, scope=scope, alarm_id=alarm_id)
    with engine.begin() as conn:
        changed = conn.execute(
            update(alarms)
            .where(
                (alarms.c.id == alarm_id) & visible(alarms, scope) & alarms.c.status.in_(allowed)
            )
            .values(
                {
                    "status": to,
                    stamp: now_ms,
                    actor_column: actor,
                    "note": _append_note(current["note"], note),
                    "escalate_at_ms": None,
                }
            )
        ).rowcount
        if changed:
            record(
                conn, tenant_id=scope.tenant_id, alarm_id=alarm_id, time_ms=now_ms, actor=actor,
                action=to, from_status=current["status"], to_status=to, note=note,
            )  # fmt: skip
    if not changed:
        raise ConflictError(
            f"alarm {alarm_id} is {current['status']}; only {' or '.join(allowed)} alarms "
            f"can become {to}"
        )
    return get_alarm(engine, scope=scope, alarm_id=alarm_id)


acknowledge = partial(transition, to=ACKNOWLEDGED)
"""open → acknowledged (stops escalation)."""
resolve = partial(transition, to=RESOLVED)
"""open | acknowledged → resolved."""
mark_false_positive = partial(transition, to=FALSE_POSITIVE)
"""open | acknowledged → false_positive: closed, and counted against its rule."""


def assign(
    engine: Engine, *, scope: Scope, alarm_id: int, assignee: str | None, now_ms: int,
    note: str | None = None, by: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Give an active alarm an owner (``None`` takes it away)."""
    if assignee is not None and not assignee.strip():
        raise ValidationError("assignee must not be blank")
    note = _checked_note(note)
    actor = by or scope.actor
    current = get_alarm(engine, scope=scope, alarm_id=alarm_id)
    with engine.begin() as conn:
        changed = conn.execute(
            update(alarms)
            .where((alarms.c.id == alarm_id) & visible(alarms, scope) & alarms.c.status.in_(ACTIVE))
            .values(assignee=assignee)
        ).rowcount
        if changed:
            record(
                conn, tenant_id=scope.tenant_id, alarm_id=alarm_id, time_ms=now_ms, actor=actor,
                action="assigned", note=note,
                details={"from": current["assignee"], "to": assignee},
            )  # fmt: skip
    if not changed:
        raise ConflictError(f"alarm {alarm_id} is {current['status']}; it cannot be assigned")
    return get_alarm(engine, scope=scope, alarm_id=alarm_id)


def add_note(
    engine: Engine, *, scope: Scope, alarm_id: int, note: str, now_ms: int, by: str | None = None
) -> dict[str, Any]:
    """Add a note to an alarm in any status."""
    checked = _checked_note(note)
    if checked is None:
        raise ValidationError("note must not be empty")
    current = get_alarm(engine, scope=scope, alarm_id=alarm_id)
    with engine.begin() as conn:
        conn.execute(
            update(alarms)
            .where((alarms.c.id == alarm_id) & visible(alarms, scope))
            .values(note=_append_note(current["note"], checked))
        )
        record(
            conn, tenant_id=scope.tenant_id, alarm_id=alarm_id, time_ms=now_ms,
            actor=by or scope.actor, action="note", note=checked,
        )  # fmt: skip
    return get_alarm(engine, scope=scope, alarm_id=alarm_id)


def history(engine: Engine, *, scope: Scope, alarm_id: int) -> list[dict[str, Any]]:
    """The alarm's trail, oldest first (404 if the alarm is not in scope)."""
    get_alarm(engine, scope=scope, alarm_id=alarm_id)
    query = (
        select(alarm_history)
        .where((alarm_history.c.alarm_id == alarm_id) & visible(alarm_history, scope))
        .order_by(alarm_history.c.id)
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def _checked_note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    if len(note) > MAX_NOTE:
        raise ValidationError(f"note is {len(note)} characters; at most {MAX_NOTE}")
    return note.strip()


def _append_note(existing: str | None, note: str | None) -> str | None:
    if not note:
        return existing
    return f"{existing}\n{note}" if existing else note
