"""An asset's resident places and their signals, from its stored stays (for the API/CLI)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from assetwatch.analytics.resident import ResidentParams, ResidentPlace, resident_places
from assetwatch.analytics.resident_signals import SignalParams, signals
from assetwatch.errors import ValidationError
from assetwatch.geo.zones import zone
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import visible
from assetwatch.storage.schema import assets, contracts, counterparties
from assetwatch.tracking import segments
from assetwatch.tracking.service import iso

DAY_MS = 86_400_000


def declared_addresses(engine: Engine, scope: Scope, asset: str) -> list[dict[str, Any]]:
    """The addresses the asset's counterparty declared (home, workplace, lot)."""
    query = (
        select(counterparties.c.addresses)
        .select_from(
            assets.join(contracts, contracts.c.id == assets.c.contract_id).join(
                counterparties, counterparties.c.id == contracts.c.counterparty_id
            )
        )
        .where(visible(assets, scope) & (assets.c.key == asset))
    )
    with engine.connect() as conn:
        found = conn.scalar(query)
    return list(found or [])


def report(
    engine: Engine, *, scope: Scope, asset: str, now_ms: int, days: int = 60,
    timezone: str = "Asia/Shanghai",
) -> dict[str, Any]:  # fmt: skip
    """Places (home, work, frequent) over the last ``days`` days and what they signal."""
    if not 1 <= days <= 730:
        raise ValidationError("days must be between 1 and 730")
    zone(timezone)  # an unknown zone is a ValidationError
    stays = segments.stays(engine, scope=scope, asset=asset, from_ms=now_ms - days * DAY_MS,
                           to_ms=now_ms)  # fmt: skip
    places = resident_places(stays, ResidentParams(timezone=timezone))
    addresses = declared_addresses(engine, scope, asset)
    found = signals(stays, addresses, SignalParams(timezone=timezone), now_ms)
    return {
        "asset": asset, "days": days, "timezone": timezone, "stays": len(stays),
        "places": [_place(p) for p in places],
        "declared_addresses": addresses,
        "signals": [{"type": e.type, "subject": e.subject, "time": iso(e.time_ms),
                     "details": e.details} for e in found],
    }  # fmt: skip


def _place(p: ResidentPlace) -> dict[str, Any]:
    return {
        "label": p.label, "lat": round(p.lat, 6), "lon": round(p.lon, 6),
        "radius_m": round(p.radius_m, 1), "stays": p.stays, "dwell_h": round(p.dwell_h, 1),
        "night_h": round(p.night_h, 1), "workday_h": round(p.workday_h, 1),
        "nights": len(p.nights), "days": len(p.days),
        "first_seen": iso(p.first_ms), "last_seen": iso(p.last_ms),
    }  # fmt: skip
