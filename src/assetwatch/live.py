"""The live feed: new alarms and positions, fanned out to WebSocket subscribers.

A slow subscriber never slows ingestion: each has a bounded queue and loses its oldest
messages (and is told how many) when it falls behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


class Subscription:
    def __init__(self, feed: LiveFeed, tenant_id: int | None, maxsize: int):
        self.feed, self.tenant_id = feed, tenant_id
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)
        self.dropped = 0
        self.accepts: Callable[[dict[str, Any]], bool] | None = None  # a narrower filter

    def offer(self, message: dict[str, Any]) -> None:
        if self.tenant_id is not None and message.get("tenant_id") != self.tenant_id:
            return
        if self.accepts is not None and not self.accepts(message):
            return
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(message)

    async def get(self) -> dict[str, Any]:
        return await self.queue.get()

    def close(self) -> None:
        self.feed.subscribers.discard(self)


class LiveFeed:
    def __init__(self) -> None:
        self.subscribers: set[Subscription] = set()

    def publish(self, message: dict[str, Any]) -> None:
        for sub in list(self.subscribers):
            sub.offer(message)

    def has_subscribers(self) -> bool:
        return bool(self.subscribers)

    def subscribe(self, tenant_id: int | None = None, maxsize: int = 1000) -> Subscription:
        sub = Subscription(self, tenant_id, maxsize)
        self.subscribers.add(sub)
        return sub
