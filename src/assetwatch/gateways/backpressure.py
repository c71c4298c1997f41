"""Pause reading from device sockets while the bus is too full; resume when it drains."""

from __future__ import annotations

import asyncio

from assetwatch.pipeline.bus import Bus


class BackPressure:
    def __init__(self, bus: Bus, *, high: int = 200_000, low: int = 50_000):
        self.bus, self.high, self.low = bus, high, low
        self._paused: set[asyncio.Transport] = set()
        self._watcher: asyncio.Task[None] | None = None

    def check(self, transport: asyncio.Transport) -> None:
        """Call after publishing: pauses this transport if the bus is over the high mark."""
        if self.bus.pending > self.high and not transport.is_closing():
            transport.pause_reading()
            self._paused.add(transport)
            if self._watcher is None or self._watcher.done():
                self._watcher = asyncio.get_running_loop().create_task(self._resume_when_drained())

    def forget(self, transport: asyncio.Transport) -> None:
        self._paused.discard(transport)

    async def _resume_when_drained(self) -> None:
        while self._paused:
            await asyncio.sleep(0.005)
            if self.bus.pending < self.low:
                for transport in list(self._paused):
                    if not transport.is_closing():
                        transport.resume_reading()
                self._paused.clear()
