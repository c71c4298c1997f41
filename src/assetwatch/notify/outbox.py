"""Writing notifications into the outbox, in the transaction that raises the alarm.

:meth:`Outbox.on_alarms` runs inside the processor's commit: for every newly opened alarm it
applies the storm limit, matches the subscriptions, and inserts one ``notifications`` row per
(channel, recipient). Nothing is sent here; the delivery worker sends committed rows. If the
transaction rolls back, the alarm and its notifications disappear together, and if it
commits, both exist: no alarm without its notifications, no notification without its alarm.

Repeats of an open alarm (the same asset, type and subject) only count on the alarm and are
not notified again. The storm limit is per asset and alarm type: at most ``limit`` new alarms
per window are notified one by one; the rest are counted and summarised once the window ends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from assetwatch.alarms.service import RaisedAlarm
from assetwatch.notify.directory import NotifyDirectory, Subscription
from assetwatch.notify.model import Recipient
from assetwatch.notify.quiet import release_time
from assetwatch.storage.schema import alarms, notifications, notify_throttle

MAX_SUMMARY_IDS = 50


@dataclass(frozen=True)
class StormLimit:
    window_ms: int = 600_000
    limit: int = 5


def idempotency_key(kind: str, *parts: object) -> str:
    """Stable across retries and restarts: ``aw-<kind>-<sha256 of the parts, 24 hex>``."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]
    return f"aw-{kind}-{digest}"


def recipient_row(recipient: Recipient) -> dict[str, Any]:
    return {
        "key": recipient.key,
        "name": recipient.name,
        "email": recipient.email,
        "phone": recipient.phone,
        "timezone": recipient.timezone,
        "locale": recipient.locale,
    }


class Outbox:
    """The ingest side of notifications: storm limit, subscriptions, escalation start."""

    def __init__(
        self,
        directory: NotifyDirectory,
        storm: StormLimit | None = None,
        *,
        notify_retrospective: bool = False,
    ) -> None:
        self.directory = directory
        self.storm = storm or StormLimit()
        self.notify_retrospective = notify_retrospective

    def on_alarms(self, conn: Connection, raised: Sequence[RaisedAlarm], now_ms: int) -> Counts:
        """Outbox rows for the newly opened alarms of one commit."""
        counts = Counts()
        if self.directory.empty:
            return counts
        for alarm in raised:
            if not alarm.new or (alarm.retrospective and not self.notify_retrospective):
                continue
            self._start_escalation(conn, alarm)
            if not self._within_storm_limit(conn, alarm, now_ms):
                counts.suppressed += 1
                continue
            for sub in self.directory.subscriptions_for(
                alarm.tenant_id, alarm.type, alarm.severity, alarm.asset_id
            ):
                for recipient in self.directory.recipients(sub):
                    counts.add(self._enqueue(conn, alarm, sub, recipient, now_ms))
        return counts

    def _enqueue(
        self,
        conn: Connection,
        alarm: RaisedAlarm,
        sub: Subscription,
        recipient: Recipient,
        now_ms: int,
    ) -> str:
        if sub.delivery == "digest":
            return _add_to_digest(conn, alarm, sub, recipient, now_ms)
        conn.execute(
            insert(notifications),
            {
                "tenant_id": alarm.tenant_id,
                "kind": "alarm",
                "channel_id": sub.channel_id,
                "subscription_id": sub.id,
                "recipient": recipient_row(recipient),
                "alarm_ids": [alarm.id],
                "idempotency_key": idempotency_key("alarm", alarm.id, sub.id, recipient.key),
                "status": "pending",
                "next_attempt_ms": release_time(sub.quiet_hours, recipient, alarm.severity, now_ms),
                "created_ms": now_ms,
            },
        )
        return "alarm"

    def _start_escalation(self, conn: Connection, alarm: RaisedAlarm) -> None:
        policy = self.directory.policy_for(
            alarm.tenant_id, alarm.type, alarm.severity, alarm.asset_id
        )
        if policy is None or not policy.steps:
            return
        first = float(policy.steps[0].get("after_minutes", 0))
        conn.execute(
            update(alarms)
            .where(alarms.c.id == alarm.id)
            .values(
                escalation_policy_id=policy.id,
                escalation_step=0,
                escalate_at_ms=alarm.created_ms + int(first * 60_000),
            )
        )

    def _within_storm_limit(self, conn: Connection, alarm: RaisedAlarm, now_ms: int) -> bool:
        """Count the alarm in its storm window; False when it must not be notified alone."""
        asset_id = alarm.asset_id or 0
        key = (
            (notify_throttle.c.tenant_id == alarm.tenant_id)
            & (notify_throttle.c.asset_id == asset_id)
            & (notify_throttle.c.type == alarm.type)
        )
        row = conn.execute(select(notify_throttle).where(key)).first()
        if row is None:
            conn.execute(
                insert(notify_throttle),
                {
                    "tenant_id": alarm.tenant_id, "asset_id": asset_id, "type": alarm.type,
                    "window_start_ms": now_ms, "notified": 1, "suppressed": 0,
                    "suppressed_alarm_ids": [],
                },
            )  # fmt: skip
            return True
        if now_ms - row.window_start_ms >= self.storm.window_ms and not row.suppressed:
            conn.execute(
                update(notify_throttle).where(key).values(window_start_ms=now_ms, notified=1)
            )
            return True
        if row.notified < self.storm.limit:
            conn.execute(update(notify_throttle).where(key).values(notified=row.notified + 1))
            return True
        ids = list(row.suppressed_alarm_ids)
        if len(ids) < MAX_SUMMARY_IDS:
            ids.append(alarm.id)
        conn.execute(
            update(notify_throttle)
            .where(key)
            .values(suppressed=row.suppressed + 1, suppressed_alarm_ids=ids)
        )
        return False


@dataclass
class Counts:
    """Outbox rows written by one commit, by kind, and alarms held back by the storm limit."""

    alarm: int = 0
    digest: int = 0
    suppressed: int = 0

    def add(self, kind: str) -> None:
        if kind == "digest":
            self.digest += 1
        else:
            self.alarm += 1


def _add_to_digest(
    conn: Connection, alarm: RaisedAlarm, sub: Subscription, recipient: Recipient, now_ms: int
) -> str:
    """Add the alarm to the recipient's pending digest of the current window, or start one."""
    window_ms = max(1, sub.digest_minutes) * 60_000
    window = now_ms // window_ms
    key = idempotency_key("digest", sub.id, recipient.key, window)
    row = conn.execute(
        select(notifications.c.id, notifications.c.alarm_ids, notifications.c.status).where(
            notifications.c.idempotency_key == key
        )
    ).first()
    if row is not None and row.status == "pending":
        conn.execute(
            update(notifications)
            .where(notifications.c.id == row.id)
            .values(alarm_ids=[*row.alarm_ids, alarm.id])
        )
        return "digest"
    if row is not None:  # this window's digest already went out: the alarm opens the next
        key = idempotency_key("digest", sub.id, recipient.key, window, alarm.id)
    due = (window + 1) * window_ms
    conn.execute(
        insert(notifications),
        {
            "tenant_id": alarm.tenant_id,
            "kind": "digest",
            "channel_id": sub.channel_id,
            "subscription_id": sub.id,
            "recipient": recipient_row(recipient),
            "alarm_ids": [alarm.id],
            "idempotency_key": key,
            "status": "pending",
            "next_attempt_ms": release_time(sub.quiet_hours, recipient, "low", due),
            "created_ms": now_ms,
        },
    )
    return "digest"
