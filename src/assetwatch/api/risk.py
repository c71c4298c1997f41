"""``/assets/{key}/risk``: the asset's risk score now, with reasons; and its history."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.registry.lookup import id_of
from assetwatch.risk.history import history
from assetwatch.risk.service import score_asset
from assetwatch.storage.clock import now_ms
from assetwatch.storage.schema import assets

router = APIRouter(tags=["risk"])


@router.get("/assets/{key}/risk")
def asset_risk(
    key: str,
    engine: EngineDep,
    scope: ScopeDep,
    preset: str = "consumer_auto_loan",
    locale: Annotated[Literal["zh-CN", "en"], Query(description="language of the reasons")] = "en",
) -> dict[str, Any]:
    """Score 0–100, level (low/medium/high/critical), the top reasons in plain language, each
    feature's value and points, and the features with no data yet."""
    return score_asset(engine, scope=scope, key=key, now_ms=now_ms(), preset=preset, locale=locale)


@router.get("/assets/{key}/risk/history")
def asset_risk_history(
    key: str, engine: EngineDep, scope: ScopeDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    """The asset's kept scores, newest first (``assetwatch risk sweep`` keeps them)."""
    with engine.connect() as conn:
        asset_id = id_of(conn, assets, scope=scope, key=key, what="asset")
        return history(conn, asset_id=asset_id, limit=limit)
