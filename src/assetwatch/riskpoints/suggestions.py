"""Suggested risk points: the learned hotspots of a tenant's portfolio (see
:mod:`assetwatch.analytics.hotspots`), minus places already in its catalogue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, or_, select

from assetwatch.analytics.hotspots import HotspotParams, learned_hotspots
from assetwatch.analytics.model import Stay
from assetwatch.errors import ValidationError
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import visible
from assetwatch.riskpoints.index import load_index
from assetwatch.storage.schema import assets, contracts, stays

DAY_MS = 86_400_000
DEFAULTED_DAYS_OVERDUE = 90
KNOWN_WITHIN_M = 200.0


def suggest(
    engine: Engine, *, scope: Scope, now_ms: int, days: int = 180,
    params: HotspotParams | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Hotspots of the last ``days`` days, best first. A contract is *defaulted* when its
    status says so or it is ``DEFAULTED_DAYS_OVERDUE`` days overdue."""
    if not 7 <= days <= 1095:
        raise ValidationError("days must be between 7 and 1095")
    since = now_ms - days * DAY_MS
    with engine.connect() as conn:
        rows = conn.execute(
            select(stays.c.asset_id, stays.c.start_ms, stays.c.end_ms, stays.c.lat,
                   stays.c.lon, stays.c.radius_m, stays.c.points)
            .where(visible(stays, scope) & (stays.c.end_ms >= since))
        ).all()  # fmt: skip
        defaulted = set(
            conn.scalars(
                select(assets.c.id)
                .join(contracts, contracts.c.id == assets.c.contract_id)
                .where(
                    visible(assets, scope)
                    & or_(
                        contracts.c.status == "defaulted",
                        contracts.c.days_overdue >= DEFAULTED_DAYS_OVERDUE,
                    )
                )
            )
        )
        known = load_index(conn, tenant_id=scope.tenant_id)
    portfolio = [(r.asset_id, Stay(r.start_ms, r.end_ms, r.lat, r.lon, r.radius_m, r.points))
                 for r in rows]  # fmt: skip
    out = []
    for spot in learned_hotspots(portfolio, defaulted, params or HotspotParams()):
        nearby = known.near(spot.lat, spot.lon, KNOWN_WITHIN_M, tenant_id=scope.tenant_id)
        if nearby:
            continue
        out.append({
            "lat": round(spot.lat, 6), "lon": round(spot.lon, 6),
            "defaulted_assets": spot.defaulted_assets, "other_assets": spot.other_assets,
            "lift": round(spot.lift, 2), "p_value": spot.p_value, "stays": spot.stays,
        })  # fmt: skip
    return out
