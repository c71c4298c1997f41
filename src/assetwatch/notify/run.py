"""Running the delivery worker outside ``serve``: once (CLI test sends) or as a loop."""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine

from assetwatch.notify.directory import NotifyDirectory
from assetwatch.notify.worker import Deliverer, DeliverySettings, Publish
from assetwatch.observability import Metrics
from assetwatch.storage.clock import now_ms


def deliverer_for(
    engine: Engine, settings: DeliverySettings | None = None, publish: Publish | None = None
) -> Deliverer:
    """A worker outside the server: in-app notifications need ``publish`` (there is no
    live feed here) or they are dead-lettered with that reason."""
    return Deliverer(engine, NotifyDirectory(engine), Metrics(), now_ms, settings, publish=publish)


async def deliver_once(
    engine: Engine, settings: DeliverySettings | None = None, publish: Publish | None = None
) -> int:
    """One delivery pass; returns the number of notifications attempted."""
    deliverer = deliverer_for(engine, settings, publish)
    try:
        return await deliverer.tick()
    finally:
        await deliverer.aclose()


async def deliver_forever(engine: Engine, settings: DeliverySettings | None = None) -> None:
    """Deliver until cancelled (Ctrl-C)."""
    stop = asyncio.Event()
    await deliverer_for(engine, settings).run(stop)
