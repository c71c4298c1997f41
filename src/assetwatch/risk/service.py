"""Scoring one asset now: its features from stored data, the preset's scorecard, reasons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from assetwatch.errors import NotFoundError
from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import id_of
from assetwatch.risk.features import asset_features
from assetwatch.risk.presets import PRESETS
from assetwatch.risk.reasons import reasons
from assetwatch.risk.scorecard import Locale, score
from assetwatch.riskpoints.index import RiskPointIndex, load_risk_points
from assetwatch.storage.schema import assets


def score_asset(
    engine: Engine, *, scope: Scope, key: str, now_ms: int, preset: str = "consumer_auto_loan",
    locale: Locale = "en",
) -> dict[str, Any]:  # fmt: skip
    """The asset's score, level, reasons, every feature's value and points, and the features
    without data. ``NotFoundError`` for an asset outside ``scope`` or an unknown preset."""
    card = PRESETS.get(preset)
    if card is None:
        raise NotFoundError(f"scoring preset {preset!r} does not exist; known: {sorted(PRESETS)}")
    with engine.connect() as conn:
        asset_id = id_of(conn, assets, scope=scope, key=key, what="asset")
        index = RiskPointIndex(load_risk_points(conn, tenant_id=scope.tenant_id))
        values = asset_features(
            conn, tenant_id=scope.tenant_id, asset_id=asset_id, now_ms=now_ms, risk_points=index
        )
    result = score(card, values)
    return {
        "asset": key, "preset": preset, "time_ms": now_ms, "score": result.score,
        "level": result.level, "reasons": reasons(result, locale),
        "features": {c.feature: {"value": c.value, "points": c.points}
                     for c in result.contributions},
        "missing": list(result.missing),
    }  # fmt: skip
