"""The bus between gateways and processors, partitioned by device so per-device order holds.

The in-memory implementation (embedded mode) is a set of deques, one per partition. Each item
carries an :class:`Ack` that the processor settles after the data is durable; the gateway then
answers the device. A device that gets no answer retransmits, so nothing acked is ever lost.
"""

from __future__ import annotations

import asyncio
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from assetwatch.model.observation import Observation


class Ack:
    """Settled once per envelope; calls ``callback(ok)`` when the last one is settled."""

    __slots__ = ("_callback", "_ok", "_remaining")

    def __init__(self, parts: int, callback: Callable[[bool], None]):
        self._remaining = parts
        self._ok = True
        self._callback = callback

    def settle(self, ok: bool) -> None:
        self._remaining -= 1
        self._ok = self._ok and ok
        if self._remaining == 0:
            self._callback(self._ok)


@dataclass(slots=True)
class Envelope:
    obs: Observation
    ack: Ack | None = None


def partition_of(device_key: str, partitions: int) -> int:
    """Stable partition of a device (crc32 of its key)."""
    return zlib.crc32(device_key.encode()) % partitions


class Bus(Protocol):
    partitions: int

    def publish(self, envelope: Envelope) -> None: ...

    async def next_batch(
        self, partition: int, max_items: int, max_wait_s: float
    ) -> list[Envelope]: ...

    @property
    def pending(self) -> int: ...


class MemoryBus:
    """Per-partition deques with an event to wake the consumer."""

    def __init__(self, partitions: int = 1):
        self.partitions = partitions
        self._queues: list[deque[Envelope]] = [deque() for _ in range(partitions)]
        self._ready = [asyncio.Event() for _ in range(partitions)]

    def publish(self, envelope: Envelope) -> None:
        p = 0 if self.partitions == 1 else partition_of(envelope.obs.device_key, self.partitions)
        self._queues[p].append(envelope)
        self._ready[p].set()

    @property
    def pending(self) -> int:
        return sum(len(q) for q in self._queues)

    async def next_batch(self, partition: int, max_items: int, max_wait_s: float) -> list[Envelope]:
        """Up to ``max_items`` envelopes; waits at most ``max_wait_s`` for the first one."""
        queue, ready = self._queues[partition], self._ready[partition]
        if not queue:
            ready.clear()
            try:
                await asyncio.wait_for(ready.wait(), max_wait_s)
            except TimeoutError:
                return []
        n = min(len(queue), max_items)
        return [queue.popleft() for _ in range(n)]
