"""Scoring assets: one now (``score_asset``), or every asset of a scope with the result kept
in ``risk_scores`` (``sweep``), where a level change is an event and a rise to high or
critical raises a ``risk_level`` alarm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, select

from assetwatch.model.scope import Scope
from assetwatch.registry.lookup import id_of, visible
from assetwatch.risk.features import asset_features
from assetwatch.risk.history import LevelChange, record_score
from assetwatch.risk.profiles import scorecard_for
from assetwatch.risk.reasons import reasons
from assetwatch.risk.scorecard import Locale, Scorecard, score
from assetwatch.riskpoints.index import RiskPointIndex, load_risk_points
from assetwatch.storage.schema import assets


def _scored(
    conn: Connection, scope: Scope, asset_id: int, key: str, index: RiskPointIndex,
    now_ms: int, card: tuple[Scorecard, str], locale: Locale,
) -> dict[str, Any]:  # fmt: skip
    values = asset_features(conn, tenant_id=scope.tenant_id, asset_id=asset_id, now_ms=now_ms,
                            risk_points=index)  # fmt: skip
    result = score(card[0], values)
    return {
        "asset": key, "preset": card[1], "time_ms": now_ms, "score": result.score,
        "level": result.level, "reasons": reasons(result, locale),
        "features": {c.feature: {"value": c.value, "points": c.points}
                     for c in result.contributions},
        "missing": list(result.missing),
    }  # fmt: skip


def score_asset(
    engine: Engine, *, scope: Scope, key: str, now_ms: int, preset: str = "consumer_auto_loan",
    locale: Locale = "en",
) -> dict[str, Any]:  # fmt: skip
    """The asset's score, level, reasons, every feature's value and points, and the features
    without data. ``preset`` is a built-in preset or one of the tenant's monitoring profiles.
    ``NotFoundError`` for an asset outside ``scope`` or an unknown preset or profile."""
    with engine.connect() as conn:
        card = scorecard_for(conn, scope=scope, name=preset)
        asset_id = id_of(conn, assets, scope=scope, key=key, what="asset")
        index = RiskPointIndex(load_risk_points(conn, tenant_id=scope.tenant_id))
        return _scored(conn, scope, asset_id, key, index, now_ms, card, locale)


def sweep(
    engine: Engine, *, scope: Scope, now_ms: int, preset: str = "consumer_auto_loan",
    progress: Callable[[int, int], None] | None = None,
) -> list[LevelChange]:  # fmt: skip
    """Score every asset in ``scope`` and keep the scores; returns the level changes. Each
    asset is one transaction, so a long sweep holds no lock for long."""
    with engine.connect() as conn:
        card = scorecard_for(conn, scope=scope, name=preset)
        found = conn.execute(select(assets.c.id, assets.c.key).where(visible(assets, scope)))
        todo = [(int(i), str(k)) for i, k in found]
        index = RiskPointIndex(load_risk_points(conn, tenant_id=scope.tenant_id))
    changes = []
    for done, (asset_id, key) in enumerate(todo, 1):
        with engine.begin() as conn:
            result = _scored(conn, scope, asset_id, key, index, now_ms, card, "en")
            change = record_score(conn, tenant_id=scope.tenant_id, asset_id=asset_id,
                                  result=result, now_ms=now_ms)  # fmt: skip
        if change is not None:
            changes.append(change)
        if progress is not None:
            progress(done, len(todo))
    return changes
