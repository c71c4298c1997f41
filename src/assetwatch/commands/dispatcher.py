"""The command dispatcher: delivers queued commands to online devices, records answers.

It runs on the platform's event loop. A cycle runs when a device comes online, when a
command is created in this process (:meth:`CommandDispatcher.kick`), and every ``poll_s``
otherwise (commands created by another process, e.g. the CLI, expiries, retries). Database
work runs in worker threads; socket writes happen on the loop. One lock orders "sent" before
"answered" for the same command, so a fast device cannot answer a command the database does
not yet know was sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from assetwatch.commands import delivery
from assetwatch.commands.delivery import Deliverable
from assetwatch.errors import CommandNotSupported
from assetwatch.gateways.sessions import DeviceLink, Sessions
from assetwatch.model.commands import CommandOutcome, CommandResult
from assetwatch.observability import Metrics

log = logging.getLogger(__name__)

Publish = Callable[[dict[str, Any]], None]


@dataclass
class DispatchSettings:
    poll_s: float = 2.0
    reply_timeout_s: float = 60.0
    max_attempts: int = 3


class CommandDispatcher:
    def __init__(
        self,
        engine: Engine,
        sessions: Sessions,
        metrics: Metrics,
        clock: Callable[[], int],
        settings: DispatchSettings | None = None,
    ):
        self.engine, self.sessions, self.metrics, self.clock = engine, sessions, metrics, clock
        self.settings = settings or DispatchSettings()
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inflight: dict[tuple[str, str, int], int] = {}  # (protocol, key, corr) → id
        self._sent_as: dict[int, tuple[str, str, int]] = {}  # id → its (protocol, key, corr)
        self._tasks: set[asyncio.Task[None]] = set()
        sessions.on_online(self._on_online)
        sessions.on_outcome(self._on_outcome)

    # -- triggers ---------------------------------------------------------------------------
    def kick(self) -> None:
        """Run a delivery cycle soon. Safe to call from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def _on_online(self, link: DeviceLink) -> None:
        self._wake.set()

    def _on_outcome(self, protocol: str, device_key: str, outcome: CommandOutcome) -> None:
        command_id = self._inflight.pop((protocol, device_key, outcome.correlation), None)
        if command_id is not None:
            self._sent_as.pop(command_id, None)
        task = asyncio.get_running_loop().create_task(
            self._settle(protocol, device_key, outcome, command_id)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the loop ---------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_s)
            except TimeoutError:
                pass
            self._wake.clear()
            if stop.is_set():
                break
            try:
                await self.cycle()
            except Exception:  # a database hiccup must not end command delivery
                log.exception("command dispatch cycle failed; retrying at the next one")
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def cycle(self) -> None:
        """Expire, retry unanswered, then deliver what is queued for online devices."""
        now = self.clock()
        for command_id, protocol in await asyncio.to_thread(
            delivery.expire, self.engine, now_ms=now
        ):
            self._forget(command_id)
            self.metrics.commands.labels(protocol, "expired").inc()
        retried, failed = await asyncio.to_thread(
            delivery.retry_unanswered,
            self.engine,
            now_ms=now,
            reply_timeout_ms=int(self.settings.reply_timeout_s * 1000),
            max_attempts=self.settings.max_attempts,
        )
        for command_id, protocol in retried:
            self._forget(command_id)
            self.metrics.commands.labels(protocol, "retried").inc()
        for command_id, protocol in failed:
            self._forget(command_id)
            self.metrics.commands.labels(protocol, "failed").inc()
        if not len(self.sessions):
            return
        for command in await asyncio.to_thread(delivery.deliverable, self.engine, now_ms=now):
            link = self.sessions.get(command.protocol, command.device_key)
            if link is not None:
                await self._deliver(link, command)

    async def _deliver(self, link: DeviceLink, command: Deliverable) -> None:
        async with self._lock:
            try:
                correlation = link.send_command(command.kind, command.params)
            except CommandNotSupported as err:
                self.metrics.commands.labels(command.protocol, "unsupported").inc()
                await asyncio.to_thread(
                    delivery.mark_failed,
                    self.engine,
                    command_id=command.id,
                    error=str(err),
                    now_ms=self.clock(),
                )
                return
            except ConnectionError:
                return  # the device left; it stays queued for its next connection
            self._forget(command.id)  # a re-send: the old correlation is dead
            key = (command.protocol, command.device_key, correlation)
            self._inflight[key] = command.id
            self._sent_as[command.id] = key
            await asyncio.to_thread(
                delivery.mark_sent,
                self.engine,
                command_id=command.id,
                correlation=correlation,
                now_ms=self.clock(),
            )
        self.metrics.commands.labels(command.protocol, "sent").inc()
        log.info("command %d (%s) sent to %s", command.id, command.kind, command.device_key)

    async def _settle(
        self, protocol: str, device_key: str, outcome: CommandOutcome, command_id: int | None
    ) -> None:
        async with self._lock:
            try:
                settled = await asyncio.to_thread(
                    delivery.settle,
                    self.engine,
                    outcome=outcome,
                    now_ms=self.clock(),
                    command_id=command_id,
                    device=(protocol, device_key),
                )
            except Exception:
                log.exception("recording the answer of %s %s failed", protocol, device_key)
                return
        if settled is None:
            log.info("%s %s answered an unknown command (%s)", protocol, device_key, outcome)
            return
        result = "acked" if outcome.result is CommandResult.OK else "failed"
        self.metrics.commands.labels(protocol, result).inc()

    def _forget(self, command_id: int) -> None:
        key = self._sent_as.pop(command_id, None)
        if key is not None:
            self._inflight.pop(key, None)
