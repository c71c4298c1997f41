"""A simulated JT/T 808 terminal that behaves like a real one on a flaky mobile link.

:class:`Jt808Terminal` stays connected (reconnecting with exponential backoff), registers
once (0x0100 → 0x8100), authenticates after every connect (0x0102), then sends each fix given
to :meth:`~Jt808Terminal.report` as 0x0200, and a 0x0002 heartbeat when idle.
Nothing recorded is dropped before the platform acknowledges it:

* each report waits for the 0x8001 answering its serial and is retransmitted after a time-out
  growing as T(n+1) = T(n) × (n+1) (spec §4); after ``max_retries`` the link is re-opened;
* on reconnect, messages still un-acked are retransmitted first;
* reports recorded without a link (e.g. after :meth:`~Jt808Terminal.go_silent`) are kept in
  the blind-zone store and uploaded as 0x0704 type 1 batches (blind-zone backfill) right
  after the next authentication, before any newer live report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from assetwatch.protocols import jt808
from assetwatch.simulate.events import EventCallback, SimulationEvent
from assetwatch.simulate.jt808_commands import TerminalState, answer_command
from assetwatch.simulate.jt808_link import (
    BATCH,
    HEARTBEAT,
    LOCATION,
    HandshakeRefused,
    Jt808Link,
    LinkClosed,
    SerialCounter,
    TerminalIdentity,
    backfill_batches,
    encode_backfill,
    encode_location,
    location_report,
)
from assetwatch.simulate.routes import seeded_rng
from assetwatch.simulate.terminal_settings import TerminalMetrics, TerminalSettings
from assetwatch.simulate.vehicle import Fix

log = logging.getLogger(__name__)

__all__ = ["Jt808Terminal", "TerminalMetrics", "TerminalSettings"]

ACK_OK, ACK_FAILURE, ACK_ALARM_CONFIRMED = 0, 1, 4


@dataclass(slots=True)
class _Outgoing:
    msg_id: int
    body: bytes
    positions: int
    serial: int | None = None
    attempts: int = 0
    deadline: float = field(default=math.inf)


class _LinkBroken(ConnectionError):
    """Too many retransmissions without an answer."""


async def _wait(event: asyncio.Event, timeout_s: float) -> bool:
    """Wait for ``event`` at most ``timeout_s`` seconds; whether it was set."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        return False
    return True


