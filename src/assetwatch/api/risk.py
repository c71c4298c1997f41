"""``/assets/{key}/risk``: the asset's risk score now, with reasons."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from assetwatch.api.deps import EngineDep, ScopeDep
from assetwatch.risk.service import score_asset
from assetwatch.storage.clock import now_ms

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
