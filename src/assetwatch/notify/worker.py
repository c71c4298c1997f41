"""The delivery worker: claims due outbox rows, sends them, logs every attempt.

A row is claimed by a conditional UPDATE (``pending`` and due, or ``sending`` with an expired
lease) that sets ``sending``, a lease and ``attempts + 1``; two workers cannot claim it at
once. The claim is committed *before* sending. If the process dies while sending (SIGKILL),
the row stays ``sending`` until its lease expires, then it is claimed again: delivery is at
least once, and the idempotency key lets receivers drop the duplicate.

After each attempt one ``notification_attempts`` row is written and the notification becomes
``delivered``, ``pending`` again (retry at ``backoff`` with jitter) or ``dead`` (a permanent
failure, or ``max_attempts`` reached: the dead letter, listed by the API and the CLI).
Each :meth:`Deliverer.tick` also runs the escalation and storm-summary sweeps, so a test can
drive everything with a controllable clock and no sleeps.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from assetwatch.errors import AssetwatchError
from assetwatch.notify import sweeps
from assetwatch.notify.channels import Channel, build_channel
from assetwatch.notify.directory import NotifyDirectory
from assetwatch.notify.model import Delivery, Notice
from assetwatch.notify.notices import alarm_facts, build_notice
from assetwatch.notify.outbox import StormLimit
from assetwatch.observability import Metrics
from assetwatch.settings import Settings
from assetwatch.storage.schema import notification_attempts, notifications

log = logging.getLogger(__name__)
Publish = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class DeliverySettings:
    poll_s: float = 1.0
    batch: int = 50
    max_attempts: int = 8
    backoff_ms: int = 5_000
    backoff_cap_ms: int = 3_600_000
    lease_ms: int = 60_000
    public_url: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> DeliverySettings:
        return cls(
            poll_s=settings.notify_poll_s,
            max_attempts=settings.notify_max_attempts,
            backoff_ms=int(settings.notify_backoff_s * 1000),
            backoff_cap_ms=int(settings.notify_backoff_cap_s * 1000),
            lease_ms=int(settings.notify_lease_s * 1000),
            public_url=settings.public_url,
        )


def backoff_ms(attempt: int, settings: DeliverySettings, rng: random.Random) -> int:
    """Delay before try ``attempt + 1``: base × 2^(attempt-1), capped, with "equal jitter"
    (half fixed, half random) so that a failing receiver is not hit by a synchronised herd."""
    delay = int(min(settings.backoff_cap_ms, settings.backoff_ms * 2 ** max(0, attempt - 1)))
    return delay // 2 + rng.randint(0, delay // 2)


def _due(now: int) -> Any:
    return ((notifications.c.status == "pending") & (notifications.c.next_attempt_ms <= now)) | (
        (notifications.c.status == "sending") & (notifications.c.lease_until_ms < now)
    )


class Deliverer:
    def __init__(
        self,
        engine: Engine,
        directory: NotifyDirectory,
        metrics: Metrics,
        clock: Callable[[], int],
        settings: DeliverySettings | None = None,
        *,
        storm: StormLimit | None = None,
        publish: Publish | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.engine, self.directory, self.metrics, self.clock = engine, directory, metrics, clock
        self.settings = settings or DeliverySettings()
        self.storm = storm or StormLimit()
        self.publish = publish
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._channels: dict[int, tuple[int, Channel]] = {}
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def kick(self) -> None:
        """Look at the outbox now (a commit just wrote to it). Safe from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self, stop: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("notification delivery pass failed; it is retried")
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_s)
            except TimeoutError:
                pass
        await self.aclose()

    async def aclose(self) -> None:
        for _, channel in self._channels.values():
            await channel.aclose()
        self._channels.clear()

    async def tick(self) -> int:
        """One pass: escalations and storm summaries due, then every due notification.
        Returns the number of notifications attempted."""
        now = self.clock()
        await asyncio.to_thread(self._sweep, now)
        claimed = await asyncio.to_thread(self._claim, now)
        if claimed:
            await asyncio.gather(*(self._deliver(row) for row in claimed))
        self.metrics.outbox_pending.set(await asyncio.to_thread(self._pending, now))
        return len(claimed)

    def _sweep(self, now: int) -> None:
        self.directory.maybe_reload()
        with self.engine.begin() as conn:
            escalated = sweeps.escalate_due(conn, self.directory, now)
            summaries = sweeps.summarise_storms(conn, self.directory, self.storm, now)
        if escalated:
            self.metrics.notifications_queued.labels("escalation").inc(escalated)
        if summaries:
            self.metrics.notifications_queued.labels("summary").inc(summaries)

    def _claim(self, now: int) -> list[Any]:
        """Claim up to ``batch`` due rows (committed before anything is sent)."""
        lease = now + self.settings.lease_ms
        with self.engine.begin() as conn:
            ids = conn.scalars(
                select(notifications.c.id)
                .where(_due(now))
                .order_by(notifications.c.next_attempt_ms, notifications.c.id)
                .limit(self.settings.batch)
            ).all()
            claimed = []
            for notification_id in ids:
                won = conn.execute(
                    update(notifications)
                    .where((notifications.c.id == notification_id) & _due(now))
                    .values(
                        status="sending",
                        lease_until_ms=lease,
                        attempts=notifications.c.attempts + 1,
                    )
                ).rowcount
                if won:
                    claimed.append(notification_id)
            if not claimed:
                return []
            return list(conn.execute(select(notifications).where(notifications.c.id.in_(claimed))))

    def _pending(self, now: int) -> int:
        with self.engine.connect() as conn:
            query = select(func.count()).where(notifications.c.status.in_(("pending", "sending")))
            return int(conn.scalar(query) or 0)

    async def _deliver(self, row: Any) -> None:
        started = self.clock()
        try:
            notice, channel, stale = await asyncio.to_thread(self._prepare, row)
        except (LookupError, AssetwatchError) as err:  # no such channel, or unusable settings
            await asyncio.to_thread(self._settle, row, Delivery(False, False, str(err)), started)
            return
        if stale is not None:  # its settings changed: the old client's connections go
            await stale.aclose()
        try:
            delivery = await channel.send(notice)
        except Exception as err:  # a channel bug must not lose the notification
            log.exception("channel %s raised while sending", channel.kind)
            delivery = Delivery(False, True, f"channel error: {err!r}"[:500])
        await asyncio.to_thread(self._settle, row, delivery, started, channel.kind)

    def _prepare(self, row: Any) -> tuple[Notice, Channel, Channel | None]:
        """The notice, its channel, and the channel instance it replaces (to close), if any.
        Channel settings and tenant keys come from the directory's cache (reloaded on API
        writes and every 10 s); only the alarms are read here."""
        config = self.directory.channel(row.channel_id)
        if config is None:
            raise LookupError(f"channel {row.channel_id} is missing or disabled")
        with self.engine.connect() as conn:
            facts = alarm_facts(conn, list(row.alarm_ids))
        cached = self._channels.get(config.id)
        stale = None
        if cached is None or cached[0] != config.updated_ms:
            channel = build_channel(
                config.kind, dict(config.config), publish=self._publisher(config.tenant_id)
            )
            self._channels[config.id] = (config.updated_ms, channel)
            stale = cached[1] if cached is not None else None
        else:
            channel = cached[1]
        tenant = self.directory.tenant_key(row.tenant_id)
        notice = build_notice(row, facts, tenant, public_url=self.settings.public_url)
        return notice, channel, stale

    def _publisher(self, tenant_id: int) -> Publish | None:
        """The live feed routes by ``tenant_id``: in-app messages carry their channel's."""
        publish = self.publish
        if publish is None:
            return None
        return lambda message: publish({**message, "tenant_id": tenant_id})

    def _settle(self, row: Any, delivery: Delivery, started: int, kind: str = "?") -> None:
        now = self.clock()
        attempt = int(row.attempts)
        if delivery.ok:
            values: dict[str, Any] = {"status": "delivered", "delivered_ms": now}
            outcome = "delivered"
            self.metrics.notification_latency.observe(max(0, now - row.created_ms) / 1000)
        elif delivery.retryable and attempt < self.settings.max_attempts:
            values = {
                "status": "pending",
                "next_attempt_ms": now + backoff_ms(attempt, self.settings, self.rng),
            }
            outcome = "retry"
        else:
            values = {"status": "dead"}
            outcome = "dead"
        values |= {"lease_until_ms": None, "last_error": None if delivery.ok else delivery.detail}
        with self.engine.begin() as conn:
            conn.execute(
                insert(notification_attempts),
                {
                    "tenant_id": row.tenant_id, "notification_id": row.id, "attempt": attempt,
                    "started_ms": started, "finished_ms": now, "ok": delivery.ok,
                    "retryable": delivery.retryable, "status_code": delivery.status_code,
                    "detail": delivery.detail[:2000],
                },
            )  # fmt: skip
            conn.execute(
                update(notifications)
                .where((notifications.c.id == row.id) & (notifications.c.status == "sending"))
                .values(values)
            )
        self.metrics.notifications.labels(kind, outcome).inc()
        if outcome == "dead":
            log.warning("notification %s is dead after %d attempts: %s", row.id, attempt,
                        delivery.detail)  # fmt: skip
