"""What every TCP device gateway shares, whatever its protocol.

:class:`DeviceGateway` listens, owns the :class:`~assetwatch.gateways.tcp.ConnectionGuard`
(TCP limits), the rate limits, the back-pressure and the sessions registry.
:class:`DeviceConnection` is the protocol-neutral half of a connection: admission, the rate
limit of each frame (:mod:`~assetwatch.gateways.rate_limit`), the bookkeeping the guard
sweeps on (time of the last frame, start of an unfinished one), one write per loop
iteration, the device's presence in the sessions registry, and refusals (counted in
``assetwatch_device_refusals_total``). A protocol subclasses both and adds its codec, its
handlers and ``send_command``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar, cast

from assetwatch.gateways.backpressure import BackPressure
from assetwatch.gateways.rate_limit import RateLimiter, RateLimits, TokenBucket
from assetwatch.gateways.sessions import Sessions
from assetwatch.gateways.tcp import ConnectionGuard, TcpLimits, peer_ip
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import Bus
from assetwatch.pipeline.directory import DeviceDirectory, DeviceInfo, UnknownPolicy

log = logging.getLogger(__name__)

G = TypeVar("G", bound="DeviceGateway")


class DeviceConnection(asyncio.Protocol, Generic[G]):
    """One device socket. ``protocol`` names the protocol in metrics and sessions."""

    protocol: ClassVar[str]

    def find_device(self, key: str) -> DeviceInfo | None:
        """The device ``key`` on this protocol, by the gateway's unknown-device policy."""
        gw = self.gw
        return gw.directory.find(self.protocol, key, unknown=gw.unknown_policy, now_ms=gw.clock())

    def __init__(self, gateway: G):
        self.gw = gateway
        self.transport: asyncio.Transport | None = None
        self.ip = "?"
        self.bucket: TokenBucket | None = None  # this connection's device rate limit
        self._throttled = False  # dropping frames over a rate limit (logged once per episode)
        self.device: DeviceInfo | None = None
        self.last_frame_at = 0.0
        self.partial_since: float | None = None
        self.garbage = 0
        self._outbox: list[bytes] = []
        self._online = False  # registered in the gateway's sessions

    def current_device(self) -> DeviceInfo | None:
        """The directory's latest view of this connection's device (revoked or claimed since
        it was identified, a changed time zone), or the one seen at identification."""
        if self.device is not None:
            latest = self.gw.directory.get(self.protocol, self.device.key)
            if latest is not None:
                self.device = latest
        return self.device

    @property
    def device_key(self) -> str:
        return self.device.key if self.device is not None else ""

    # -- asyncio.Protocol -------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.ip = peer_ip(transport)
        if not self.gw.guard.admit(self, self.transport):
            return
        rates = self.gw.rates
        if rates.device_per_s > 0:
            self.bucket = TokenBucket(rates.device_per_s, rates.device_burst, time.monotonic())
        self.gw.metrics.connections.labels(self.protocol).inc()

    def connection_lost(self, exc: Exception | None) -> None:
        if self not in self.gw.guard.connections:
            return  # refused at admission
        self.gw.guard.release(self)
        self.went_offline()
        self.gw.metrics.connections.labels(self.protocol).dec()
        if self.transport is not None:
            self.gw.backpressure.forget(self.transport)

    # -- trust ------------------------------------------------------------------------------
    def allow_frame(self, now: float) -> bool:
        """Whether a frame fits this connection's device rate and its IP's rate (``now``:
        ``time.monotonic()``). A frame over a limit is dropped unanswered, so a device that
        waits for answers sends it again later; nothing it was told is stored gets lost."""
        if self.bucket is not None and not self.bucket.take(now):
            scope = "device"
        elif not self.gw.ip_limiter.allow(self.ip, now):
            scope = "ip"
        else:
            self._throttled = False
            return True
        self.gw.metrics.rate_limited.labels(self.protocol, scope).inc()
        if not self._throttled:
            self._throttled = True
            rates = self.gw.rates
            rate = rates.device_per_s if scope == "device" else rates.ip_per_s
            log.warning(
                "%s %s from %s: over the %s rate limit (%g frames/s): dropping frames",
                self.protocol, self.device_key or "(not identified)", self.ip, scope, rate,
            )  # fmt: skip
        return False

    def refuse(self, reason: str, key: str) -> None:
        """Count and log a refused message of device ``key``: ``unknown``, ``revoked``,
        ``wrong_auth_code``, ``not_authenticated``."""
        self.gw.metrics.device_refusals.labels(self.protocol, reason).inc()
        level = logging.INFO if reason == "unknown" else logging.WARNING  # scanners are many
        log.log(level, "%s %s from %s refused: %s", self.protocol, key, self.ip, reason)

    def hang_up(self) -> None:
        """Close the connection once what is queued for it went out."""
        self.flush()
        if self.transport is not None:
            self.transport.close()

    # -- for the guard ----------------------------------------------------------------------
    def stamp(self, frames: int, pending: int) -> None:
        """After a read: ``frames`` completed, ``pending`` bytes of an unfinished one held."""
        now = time.monotonic()
        if frames:
            self.last_frame_at = now
        if not pending:
            self.partial_since = None
        elif self.partial_since is None or frames:
            self.partial_since = now

    # -- sessions ---------------------------------------------------------------------------
    def went_online(self) -> None:
        """The device on this connection is identified and accepted: it can get commands."""
        if not self._online and self.device is not None and not self.device.quarantined:
            self._online = True
            self.gw.sessions.online(self)  # type: ignore[arg-type]  # subclasses are links

    def went_offline(self) -> None:
        if self._online:
            self.gw.sessions.offline(self)  # type: ignore[arg-type]
            self._online = False

    # -- writing ----------------------------------------------------------------------------
    def queue(self, frame: bytes) -> None:
        """Write ``frame`` with everything else queued in this loop iteration (one syscall)."""
        if self.transport is None or self.transport.is_closing():
            return
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self.flush)
        self._outbox.append(frame)

    def flush(self) -> None:
        frames, self._outbox = self._outbox, []
        if frames and self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(frames))


