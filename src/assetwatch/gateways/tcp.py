"""Limits every TCP device gateway enforces, so no device (or attacker) can exhaust a server.

- **connections per IP**: a new connection beyond the limit is closed at once. Carrier-grade
  NAT puts many trackers behind one address, so the default is generous;
- **idle timeout**: a connection that delivered no complete frame for that long is closed
  (trackers send heartbeats; a silent socket is a dead one the kernel has not noticed);
- **slow senders**: an unfinished frame older than ``partial_frame_timeout_s`` closes the
  connection (a slowloris dribbling bytes would otherwise hold its buffer forever);
- **slow readers**: a device that does not read our replies, with more than
  ``max_write_buffer_bytes`` waiting to go out, is closed;
- **frame size**: the codec's splitter drops anything longer than ``max_frame_bytes``.

The checks run in one periodic sweep per gateway, not one timer per connection; the hot
path only stamps the time of the last complete frame.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from assetwatch.observability import Metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TcpLimits:
    max_frame_bytes: int = 4096
    idle_timeout_s: float = 600.0
    partial_frame_timeout_s: float = 30.0
    max_connections_per_ip: int = 5000  # 0 = unlimited
    max_write_buffer_bytes: int = 1 << 20


class Guarded(Protocol):
    """What the guard needs from a connection."""

    transport: asyncio.Transport | None
    last_frame_at: float  # time.monotonic() of the last complete frame
    partial_since: float | None  # when the unfinished frame now buffered began


def peer_ip(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else "?"


class ConnectionGuard:
    """One per gateway: admits connections, and sweeps idle, slow and stuck ones."""

    def __init__(self, limits: TcpLimits, metrics: Metrics, protocol: str):
        self.limits, self.protocol = limits, protocol
        self._closed = metrics.connections_closed
        self._per_ip: Counter[str] = Counter()
        self._ips: dict[int, str] = {}
        self.connections: set[Guarded] = set()
        self._sweeper: asyncio.Task[None] | None = None

    # -- admission ---------------------------------------------------------------------------
    def admit(self, conn: Guarded, transport: asyncio.Transport) -> bool:
        """Register a new connection; ``False`` (and the socket closed) when its IP is full."""
        ip = peer_ip(transport)
        limit = self.limits.max_connections_per_ip
        if limit and self._per_ip[ip] >= limit:
            self._closed.labels(self.protocol, "ip_limit").inc()
            log.warning("%s: refusing a connection from %s (%d open)", self.protocol, ip, limit)
            transport.abort()
            return False
        self._per_ip[ip] += 1
        self._ips[id(conn)] = ip
        conn.last_frame_at = time.monotonic()
        self.connections.add(conn)
        transport.set_write_buffer_limits(high=self.limits.max_write_buffer_bytes)
        return True

    def release(self, conn: Guarded) -> None:
        ip = self._ips.pop(id(conn), None)
        if ip is None:
            return
        self.connections.discard(conn)
        self._per_ip[ip] -= 1
        if self._per_ip[ip] <= 0:
            del self._per_ip[ip]

    # -- the sweep ---------------------------------------------------------------------------
    def start(self) -> None:
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)

    @property
    def sweep_interval_s(self) -> float:
        shortest = min(self.limits.idle_timeout_s, self.limits.partial_frame_timeout_s)
        return max(0.05, min(5.0, shortest / 4))

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval_s)
            self.sweep(time.monotonic())

    def sweep(self, now: float) -> int:
        """Close what broke a limit; returns how many were closed."""
        closed = 0
        for conn in list(self.connections):
            reason = self._verdict(conn, now)
            if reason is not None and conn.transport is not None:
                self._closed.labels(self.protocol, reason).inc()
                log.info("%s: closing %s connection", self.protocol, reason)
                conn.transport.abort()
                closed += 1
        return closed

    def _verdict(self, conn: Guarded, now: float) -> str | None:
        if conn.transport is None or conn.transport.is_closing():
            return None
        if (
            conn.partial_since is not None
            and now - conn.partial_since > self.limits.partial_frame_timeout_s
        ):
            return "slow_sender"
        if now - conn.last_frame_at > self.limits.idle_timeout_s:
            return "idle"
        if conn.transport.get_write_buffer_size() > self.limits.max_write_buffer_bytes:
            return "slow_reader"
        return None
