"""Periodic sweeps run by the delivery worker: escalation steps and storm summaries.

**Escalation.** An alarm that matched a policy when it opened carries ``escalate_at_ms``,
the time its next step is due, counted from when the platform raised it (step *i* is due at
``created + steps[i].after_minutes``). While the alarm is still ``open`` (not acknowledged,
not closed), each due step writes escalation notifications to the step's targets on the
step's channel, records ``escalated`` in the history and moves ``escalate_at_ms`` to the
next step, or clears it after the last. The UPDATE is conditional on the step number, so a
step fires once even with two workers.

**Storm summaries.** When a storm window with suppressed alarms has ended, one ``summary``
notification per matching subscription says how many alarms were held back, and the window
starts afresh.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from assetwatch.alarms.lifecycle import record
from assetwatch.alarms.severity import rank
from assetwatch.alarms.statuses import OPEN
from assetwatch.notify.directory import NotifyDirectory, Policy
from assetwatch.notify.outbox import StormLimit, idempotency_key, recipient_row
from assetwatch.notify.quiet import release_time
from assetwatch.storage.schema import alarms, notifications, notify_throttle

SWEEP_LIMIT = 500


def escalate_due(conn: Connection, directory: NotifyDirectory, now_ms: int) -> int:
    """Fire every escalation step due at ``now_ms``; returns notifications written."""
    rows = conn.execute(
        select(
            alarms.c.id, alarms.c.tenant_id, alarms.c.asset_id, alarms.c.type,
            alarms.c.severity, alarms.c.status, alarms.c.created_ms,
            alarms.c.escalation_policy_id, alarms.c.escalation_step,
        )
        .where(alarms.c.escalate_at_ms.is_not(None) & (alarms.c.escalate_at_ms <= now_ms))
        .order_by(alarms.c.escalate_at_ms)
        .limit(SWEEP_LIMIT)
    ).all()  # fmt: skip
    written = 0
    for alarm in rows:
        policy = directory.policy(alarm.tenant_id, alarm.escalation_policy_id or -1)
        step = int(alarm.escalation_step)
        if alarm.status != OPEN or policy is None or step >= len(policy.steps):
            _stop(conn, alarm.id, step)
            continue
        next_at = _step_due(policy, step + 1, alarm.created_ms)
        moved = conn.execute(
            update(alarms)
            .where((alarms.c.id == alarm.id) & (alarms.c.escalation_step == step))
            .values(escalation_step=step + 1, escalate_at_ms=next_at)
        ).rowcount
        if moved:
            written += _escalation_notices(conn, directory, policy, alarm, step, now_ms)
    return written


def _step_due(policy: Policy, step: int, created_ms: int) -> int | None:
    if step >= len(policy.steps):
        return None
    return created_ms + int(float(policy.steps[step].get("after_minutes", 0)) * 60_000)


def _stop(conn: Connection, alarm_id: int, step: int) -> None:
    conn.execute(
        update(alarms)
        .where((alarms.c.id == alarm_id) & (alarms.c.escalation_step == step))
        .values(escalate_at_ms=None)
    )


def _escalation_notices(
    conn: Connection,
    directory: NotifyDirectory,
    policy: Policy,
    alarm: Any,
    step: int,
    now_ms: int,
) -> int:
    spec = policy.steps[step]
    channel = directory.channel_by_key(alarm.tenant_id, str(spec.get("channel", "")))
    recipients = directory.targets(alarm.tenant_id, spec.get("targets") or [])
    written = 0
    if channel is not None:
        for recipient in recipients:
            conn.execute(
                insert(notifications),
                {
                    "tenant_id": alarm.tenant_id, "kind": "escalation", "channel_id": channel.id,
                    "recipient": recipient_row(recipient), "alarm_ids": [alarm.id],
                    "idempotency_key": idempotency_key(
                        "escalation", alarm.id, step + 1, channel.id, recipient.key
                    ),
                    "status": "pending", "next_attempt_ms": now_ms, "created_ms": now_ms,
                    "escalation_step": step + 1,
                },
            )  # fmt: skip
            written += 1
    record(
        conn, tenant_id=alarm.tenant_id, alarm_id=alarm.id, time_ms=now_ms, actor="system",
        action="escalated",
        details={
            "policy": policy.key, "step": step + 1,
            "to": [r.key for r in recipients], "channel": spec.get("channel"),
            "notified": written,
        },
    )  # fmt: skip
    return written


def summarise_storms(
    conn: Connection, directory: NotifyDirectory, storm: StormLimit, now_ms: int
) -> int:
    """A summary per subscription for every ended storm window that held alarms back."""
    ended = conn.execute(
        select(notify_throttle)
        .where(
            (notify_throttle.c.suppressed > 0)
            & (notify_throttle.c.window_start_ms <= now_ms - storm.window_ms)
        )
        .limit(SWEEP_LIMIT)
    ).all()
    written = 0
    for window in ended:
        alarm_ids = [int(i) for i in window.suppressed_alarm_ids]
        severity = _highest_severity(conn, alarm_ids)
        asset_id = window.asset_id or None
        for sub in directory.subscriptions_for(window.tenant_id, window.type, severity, asset_id):
            for recipient in directory.recipients(sub):
                conn.execute(
                    insert(notifications),
                    {
                        "tenant_id": window.tenant_id, "kind": "summary",
                        "channel_id": sub.channel_id, "subscription_id": sub.id,
                        "recipient": recipient_row(recipient), "alarm_ids": alarm_ids,
                        "idempotency_key": idempotency_key(
                            "summary", window.id, window.window_start_ms, sub.id, recipient.key
                        ),
                        "status": "pending",
                        "next_attempt_ms": release_time(
                            sub.quiet_hours, recipient, severity, now_ms
                        ),
                        "created_ms": now_ms, "suppressed": window.suppressed,
                    },
                )  # fmt: skip
                written += 1
        conn.execute(
            update(notify_throttle)
            .where(notify_throttle.c.id == window.id)
            .values(window_start_ms=now_ms, notified=0, suppressed=0, suppressed_alarm_ids=[])
        )
    return written


def _highest_severity(conn: Connection, alarm_ids: list[int]) -> str:
    if not alarm_ids:
        return "low"
    found = conn.scalars(select(alarms.c.severity).where(alarms.c.id.in_(alarm_ids))).all()
    return max(found, key=rank, default="low")
