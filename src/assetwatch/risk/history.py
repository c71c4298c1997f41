"""Keeping scores: ``risk_scores`` rows, level changes as events, rises as alarms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, insert, select

from assetwatch.alarms.service import raise_alarm
from assetwatch.risk.scorecard import LEVELS
from assetwatch.storage.schema import events, risk_scores

ALARMING: Final = ("high", "critical")


@dataclass(frozen=True, slots=True)
class LevelChange:
    asset: str
    before: str | None  # None: the first score of the asset
    after: str
    score: float
    alarm_id: int | None


def record_score(
    conn: Connection, *, tenant_id: int, asset_id: int, result: dict[str, Any], now_ms: int
) -> LevelChange | None:
    """Keep ``result`` (from ``risk.service``); a new level is a ``risk_level_changed`` event,
    and a rise to high or critical also a ``risk_level`` alarm with the reasons."""
    last = conn.execute(
        select(risk_scores.c.level)
        .where(risk_scores.c.asset_id == asset_id)
        .order_by(risk_scores.c.time_ms.desc(), risk_scores.c.id.desc())
        .limit(1)
    ).scalar()
    conn.execute(
        insert(risk_scores).values(
            tenant_id=tenant_id, asset_id=asset_id, time_ms=now_ms, preset=result["preset"],
            score=result["score"], level=result["level"], features=result["features"],
            missing=result["missing"], reasons=result["reasons"],
        )
    )  # fmt: skip
    level = result["level"]
    if last == level or (last is None and level == "low"):
        return None
    details = {"from": last, "to": level, "score": result["score"], "reasons": result["reasons"]}
    conn.execute(
        insert(events).values(
            tenant_id=tenant_id, asset_id=asset_id, device_id=None, time_ms=now_ms,
            type="risk_level_changed", subject=level, details=details, created_ms=now_ms,
        )
    )  # fmt: skip
    alarm_id = None
    rising = LEVELS.index(level) > LEVELS.index(last or "low")
    if rising and level in ALARMING:
        alarm = raise_alarm(conn, tenant_id=tenant_id, asset_id=asset_id, device_id=None,
                            alarm_type="risk_level", subject=level, time_ms=now_ms,
                            now_ms=now_ms, details=details)  # fmt: skip
        alarm_id = alarm.id
    return LevelChange(result["asset"], last, level, result["score"], alarm_id)


def history(conn: Connection, *, asset_id: int, limit: int = 100) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(risk_scores)
        .where(risk_scores.c.asset_id == asset_id)
        .order_by(risk_scores.c.time_ms.desc(), risk_scores.c.id.desc())
        .limit(limit)
    )
    return [
        {"time_ms": r.time_ms, "preset": r.preset, "score": r.score, "level": r.level,
         "reasons": r.reasons, "features": r.features, "missing": r.missing}
        for r in rows
    ]  # fmt: skip
