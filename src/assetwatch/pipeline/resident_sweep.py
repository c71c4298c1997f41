"""The daily resident-places sweep: every asset's stays of the last ``days`` days are
clustered into places and checked for the signals of :mod:`~assetwatch.analytics.resident_signals`
(declared address never visited, nights away, new night-time place), which become events
and alarms. Open alarms of the same key only count a repeat, so running it daily keeps one
alarm per signal."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Engine, select

from assetwatch.analytics.model import Stay
from assetwatch.analytics.resident_signals import SignalParams, signals
from assetwatch.pipeline.batch import Found
from assetwatch.storage.schema import assets, contracts, counterparties, stays

DAY_MS = 86_400_000


@dataclass(frozen=True)
class ResidentSweepSettings:
    days: int = 60
    timezone: str = "Asia/Shanghai"


def resident_signals(engine: Engine, now_ms: int, settings: ResidentSweepSettings) -> list[Found]:
    """Signals of every asset with stays in the window, as events to record."""
    by_asset: dict[int, list[Stay]] = defaultdict(list)
    tenant_of: dict[int, int] = {}
    with engine.connect() as conn:
        for r in conn.execute(
            select(stays).where(stays.c.end_ms >= now_ms - settings.days * DAY_MS)
            .order_by(stays.c.asset_id, stays.c.start_ms)
        ):  # fmt: skip
            by_asset[r.asset_id].append(Stay(r.start_ms, r.end_ms, r.lat, r.lon, r.radius_m,
                                             r.points))  # fmt: skip
            tenant_of[r.asset_id] = r.tenant_id
        declared = dict(
            conn.execute(
                select(assets.c.id, counterparties.c.addresses)
                .join(contracts, contracts.c.id == assets.c.contract_id)
                .join(counterparties, counterparties.c.id == contracts.c.counterparty_id)
            ).all()
        )
    params = SignalParams(timezone=settings.timezone)
    found: list[Found] = []
    for asset_id, asset_stays in by_asset.items():
        addresses = list(declared.get(asset_id) or [])
        events = signals(asset_stays, addresses, params, now_ms)
        found += [Found(tenant_of[asset_id], asset_id, None, e) for e in events]
    return found