class DeviceGateway:
    """Listens for one protocol's devices; subclasses say how to make a connection."""

    protocol: ClassVar[str]

    def __init__(
        self,
        bus: Bus,
        directory: DeviceDirectory,
        metrics: Metrics,
        clock: Callable[[], int],
        *,
        unknown_policy: UnknownPolicy = "quarantine",
        sessions: Sessions | None = None,
        limits: TcpLimits | None = None,
        rates: RateLimits | None = None,
    ):
        self.bus, self.directory, self.metrics, self.clock = bus, directory, metrics, clock
        self.unknown_policy = unknown_policy
        self.rates = rates or RateLimits()
        self.ip_limiter = RateLimiter(self.rates.ip_per_s, self.rates.ip_burst)
        self.sessions = sessions if sessions is not None else Sessions()
        self.backpressure = BackPressure(bus)
        self.frames_ok = metrics.frames.labels(self.protocol, "ok")  # bound once: hot path
        self.guard = ConnectionGuard(limits or TcpLimits(), metrics, self.protocol)
        self._server: asyncio.Server | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self.setup()

    def setup(self) -> None:
        """Protocol-specific state, made at the end of ``__init__``."""

    def new_connection(self) -> asyncio.Protocol:
        raise NotImplementedError

    def background(self) -> list[Callable[[], Any]]:
        """Coroutine functions to run while listening (e.g. a periodic sweep)."""
        return []

    async def start(self, host: str, port: int) -> int:
        """Listen; returns the bound port (useful when ``port`` is 0)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self.new_connection, host, port)
        self.guard.start()
        self._tasks = [loop.create_task(job()) for job in self.background()]
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        await self.guard.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for conn in list(self.guard.connections):
            if conn.transport is not None:
                conn.transport.close()
        await self._server.wait_closed()