class Jt808Terminal:
    """A terminal reporting to ``host:port`` as ``identity.phone``.

    Call :meth:`start`, then :meth:`report` fixes as they happen; :meth:`stop` ends it.
    ``clock`` gives the seconds since the simulation started, for event timestamps.
    """

    def __init__(
        self,
        identity: TerminalIdentity,
        host: str,
        port: int,
        *,
        settings: TerminalSettings | None = None,
        on_event: EventCallback | None = None,
        clock: Callable[[], float] | None = None,
    ):
        self.identity = identity
        self.phone = identity.phone
        self.host, self.port = host, port
        self.settings = settings or TerminalSettings()
        self.metrics = TerminalMetrics()
        self.auth_code: str | None = None
        self._on_event = on_event
        self._clock = clock
        self._serials = SerialCounter()
        self._jitter = seeded_rng(int(identity.phone, 16))
        self._queue: deque[_Outgoing] = deque()
        self._in_flight: dict[int, _Outgoing] = {}
        self._blind_zone: deque[jt808.LocationReport] = deque()
        self.state = TerminalState()  # what platform commands changed
        self._link_up = False
        self._live = False  # reports go out as 0x0200 (not into the blind zone)
        self._silent = False
        self._stopping = False
        self._wake = asyncio.Event()
        self._resume = asyncio.Event()
        self._stopped = asyncio.Event()
        self._settled = asyncio.Event()
        self._settled.set()
        self._online = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_sent = 0.0

    @property
    def online(self) -> bool:
        """Connected and authenticated."""
        return self._link_up

    @property
    def silent(self) -> bool:
        return self._silent

    @property
    def outstanding(self) -> int:
        """Positions recorded but not yet acknowledged by the platform."""
        waiting = list(self._queue) + list(self._in_flight.values())
        return sum(o.positions for o in waiting) + len(self._blind_zone)

    # -- control ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"jt808-terminal-{self.phone}"
            )

    async def stop(self) -> None:
        """Close the link and end the terminal (unsent data stays in its stores)."""
        self._stopping = True
        self._stopped.set()
        self._resume.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    def go_silent(self) -> None:
        """Drop the link as if the signal were lost; keep recording into the blind zone."""
        if not self._silent:
            self._silent, self._live = True, False
            self._resume.clear()
            self._wake.set()
            self._emit("silent", f"{len(self._in_flight)} un-acked messages kept")

    def resume(self) -> None:
        """Reconnect after :meth:`go_silent`. What was recorded meanwhile is queued at once as
        0x0704 backfill; later reports are live and follow it once the link is up."""
        if self._silent:
            self._silent, self._live = False, True
            self._resume.set()
            self._emit("resumed", f"{len(self._blind_zone)} positions to backfill")
            self._queue_backfill()

    async def wait_online(self, timeout_s: float) -> bool:
        """Wait until connected and authenticated; False on time-out."""
        return await _wait(self._online, timeout_s)

    async def drain(self, timeout_s: float) -> bool:
        """Wait until every recorded position is acknowledged; False on time-out."""
        return await _wait(self._settled, timeout_s)

    # -- recording --------------------------------------------------------------------------
    def report(self, fix: Fix, *, alarm_flags: int = 0) -> None:
        """Record a fix: sent at once when online (or just resumed), otherwise kept in the
        blind zone for the backfill."""
        report = location_report(fix, alarm_flags=alarm_flags, tz=self.settings.tz)
        report = self.state.located(report)
        self.state.last_report = report
        self.metrics.recorded += 1
        self._settled.clear()
        if self._live:
            self._queue.append(_Outgoing(LOCATION, encode_location(report), positions=1))
            self._wake.set()
            return
        self._blind_zone.append(report)
        if len(self._blind_zone) > self.settings.blind_zone_capacity:
            self._blind_zone.popleft()
            self.metrics.dropped += 1

    # -- connection life --------------------------------------------------------------------
    async def _run(self) -> None:
        backoff = self.settings.reconnect_min_s
        while not self._stopping:
            if self._silent:
                await self._resume.wait()
                continue
            authenticated = await self._connect_once()
            if self._stopping or self._silent:
                continue
            backoff = self.settings.reconnect_min_s if authenticated else backoff
            await _wait(self._stopped, backoff * self._jitter.uniform(0.8, 1.2))  # no stampede
            backoff = min(backoff * 2, self.settings.reconnect_max_s)

    async def _connect_once(self) -> bool:
        """One connection: handshake, then pump until it ends. True if it authenticated."""
        try:
            link = await Jt808Link.open(
                self.host, self.port, self.identity, self._serials,
                timeout_s=self.settings.connect_timeout_s, version=self.settings.version,
            )  # fmt: skip
        except (OSError, TimeoutError) as err:
            self._emit("disconnected", f"connect failed: {err!r}")
            return False
        self.metrics.connects += 1
        self._emit("connected", f"{self.host}:{self.port}")
        authenticated, reason = False, ""
        try:
            await self._handshake(link)
            authenticated = True
            self._link_up = self._live = True
            self._online.set()
            self._emit("authenticated")
            self._arrange_backlog()
            await self._pump(link)
            reason = "gone silent" if self._silent else "stopped"
        except (OSError, TimeoutError, LinkClosed, _LinkBroken, HandshakeRefused) as err:
            reason = repr(err)
        finally:
            self._link_up = self._live = False
            self._online.clear()
            await link.close()
        self._emit("disconnected", reason)
        return authenticated

    async def _handshake(self, link: Jt808Link) -> None:
        timeout = self.settings.ack_timeout_s
        if self.auth_code is None:
            self.auth_code = await link.register(timeout_s=timeout)
            self._emit("registered", f"auth code {self.auth_code!r}")
        try:
            await link.authenticate(self.auth_code, timeout_s=timeout)
        except HandshakeRefused:
            self.auth_code = None  # register again next time
            raise

    def _arrange_backlog(self) -> None:
        """After authenticating: un-acked messages first, then the blind-zone backfill."""
        for outgoing in reversed(list(self._in_flight.values())):
            outgoing.attempts = 0  # a new link: a fresh retransmission schedule
            self._queue.appendleft(outgoing)
        self._in_flight.clear()
        self._last_sent = asyncio.get_running_loop().time()
        self._queue_backfill()

    def _queue_backfill(self) -> None:
        """Move the blind zone into the queue as 0x0704 type 1 batches (after older items)."""
        if not self._blind_zone:
            return
        reports = list(self._blind_zone)
        self._blind_zone.clear()
        batches = backfill_batches(reports, max_items=self.settings.batch_size)
        for batch in batches:
            self._queue.append(_Outgoing(BATCH, encode_backfill(batch), len(batch)))
        self._emit("backfill", f"{len(reports)} positions in {len(batches)} 0x0704 batches")

    # -- sending and receiving --------------------------------------------------------------
    async def _pump(self, link: Jt808Link) -> None:
        loop = asyncio.get_running_loop()
        receiver = loop.create_task(self._receive(link))
        try:
            while not (self._stopping or self._silent or receiver.done()):
                self._wake.clear()
                now = loop.time()
                self._retransmit_due(link, now)
                self._send_queued(link, now)
                self._heartbeat_if_idle(link, now)
                await link.writer.drain()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._next_deadline(now)):
                        await self._wake.wait()
            if receiver.done():
                receiver.result()  # raises LinkClosed when the platform hung up
        finally:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError, LinkClosed, OSError):
                await receiver

    async def _receive(self, link: Jt808Link) -> None:
        try:
            while True:
                for message in await link.receive():
                    self._on_message(link, message)
        finally:
            self._wake.set()

    def _on_message(self, link: Jt808Link, message: jt808.Message) -> None:
        if isinstance(message.body, jt808.PlatformResponse):
            self._on_ack(message.body)
        elif not isinstance(message.body, jt808.RegistrationReply):
            answer_command(link, message, self.state)
            self._emit("command", f"0x{message.header.msg_id:04X} answered")

    def _on_ack(self, ack: jt808.PlatformResponse) -> None:
        outgoing = self._in_flight.get(ack.reply_serial)
        if outgoing is None or outgoing.msg_id != ack.reply_msg_id:
            return  # a heartbeat's ack, or a duplicate ack
        if ack.result == ACK_FAILURE:
            return  # not stored: keep it in flight, it is retransmitted on time-out
        del self._in_flight[ack.reply_serial]
        if ack.result in (ACK_OK, ACK_ALARM_CONFIRMED):
            self.metrics.acked += 1
            if outgoing.msg_id == BATCH:
                self.metrics.backfilled += outgoing.positions
        else:
            self.metrics.rejected += 1
            self._emit("rejected", f"0x{outgoing.msg_id:04X} result {ack.result}")
        if not (self._queue or self._in_flight or self._blind_zone):
            self._settled.set()
        self._wake.set()

    def _send_queued(self, link: Jt808Link, now: float) -> None:
        while self._queue and len(self._in_flight) < self.settings.window:
            outgoing = self._queue.popleft()
            if outgoing.serial is None:
                self.metrics.sent += 1
            else:
                self.metrics.retransmitted += 1
            self._transmit(link, outgoing, now)

    def _transmit(self, link: Jt808Link, outgoing: _Outgoing, now: float) -> None:
        outgoing.serial = link.send(outgoing.msg_id, outgoing.body, outgoing.serial)
        outgoing.attempts += 1
        outgoing.deadline = now + self.settings.ack_timeout_s * math.factorial(outgoing.attempts)
        self._in_flight[outgoing.serial] = outgoing
        self._last_sent = now

    def _retransmit_due(self, link: Jt808Link, now: float) -> None:
        for outgoing in [o for o in self._in_flight.values() if o.deadline <= now]:
            if outgoing.attempts > self.settings.max_retries:
                raise _LinkBroken(f"no ack after {outgoing.attempts} transmissions")
            self.metrics.retransmitted += 1
            self._emit("retransmit", f"serial {outgoing.serial} attempt {outgoing.attempts + 1}")
            self._transmit(link, outgoing, now)

    def _heartbeat_if_idle(self, link: Jt808Link, now: float) -> None:
        if now - self._last_sent >= self.settings.heartbeat_s:
            link.send(HEARTBEAT, b"")
            self.metrics.heartbeats += 1
            self._last_sent = now

    def _next_deadline(self, now: float) -> float:
        deadlines = [o.deadline for o in self._in_flight.values()]
        deadlines.append(self._last_sent + self.settings.heartbeat_s)
        return max(0.0, min(deadlines) - now)

    def _emit(self, kind: str, detail: str = "") -> None:
        log.debug("terminal %s %s %s", self.phone, kind, detail)
        if self._on_event is not None:
            at = self._clock() if self._clock is not None else 0.0
            self._on_event(SimulationEvent(at, self.phone, kind, detail))
